import path from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  LogLevel,
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { queueUrlVariable } from '#shared/queues';
import { type ImageAccess, NATIVE_MODULES, type NativeModuleName, type TableGrant } from '#shared/routes';

/** The repository root: route and queue entries are relative to it, and esbuild runs from it. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

export const LOG_RETENTION = RetentionDays.ONE_MONTH;

/**
 * ESM bundles have no `require`; some CommonJS dependencies still call it for Node built-ins,
 * which esbuild turns into a throwing `__require` unless a real one is in scope.
 */
const REQUIRE_SHIM =
  "import { createRequire as __openverifyCreateRequire } from 'node:module'; const require = __openverifyCreateRequire(import.meta.url);";

/** Every function's environment before its bindings (`TABLE_NAME`…). */
export const FUNCTION_ENVIRONMENT: Readonly<Record<string, string>> = {
  POWERTOOLS_SERVICE_NAME: 'openverify',
};

export { NATIVE_MODULES };
export type NativeModule = NativeModuleName;

/** Every function's bundling (bench/ bundles the same way to measure what deploys). */
export const FUNCTION_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
  // CDK leaves the SDK out by default; the runtime's copy is a different version and cold starts pay.
  bundleAwsSDK: true,
  minify: true,
  // Readable stack traces without `--enable-source-maps`, which parses the whole map at every cold
  // start: the injected hook reads the map beside the bundle only when a trace is formatted.
  sourceMap: true,
  sourceMapMode: SourceMapMode.EXTERNAL,
  sourcesContent: false,
  inject: [path.join(PROJECT_ROOT, 'infra', 'runtime', 'stack-traces.ts')],
  logLevel: LogLevel.WARNING,
  // Never bundled (see NATIVE_MODULES); functions that use them install them.
  externalModules: [...NATIVE_MODULES],
};

/**
 * The bundling of a function that installs `nodeModules`: npm installs them for Lambda's platform
 * (Linux on ARM64), not this machine's, through a project `.npmrc` in the asset, so sharp brings its
 * linux-arm64 binaries without Docker.
 */
export function nativeBundling(nodeModules: readonly NativeModule[]): BundlingOptions {
  return {
    ...FUNCTION_BUNDLING,
    nodeModules: [...nodeModules],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: (_inputDir: string, outputDir: string) => [
        `printf 'os=linux\\ncpu=arm64\\nlibc=glibc\\n' > "${outputDir}/.npmrc"`,
      ],
      // What the packages ship beyond what runs (source maps, types, tests, demos, the models the
      // face matcher does not load): a fifth of the verify worker's package, under Lambda's 250 MB.
      afterBundling: (_inputDir: string, outputDir: string) => [
        `find "${outputDir}/node_modules" -type f \\( -name '*.map' -o -name '*.d.ts' -o -name '*_test.js' \\) -delete`,
        `rm -rf "${outputDir}/node_modules/@vladmandic/human/demo" "${outputDir}/node_modules/@vladmandic/human/assets" "${outputDir}/node_modules/@vladmandic/human/src" "${outputDir}/node_modules/@vladmandic/human/types"`,
        `[ ! -d "${outputDir}/node_modules/@vladmandic/human/models" ] || find "${outputDir}/node_modules/@vladmandic/human/models" -type f ! -name 'blazeface*' ! -name 'facemesh*' ! -name 'faceres*' -delete`,
      ],
    },
  };
}

/** The journey page's bundling: the browser bundle of every locale is built beside the handler. */
export function journeyClientBundling(): BundlingOptions {
  return {
    ...FUNCTION_BUNDLING,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) => [
        `node "${inputDir}/web/journey/prebuild.ts" "${outputDir}/journey-client"`,
      ],
    },
  };
}

export interface OpenverifyFunctionProps {
  /** The handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  /** Native modules installed beside the bundle (NATIVE_MODULES); none by default. */
  nodeModules?: readonly NativeModule[];
  /** Builds the journey's browser bundles into `journey-client/` beside the handler. */
  journeyClient?: boolean;
  timeout: Duration;
  memorySize?: number;
  description?: string;
}

export interface JourneyHostsEnvironment {
  publicBaseUrl: string;
  prefixedBaseUrl?: string | undefined;
}

/**
 * Every Lambda function of openverify: the defaults are set here once (STYLE.md, Infrastructure),
 * and grants come with the environment variable that names what was granted.
 */
export class OpenverifyFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: OpenverifyFunctionProps) {
    // Explicit, so its retention is ours and the stack owns it (not Lambda's implicit, never-expiring group).
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: LOG_RETENTION });
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      description: props.description,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment: { ...FUNCTION_ENVIRONMENT },
      bundling: props.journeyClient
        ? journeyClientBundling()
        : props.nodeModules?.length
          ? nativeBundling(props.nodeModules)
          : FUNCTION_BUNDLING,
    });
  }

  /**
   * Grants exactly `grants` on the table, each on its partition-key prefixes only, and sets
   * `TABLE_NAME` (shared/config.ts `TableConfig`). Nothing to grant, nothing set.
   */
  bindTable(table: ITable, grants: readonly TableGrant[]): this {
    if (grants.length === 0) return this;
    for (const statement of tableStatements(table.tableArn, grants)) this.addToRolePolicy(statement);
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * Grants what `access` names on the image bucket (and its key, through the bucket's grants) and
   * sets `BUCKET_NAME`. Signing an upload needs the right to put: a presigned request acts as its signer.
   */
  bindImages(bucket: IBucket, access: ImageAccess): this {
    if (access.read) bucket.grantRead(this);
    if (access.write) bucket.grantPut(this);
    if (access.delete) bucket.grantDelete(this);
    this.addEnvironment('BUCKET_NAME', bucket.bucketName);
    return this;
  }

  /** Grants sending to the queue and sets `QUEUE_URL_<NAME>` (shared/wiring.ts). */
  bindQueue(name: string, queue: IQueue): this {
    queue.grantSendMessages(this);
    this.addEnvironment(queueUrlVariable(name), queue.queueUrl);
    return this;
  }

  /** Sets the journey's public hosts (shared/config.ts `JourneyHostsConfig`). */
  bindJourneyHosts(hosts: JourneyHostsEnvironment): this {
    this.addEnvironment('PUBLIC_BASE_URL', hosts.publicBaseUrl);
    if (hosts.prefixedBaseUrl !== undefined) this.addEnvironment('PREFIXED_BASE_URL', hosts.prefixedBaseUrl);
    return this;
  }
}

/**
 * One statement per grant: its actions on the table (no index, no stream), only on items whose
 * partition key starts with one of its prefixes. `ForAllValues` is true of a request without the
 * key at all, so `Null` insists the request has one.
 */
export function tableStatements(tableArn: string, grants: readonly TableGrant[]): PolicyStatement[] {
  return grants.map(
    (grant) =>
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: grant.actions.map((action) => `dynamodb:${action}`),
        resources: [grant.index ? `${tableArn}/index/${grant.index}` : tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': grant.keys.map((prefix) => `${prefix}*`) },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
  );
}
