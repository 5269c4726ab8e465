/**
 * The regions openverify deploys to: two stacks per region (data and service), chosen with
 * `-c region=us|eu|sgp`. The key is short because it names the stacks (`openverify-eu`,
 * `openverify-eu-data`) and tags every resource.
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

/** The service stack: API, functions, alarms. */
export const stackName = (region: RegionKey): string => `openverify-${region}`;

/** The data stack: table, images, queues, keys, alarm topic, the API's id. */
export const dataStackName = (region: RegionKey): string => `openverify-${region}-data`;
