// cdk.json's feature flags: `cdk synth` warns about every flag left unset, and an unset flag keeps
// the old (often less safe) behaviour. cdk.json sets each one the installed aws-cdk-lib recommends.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CDK_JSON_CONTEXT } from './synthesize.ts';

const require = createRequire(import.meta.url);
const RECOMMENDED = require('aws-cdk-lib/recommended-feature-flags.json') as Record<string, unknown>;
const { version } = require('aws-cdk-lib/package.json') as { version: string };

describe(`cdk.json, for aws-cdk-lib ${version}`, () => {
  it('sets every recommended feature flag to its recommended value', () => {
    expect(Object.keys(RECOMMENDED).length).toBeGreaterThan(0);
    const unset = Object.keys(RECOMMENDED).filter((flag) => !(flag in CDK_JSON_CONTEXT));
    expect(unset, 'flags cdk.json leaves unset').toEqual([]);
    for (const [flag, value] of Object.entries(RECOMMENDED))
      expect(CDK_JSON_CONTEXT[flag], flag).toEqual(value);
  });

  it('uses weak cross-stack references (Fn::GetStackOutput), so the data stack never has exports locked by the service', () => {
    expect(CDK_JSON_CONTEXT['@aws-cdk/core:defaultCrossStackReferences']).toBe('weak');
  });
});
