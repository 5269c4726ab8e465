// One stack per region, and the public hosts. Bundling is skipped: these check wiring, not code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Token } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/constructs/function.ts';
import { parseRegionKey, REGIONS, type RegionKey } from '../../infra/regions.ts';
import { CDK_JSON_CONTEXT, environmentOf, resourceOf, type Synthesized, synthesize } from './synthesize.ts';

const KEYS = Object.keys(REGIONS) as RegionKey[];

const stacks = new Map<RegionKey, Synthesized>();
beforeAll(() => {
  for (const key of KEYS) stacks.set(key, synthesize({ region: key }));
});
afterAll(() => {
  for (const s of stacks.values()) s.cleanUp();
});
const stackOf = (key: RegionKey): Synthesized => {
  const s = stacks.get(key);
  if (!s) throw new Error(`No ${key} stack`);
  return s;
};

describe.each(KEYS)('the %s stacks', (key) => {
  it(`are openverify-${key}-data and openverify-${key}, in ${REGIONS[key]}, in whichever account deploys them`, () => {
    const { stack, dataStack } = stackOf(key);
    expect(dataStack.stackName).toBe(`openverify-${key}-data`);
    expect(stack.stackName).toBe(`openverify-${key}`);
    for (const each of [stack, dataStack]) {
      expect(each.region).toBe(REGIONS[key]);
      expect(Token.isUnresolved(each.account)).toBe(true);
      expect(each.environment).toBe(`aws://unknown-account/${REGIONS[key]}`);
    }
  });

  it('tag themselves with their region, and are protected from termination', () => {
    const { stack, dataStack } = stackOf(key);
    for (const each of [stack, dataStack]) {
      expect(each.tags.tagValues()).toEqual({ project: 'openverify', region: key });
      expect(each.terminationProtection).toBe(true);
    }
  });
});

describe('the region context', () => {
  it('defaults to eu and refuses anything but us, eu and sgp', () => {
    expect(parseRegionKey(undefined)).toBe('eu');
    expect(parseRegionKey('sgp')).toBe('sgp');
    expect(() => parseRegionKey('eu-west-1')).toThrow(/use -c region=us\|eu\|sgp/);
    expect(() => parseRegionKey('constructor')).toThrow(/Unknown region/);
  });

  it('reaches the app as the CDK CLI passes it (infra/app.ts, run by Node.js itself)', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'openverify-app-'));
    try {
      execFileSync(process.execPath, ['infra/app.ts'], {
        cwd: PROJECT_ROOT,
        env: {
          PATH: process.env.PATH,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ region: 'us', 'aws:cdk:bundling-stacks': [] }),
        },
        stdio: 'pipe',
      });
      const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
      for (const name of ['openverify-us-data', 'openverify-us']) {
        expect(manifest.artifacts[name]).toMatchObject({
          type: 'aws:cloudformation:stack',
          environment: 'aws://unknown-account/us-east-1',
          properties: { terminationProtection: true, tags: { project: 'openverify', region: 'us' } },
        });
      }
      expect(manifest.artifacts['openverify-us'].dependencies).toContain('openverify-us-data');
      const stacks = Object.entries(manifest.artifacts as Record<string, { type: string }>)
        .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
        .map(([name]) => name);
      expect(stacks.sort()).toEqual(['openverify-us', 'openverify-us-data']);
      // cdk.json's feature flags apply without the CLI too: weak cross-stack references, for one.
      const template = readFileSync(path.join(outdir, 'openverify-us.template.json'), 'utf8');
      expect(CDK_JSON_CONTEXT['@aws-cdk/core:defaultCrossStackReferences']).toBe('weak');
      expect(template).toContain('Fn::GetStackOutput');
      expect(template).not.toContain('Fn::ImportValue');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('a stack with its own domain', () => {
  const certificateArn =
    'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({
      region: 'eu',
      domainName: 'eu.verify.example.com',
      prefixedDomain: '{prefix}.eu.verify.example.com',
      certificateArn,
    });
  });
  afterAll(() => s?.cleanUp());

  it('sends the journey to that domain, and to the prefixed pattern', () => {
    const initiate = s.stack.functions.get('initiate');
    if (!initiate) throw new Error('no initiate function');
    expect(environmentOf(resourceOf(s, initiate).resource)).toMatchObject({
      PUBLIC_BASE_URL: 'https://eu.verify.example.com',
      PREFIXED_BASE_URL: 'https://{prefix}.eu.verify.example.com',
    });
    expect(s.template.toJSON().Outputs.ApiUrl.Value).toBe('https://eu.verify.example.com');
  });

  it('maps the domain and the wildcard of the prefixed pattern to the API', () => {
    for (const domainName of ['eu.verify.example.com', '*.eu.verify.example.com']) {
      s.template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: domainName,
        DomainNameConfigurations: [{ CertificateArn: certificateArn, EndpointType: 'REGIONAL' }],
      });
    }
    s.template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 2);
  });

  it('switches off the execute-api endpoint, so the domain is the only way in', () => {
    expect(resourceOf(s, s.stack.api.httpApi).resource.Properties?.DisableExecuteApiEndpoint).toBe(true);
    expect(s.template.toJSON().Outputs.ApiEndpoint).toBeUndefined();
  });

  it('lets browsers upload from both origins', () => {
    expect(resourceOf(s, s.stack.data.images).resource.Properties?.CorsConfiguration).toMatchObject({
      CorsRules: [{ AllowedOrigins: ['https://eu.verify.example.com', 'https://*.eu.verify.example.com'] }],
    });
  });
});

describe('the host options', () => {
  it('are bare host names, a prefixed pattern needs a domain, and a certificate needs a domain', () => {
    expect(() => synthesize({ region: 'eu', domainName: 'https://eu.verify.example.com' })).toThrow(
      /bare host/,
    );
    expect(() => synthesize({ region: 'eu', prefixedDomain: '{prefix}.verify.example.com' })).toThrow(
      /needs domainName/,
    );
    expect(() =>
      synthesize({ region: 'eu', domainName: 'verify.example.com', prefixedDomain: 'x.verify.example.com' }),
    ).toThrow(/\{prefix\}/);
    expect(() =>
      synthesize({ region: 'eu', certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x' }),
    ).toThrow(/needs domainName/);
  });

  it('without a domain, the public base URL is the API endpoint and no custom domain is made', () => {
    const s = stackOf('eu');
    s.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    expect(s.template.toJSON().Outputs.ApiEndpoint).toBeUndefined();
    expect(resourceOf(s, s.stack.api.httpApi).resource.Properties?.DisableExecuteApiEndpoint).toBe(false);
  });

  it('with a domain but no certificate (served by something else), the endpoint stays open and is output', () => {
    const s = synthesize({ region: 'eu', domainName: 'eu.verify.example.com' });
    try {
      s.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
      expect(resourceOf(s, s.stack.api.httpApi).resource.Properties?.DisableExecuteApiEndpoint).toBe(false);
      expect(s.template.toJSON().Outputs.ApiEndpoint.Value).toEqual(
        s.stack.resolve(s.stack.api.httpApi.apiEndpoint),
      );
    } finally {
      s.cleanUp();
    }
  });
});
