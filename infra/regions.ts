/**
 * The regions openverify deploys to: one stack per region, chosen with `-c region=us|eu|sgp`.
 * The key is short because it names the stack (`openverify-eu`) and tags every resource.
 */
export const REGIONS = {
  us: 'us-east-1',
  eu: 'eu-west-1',
  sgp: 'ap-southeast-1',
} as const;

export type RegionKey = keyof typeof REGIONS;

export const DEFAULT_REGION: RegionKey = 'eu';

export function isRegionKey(value: unknown): value is RegionKey {
  return typeof value === 'string' && Object.hasOwn(REGIONS, value);
}

export function parseRegionKey(value: unknown): RegionKey {
  if (value === undefined) return DEFAULT_REGION;
  if (!isRegionKey(value)) {
    throw new Error(
      `Unknown region ${JSON.stringify(value)}: use -c region=${Object.keys(REGIONS).join('|')}`,
    );
  }
  return value;
}

export const stackName = (region: RegionKey): string => `openverify-${region}`;
