// The default stack (EU, shared/routes.ts and shared/queues.ts), synthesized once with real bundling.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, TTL_ATTRIBUTE } from '#adapters/dynamodb';
import { deadLetterName, QUEUES } from '#shared/queues';
import { ROUTES, type Route } from '#shared/routes';
import { ACCESS_LOG_FIELDS, THROTTLE } from '../../infra/constructs/public-api.ts';
import {
  actionsOfFunction,
  dig,
  environmentOf,
  findDependencyCycle,
  type Resource,
  resourceOf,
  type Synthesized,
  synthesize,
} from './synthesize.ts';

const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'];

let s: Synthesized;
beforeAll(() => {
  s = synthesize({ region: 'eu' }, { bundle: true });
}, 120_000);
afterAll(() => s?.cleanUp());

const resources = () => s.template.toJSON().Resources as Record<string, Resource>;
const functionOf = (name: string) => {
  const fn = s.stack.functions.get(name);
  if (!fn) throw new Error(`No function ${name}`);
  return resourceOf(s, fn);
};

describe('the table', () => {
  it('is the only one: on demand, pk/sk, TTL on expiresAt, point-in-time recovery, encrypted', () => {
    s.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: KEY.partition, KeyType: 'HASH' },
        { AttributeName: KEY.sort, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
  });

  it('is retained when the stack is deleted or the resource replaced', () => {
    const { resource } = resourceOf(s, s.stack.data.table);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('the image bucket', () => {
  it('is private, encrypted, retained, and cleans up abandoned multipart uploads', () => {
    const { resource } = resourceOf(s, s.stack.data.images);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(resource.Properties?.LifecycleConfiguration).toMatchObject({
      Rules: [{ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }],
    });
  });

  it('refuses requests without TLS', () => {
    const { id } = resourceOf(s, s.stack.data.images);
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('accepts browser uploads (POST, PUT) from the journey origin only: the API endpoint by default', () => {
    const { resource } = resourceOf(s, s.stack.data.images);
    const api = resourceOf(s, s.stack.api.httpApi).id;
    expect(resource.Properties?.CorsConfiguration).toEqual({
      CorsRules: [
        expect.objectContaining({
          AllowedMethods: ['POST', 'PUT'],
          AllowedOrigins: [{ 'Fn::GetAtt': [api, 'ApiEndpoint'] }],
        }),
      ],
    });
  });
});

describe.each(QUEUES.map((definition) => [definition.name, definition] as const))(
  'the %s queue',
  (name, definition) => {
    const queueIds = () => {
      const workQueue = s.stack.data.queues.get(name);
      if (!workQueue) throw new Error(`No queue ${name}`);
      return {
        queue: resourceOf(s, workQueue.queue),
        dlq: resourceOf(s, workQueue.deadLetterQueue),
      };
    };

    it('takes its settings from the queue table and dead-letters after maxReceiveCount', () => {
      const { queue, dlq } = queueIds();
      expect(queue.resource.Properties).toMatchObject({
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        MessageRetentionPeriod: definition.retentionDays * 86_400,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlq.id, 'Arn'] },
          maxReceiveCount: definition.maxReceiveCount,
        },
      });
      expect(queue.resource.DeletionPolicy).toBe('Retain');
    });

    it(`has a dead-letter queue (${deadLetterName(definition)}) that keeps messages 14 days`, () => {
      const { dlq } = queueIds();
      expect(dlq.resource.Properties).toMatchObject({
        MessageRetentionPeriod: 14 * 86_400,
        SqsManagedSseEnabled: true,
      });
      expect(dlq.resource.Properties?.RedrivePolicy).toBeUndefined();
    });

    it('refuses requests without TLS, on the queue and its dead letters', () => {
      const { queue, dlq } = queueIds();
      for (const id of [queue.id, dlq.id]) {
        s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('alarms, to the alarm topic, as soon as one message is dead', () => {
      const { dlq } = queueIds();
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq.id, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      });
    });
  },
);

describe('the HTTP API', () => {
  const routeTargets = () => {
    const targets = new Map<string, string>();
    for (const resource of Object.values(resources())) {
      if (resource.Type !== 'AWS::ApiGatewayV2::Route') continue;
      expect(dig(resource, 'Properties', 'Target', 'Fn::Join', 1, 0)).toBe('integrations/');
      targets.set(
        dig(resource, 'Properties', 'RouteKey') as string,
        dig(resource, 'Properties', 'Target', 'Fn::Join', 1, 1, 'Ref') as string,
      );
    }
    return targets;
  };

  it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
    'routes %s, and the same path with a trailing slash, to its function',
    (_key, route) => {
      const targets = routeTargets();
      const integration = targets.get(`${route.method} ${route.path}`);
      expect(integration).toBeDefined();
      expect(targets.get(`${route.method} ${route.path}/{proxy+}`)).toBe(integration);
      const properties = resources()[integration as string]?.Properties;
      expect(properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      expect(properties?.IntegrationUri).toEqual({ 'Fn::GetAtt': [functionOf(route.name).id, 'Arn'] });
    },
  );

  it('may invoke each function, from this API only', () => {
    const api = resourceOf(s, s.stack.api.httpApi).id;
    for (const route of ROUTES) {
      const permissions = Object.values(resources()).filter(
        (r) =>
          r.Type === 'AWS::Lambda::Permission' &&
          JSON.stringify(dig(r, 'Properties', 'FunctionName')).includes(`"${functionOf(route.name).id}"`),
      );
      expect(permissions, route.name).toHaveLength(1);
      expect(permissions[0]?.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
      });
      const sourceArn = JSON.stringify(dig(permissions[0], 'Properties', 'SourceArn'));
      expect(sourceArn).toContain(`{"Ref":"${api}"},"/*/*/*"`);
    }
  });

  it('has no other route', () => {
    s.template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length * 2);
  });

  it('deploys the $default stage automatically, throttled, with PII-free access logs', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: THROTTLE.rateLimit,
        ThrottlingBurstLimit: THROTTLE.burstLimit,
      },
      AccessLogSettings: { Format: JSON.stringify(ACCESS_LOG_FIELDS) },
    });
    const format = JSON.stringify(ACCESS_LOG_FIELDS);
    for (const pii of ['sourceIp', 'userAgent', '$context.path', 'querystring', 'header']) {
      expect(format).not.toContain(pii);
    }
  });

  it('gives the functions its own endpoint as PUBLIC_BASE_URL without a dependency cycle', () => {
    const api = resourceOf(s, s.stack.api.httpApi).id;
    expect(environmentOf(functionOf('initiate').resource).PUBLIC_BASE_URL).toEqual({
      'Fn::GetAtt': [api, 'ApiEndpoint'],
    });
    expect(findDependencyCycle(s.template)).toBeUndefined();
  });
});

describe('every function', () => {
  const functions = () => Object.entries(resources()).filter(([, r]) => r.Type === 'AWS::Lambda::Function');

  it('is one of the route table (no helper functions slipped in)', () => {
    expect(functions()).toHaveLength(ROUTES.length);
  });

  it('runs Node.js 24 on arm64, traced, with source maps, logging to a group kept one month', () => {
    for (const [id, fn] of functions()) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: { POWERTOOLS_SERVICE_NAME: 'openverify', NODE_OPTIONS: '--enable-source-maps' },
        },
      });
      const logGroup = resources()[dig(fn, 'Properties', 'LoggingConfig', 'LogGroup', 'Ref') as string];
      expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
      expect(dig(logGroup, 'Properties', 'RetentionInDays')).toBe(30);
    }
  });
});

describe.each(ROUTES.map((route): [string, Route] => [route.name, route]))(
  'the %s function',
  (name, route) => {
    it('answers within the API timeout', () => {
      expect(functionOf(name).resource.Properties?.Timeout).toBe(10);
    });

    it(`has table access "${route.table}", and TABLE_NAME exactly when it has access`, () => {
      const { id, resource } = functionOf(name);
      const tableRef = { Ref: resourceOf(s, s.stack.data.table).id };
      const actions = actionsOfFunction(s.template, id);
      if (route.table === 'none') {
        expect(environmentOf(resource).TABLE_NAME).toBeUndefined();
        expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
        return;
      }
      expect(environmentOf(resource).TABLE_NAME).toEqual(tableRef);
      expect(actions).toEqual(expect.arrayContaining(READ_ACTIONS));
      if (route.table === 'readwrite') expect(actions).toEqual(expect.arrayContaining(WRITE_ACTIONS));
      else for (const write of WRITE_ACTIONS) expect(actions).not.toContain(write);
    });

    it('knows the journey hosts exactly when the route table says it needs them', () => {
      const environment = environmentOf(functionOf(name).resource);
      expect('PUBLIC_BASE_URL' in environment).toBe(route.journeyHosts === true);
      expect('PREFIXED_BASE_URL' in environment).toBe(false);
    });
  },
);

describe('the bundles', () => {
  const assetDirectory = (name: string) => {
    const key = dig(functionOf(name).resource, 'Properties', 'Code', 'S3Key') as string;
    return path.join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`);
  };

  it('are ESM with a require shim and a source map', () => {
    for (const route of ROUTES) {
      const directory = assetDirectory(route.name);
      expect(existsSync(path.join(directory, 'index.mjs.map')), route.name).toBe(true);
      const code = readFileSync(path.join(directory, 'index.mjs'), 'utf8');
      expect(
        code.startsWith("import { createRequire as __openverifyCreateRequire } from 'node:module';"),
      ).toBe(true);
    }
  });

  it("leave out what no function uses: zod's message translations and every language's country names", () => {
    for (const route of ROUTES) {
      const map = readFileSync(path.join(assetDirectory(route.name), 'index.mjs.map'), 'utf8');
      const { sources } = JSON.parse(map) as { sources: string[] };
      expect(sources.length, route.name).toBeGreaterThan(0);
      expect(
        sources.filter((source) => /\/zod\/v4\/locales\/(?!en\.js$)/.test(source)),
        route.name,
      ).toEqual([]);
      expect(
        sources.filter((source) => /\/i18n-iso-countries\/(?!codes\.json$)/.test(source)),
        route.name,
      ).toEqual([]);
    }
  });

  it('load in Node.js 24 and export a handler (no dynamic require left behind)', () => {
    const script = `
      for (const file of process.argv.slice(1)) {
        const module = await import(file);
        if (typeof module.handler !== 'function') throw new Error(file + ' exports no handler');
      }`;
    const files = ROUTES.map((route) => path.join(assetDirectory(route.name), 'index.mjs'));
    execFileSync(process.execPath, ['--input-type=module', '-e', script, ...files], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        TABLE_NAME: 'table',
        PUBLIC_BASE_URL: 'https://verify.example.com',
      },
      stdio: 'pipe',
    });
  });
});

describe('the stack', () => {
  it('outputs the API URL, the table name and the bucket name', () => {
    const outputs = s.template.toJSON().Outputs;
    expect(outputs.ApiUrl.Value).toEqual({
      'Fn::GetAtt': [resourceOf(s, s.stack.api.httpApi).id, 'ApiEndpoint'],
    });
    expect(outputs.TableName.Value).toEqual({ Ref: resourceOf(s, s.stack.data.table).id });
    expect(outputs.ImageBucketName.Value).toEqual({ Ref: resourceOf(s, s.stack.data.images).id });
  });

  it('tags everything with the project and the region', () => {
    expect(s.stack.tags.tagValues()).toEqual({ project: 'openverify', region: 'eu' });
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      Tags: Match.arrayWith([
        { Key: 'project', Value: 'openverify' },
        { Key: 'region', Value: 'eu' },
      ]),
    });
  });
});
