// The CDK app: `cdk synth -c region=us|eu|sgp` (default eu, from cdk.json). Options, all context:
//   domainName=eu.verify.example.com                 the journey's public host (else the API's own endpoint)
//   prefixedDomain={prefix}.eu.verify.example.com    hosts for customers with a domain prefix
//   certificateArn=arn:aws:acm:…                     wires domainName (and the prefixed wildcard) to the API
//   prefixedCertificateArn=arn:aws:acm:…             the wildcard's certificate, if not certificateArn
//   alarmEmail=ops@example.com                       subscribed to the alarm topic
// Run without the CDK CLI (`node infra/app.ts`), it writes the assembly to cdk.out itself; context
// then comes from CDK_CONTEXT_JSON, e.g. CDK_CONTEXT_JSON='{"region":"us"}'.
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { PROJECT_ROOT } from './constructs/function.ts';
import { OpenverifyStack } from './openverify-stack.ts';
import { parseRegionKey, stackName } from './regions.ts';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? path.join(PROJECT_ROOT, 'cdk.out') });

const optional = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context ${key} must be a string`);
  return value;
};

const region = parseRegionKey(optional('region'));
new OpenverifyStack(app, stackName(region), {
  region,
  domainName: optional('domainName'),
  prefixedDomain: optional('prefixedDomain'),
  certificateArn: optional('certificateArn'),
  prefixedCertificateArn: optional('prefixedCertificateArn'),
  alarmEmail: optional('alarmEmail'),
});

app.synth();
