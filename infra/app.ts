// The CDK app: `cdk synth -c region=us|eu|sgp` (default eu, from cdk.json) makes that region's two
// stacks, openverify-<region>-data and openverify-<region>. Options, all context:
//   domainName=eu.verify.example.com                 the journey's public host (else the API's own endpoint)
//   prefixedDomain={prefix}.eu.verify.example.com    hosts for customers with a domain prefix
//   certificateArn=arn:aws:acm:…                     wires domainName (and the prefixed wildcard) to the API
//   prefixedCertificateArn=arn:aws:acm:…             the wildcard's certificate, if not certificateArn
//   alarmEmail=ops@example.com                       subscribed to the alarm topic
//   documentProvider=offline|textract                the worker's document reader (default offline)
//   faceProvider=offline|rekognition                 the worker's face matcher (default offline)
// Run without the CDK CLI (`node infra/app.ts`), it writes the assembly to cdk.out itself; context
// then comes from CDK_CONTEXT_JSON, e.g. CDK_CONTEXT_JSON='{"region":"us"}'. Either way cdk.json's
// context (the feature flags) is read first, so both ways synthesize the same templates.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { PROJECT_ROOT } from './constructs/function.ts';
import { openverify } from './openverify-stack.ts';
import { parseRegionKey } from './regions.ts';

const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  context?: Record<string, unknown>;
};
const app = new App({
  outdir: process.env.CDK_OUTDIR ?? path.join(PROJECT_ROOT, 'cdk.out'),
  context: cdkJson.context ?? {},
});

const optional = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context ${key} must be a string`);
  return value;
};

openverify(app, {
  region: parseRegionKey(optional('region')),
  domainName: optional('domainName'),
  prefixedDomain: optional('prefixedDomain'),
  certificateArn: optional('certificateArn'),
  prefixedCertificateArn: optional('prefixedCertificateArn'),
  alarmEmail: optional('alarmEmail'),
  documentProvider: parseChoice('documentProvider', ['offline', 'textract'] as const),
  faceProvider: parseChoice('faceProvider', ['offline', 'rekognition'] as const),
});

function parseChoice<T extends string>(key: string, choices: readonly T[]): T | undefined {
  const value = optional(key);
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) throw new Error(`Context ${key} must be one of ${choices.join(', ')}`);
  return value as T;
}

app.synth();
