// The default region (EU, the shipped route and queue tables): both its stacks, synthesized once, bundled.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, TTL_ATTRIBUTE } from '#adapters/dynamodb';
import { deadLetterName, QUEUES } from '#shared/queues';
import { ROUTES, type Route } from '#shared/routes';
import {
  ALARM_PERIOD,
  API_5XX_THRESHOLD,
  API_LATENCY_PERIODS,
  API_P99_LATENCY,
} from '../../infra/constructs/alarms.ts';
import { ACCESS_LOG_FIELDS, THROTTLE } from '../../infra/constructs/public-api.ts';
import { maxMessageAge } from '../../infra/constructs/work-queue.ts';
import {
  actionsOfFunction,
  dig,
  environmentOf,
  findDependencyCycle,
  inService,
  type Resource,
  resourceOf,
  type Synthesized,
  synthesize,
  tableGrantsOfFunction,
} from './synthesize.ts';

/**
 * What each function may do in the table, written out: the DynamoDB calls its handler makes
 * (shared/use-cases, shared/adapters), each on the partition keys it touches, and nothing else.
 */
const TABLE_ACCESS: Record<string, string[]> = {
  // Basic auth reads the credential by its digest, then its customer; then one conditional put.
  initiate: ['dynamodb:GetItem on CREDENTIAL#*,CUSTOMER#*', 'dynamodb:PutItem on TX#*'],
  // The token check reads its transaction and marks it started.
  session: ['dynamodb:GetItem on TX#*', 'dynamodb:UpdateItem on TX#*'],
  openapi: [],
  journeyPage: [],
};

let s: Synthesized;
beforeAll(() => {
  s = synthesize({ region: 'eu' }, { bundle: true });
}, 120_000);
afterAll(() => s?.cleanUp());

const resources = () => s.template.toJSON().Resources as Record<string, Resource>;
const topicRef = () => ({ Ref: resourceOf(s, s.stack.dataStack.alarms).id });
const functionOf = (name: string) => {
  const fn = s.stack.functions.get(name);
  if (!fn) throw new Error(`No function ${name}`);
  return resourceOf(s, fn);
};

describe('the table', () => {
  it('is the only one: on demand, pk/sk, TTL on expiresAt, point-in-time recovery, encrypted', () => {
    s.dataTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.template.resourceCountIs('AWS::DynamoDB::Table', 0);
    s.dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
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

describe('the API (its id is the journey host without a domain) and the alarm topic', () => {
  it.each(['AWS::ApiGatewayV2::Api', 'AWS::SNS::Topic'])('%s is retained with the data', (type) => {
    const found = Object.values(s.dataTemplate.findResources(type));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('the image bucket', () => {
  it('is private, retained, and cleans up abandoned multipart uploads', () => {
    const { resource } = resourceOf(s, s.stack.data.images);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(resource.Properties?.LifecycleConfiguration).toMatchObject({
      Rules: [{ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }],
    });
  });

  it('is encrypted with a key of its own (SSE-KMS, bucket key), rotated and retained', () => {
    const key = resourceOf(s, s.stack.data.imagesKey);
    expect(resourceOf(s, s.stack.data.images).resource.Properties?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [key.id, 'Arn'] },
          },
        },
      ],
    });
    expect(key.resource.Type).toBe('AWS::KMS::Key');
    expect(key.resource.Properties?.EnableKeyRotation).toBe(true);
    expect(key.resource.DeletionPolicy).toBe('Retain');
    expect(key.resource.UpdateReplacePolicy).toBe('Retain');
  });

  it('is open to no function yet, nor is its key (none reads or uploads images)', () => {
    const key = resourceOf(s, s.stack.data.imagesKey);
    const statements = dig(key.resource, 'Properties', 'KeyPolicy', 'Statement') as unknown[];
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Action: 'kms:*', Principal: { AWS: expect.anything() } });
    for (const [name, fn] of s.stack.functions) {
      const actions = actionsOfFunction(s.template, resourceOf(s, fn).id);
      expect(
        actions.filter((action) => /^(kms|s3):/.test(action)),
        name,
      ).toEqual([]);
    }
  });

  it('refuses requests without TLS', () => {
    const { id } = resourceOf(s, s.stack.data.images);
    s.dataTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
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
        s.dataTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
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
      s.dataTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq.id, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef()],
      });
    });

    it('alarms, to the alarm topic, when its oldest message outlived all its receives: nothing drains it', () => {
      const { queue } = queueIds();
      const threshold = maxMessageAge(definition).toSeconds();
      expect(threshold).toBeGreaterThanOrEqual(
        definition.visibilityTimeoutSeconds * definition.maxReceiveCount,
      );
      s.dataTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue.id, 'QueueName'] } }],
        Statistic: 'Maximum',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: threshold,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef()],
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
    const apiId = JSON.stringify(inService(s, s.stack.api.httpApi.apiId));
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
      expect(sourceArn).toContain(`${apiId},"/*/*/*"`);
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
    const api = resourceOf(s, s.stack.api.httpApi);
    expect(api.resource.Type).toBe('AWS::ApiGatewayV2::Api');
    expect(s.dataTemplate.toJSON().Outputs).toEqual(
      expect.objectContaining({
        [dig(inService(s, s.stack.api.httpApi.apiEndpoint), 'Fn::GetStackOutput', 'OutputName') as string]: {
          Value: { 'Fn::GetAtt': [api.id, 'ApiEndpoint'] },
        },
      }),
    );
    expect(environmentOf(functionOf('initiate').resource).PUBLIC_BASE_URL).toEqual(
      inService(s, s.stack.api.httpApi.apiEndpoint),
    );
    expect(findDependencyCycle(s.template)).toBeUndefined();
    expect(findDependencyCycle(s.dataTemplate)).toBeUndefined();
  });

  it('keeps its own endpoint open without a custom domain (it is the public base URL)', () => {
    expect(resourceOf(s, s.stack.api.httpApi).resource.Properties?.DisableExecuteApiEndpoint).toBe(false);
  });

  it('alarms, to the alarm topic, on 5xx and on a slow p99', () => {
    const apiId = inService(s, s.stack.api.httpApi.apiId);
    const common = {
      Namespace: 'AWS/ApiGateway',
      Dimensions: [{ Name: 'ApiId', Value: apiId }],
      Period: ALARM_PERIOD.toSeconds(),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [inService(s, s.stack.dataStack.alarms.topicArn)],
    };
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      MetricName: '5xx',
      Statistic: 'Sum',
      Threshold: API_5XX_THRESHOLD,
      EvaluationPeriods: 1,
    });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: API_P99_LATENCY.toMilliseconds(),
      EvaluationPeriods: API_LATENCY_PERIODS,
    });
  });
});

describe('every function', () => {
  const functions = () => Object.entries(resources()).filter(([, r]) => r.Type === 'AWS::Lambda::Function');

  it('is one of the route table (no helper functions slipped in)', () => {
    expect(functions()).toHaveLength(ROUTES.length);
  });

  it('runs Node.js 24 on arm64, traced, logging to a group kept one month, without --enable-source-maps', () => {
    for (const [id, fn] of functions()) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'openverify' } },
      });
      // The bundles map their own traces lazily (infra/runtime/stack-traces.ts).
      expect(environmentOf(fn as Resource)).not.toHaveProperty('NODE_OPTIONS');
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

    it('may make exactly its DynamoDB calls, each on its own partition keys only', () => {
      const grants = tableGrantsOfFunction(s.template, functionOf(name).id);
      const granted = grants
        .flatMap(({ actions, leadingKeys }) =>
          actions.map((action) => `${action} on ${leadingKeys.join(',')}`),
        )
        .sort();
      expect(granted).toEqual([...(TABLE_ACCESS[name] ?? ['(not in TABLE_ACCESS)'])].sort());
      for (const { statement } of grants) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.Resource).toEqual(inService(s, s.stack.data.table.tableArn));
        // ForAllValues passes a request that names no key: the grant insists on one.
        expect(statement.Condition?.Null).toEqual({ 'dynamodb:LeadingKeys': 'false' });
        expect(Object.keys(statement.Condition ?? {}).sort()).toEqual(['ForAllValues:StringLike', 'Null']);
      }
    });

    it('knows TABLE_NAME exactly when it has table access', () => {
      const environment = environmentOf(functionOf(name).resource);
      if ((route.table ?? []).length === 0) expect(environment.TABLE_NAME).toBeUndefined();
      else expect(environment.TABLE_NAME).toEqual(inService(s, s.stack.data.table.tableName));
    });

    it('alarms, to the alarm topic, on any error and any throttle', () => {
      for (const metric of ['Errors', 'Throttles']) {
        s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionOf(name).id } }],
          Statistic: 'Sum',
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
          AlarmActions: [inService(s, s.stack.dataStack.alarms.topicArn)],
        });
      }
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

  /** Runs the initiate bundle's handler on an event whose body is no string; the logged error's stack. */
  const crashStack = (directory: string): string => {
    const script = `
      const { handler } = await import(process.argv[1]);
      const context = { functionName: 'initiate', functionVersion: '1', awsRequestId: 'r',
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:initiate', memoryLimitInMB: '512',
        getRemainingTimeInMillis: () => 10000 };
      const response = await handler({ body: 5 }, context);
      if (response.statusCode !== 500) throw new Error('expected a 500, got ' + response.statusCode);`;
    const { stdout, stderr } = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', script, path.join(directory, 'index.mjs')],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          TABLE_NAME: 'table',
          PUBLIC_BASE_URL: 'https://verify.example.com',
        },
        encoding: 'utf8',
      },
    );
    const output = `${stdout}${stderr}`;
    const line = output.split('\n').find((l) => l.includes('"unhandled error"'));
    expect(line, output).toBeDefined();
    return String(JSON.parse(line ?? '{}').error?.stack);
  };

  it("report a crash at the original source line, without Node's --enable-source-maps", () => {
    const stack = crashStack(assetDirectory('initiate'));
    expect(stack).toMatch(/^TypeError\b/);
    expect(stack).toMatch(/\n {4}at bodyBytes \(shared\/http\/request\.ts:\d+:\d+\)\n/);
    expect(stack).toMatch(/\(shared\/http\/api\.ts:\d+:\d+\)/);
    expect(stack).not.toContain('index.mjs');
  });

  it('still report a crash, in bundle positions, when the map is missing', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'openverify-bundle-'));
    try {
      copyFileSync(path.join(assetDirectory('initiate'), 'index.mjs'), path.join(copy, 'index.mjs'));
      const stack = crashStack(copy);
      expect(stack).toMatch(/^TypeError\b/);
      expect(stack).toContain('index.mjs:');
    } finally {
      rmSync(copy, { recursive: true, force: true });
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

describe('the stacks', () => {
  it('are two: data, and the service that reads it (never the other way round)', () => {
    expect(s.dataStack.stackName).toBe('openverify-eu-data');
    expect(s.stack.stackName).toBe('openverify-eu');
    expect(s.stack.dependencies).toEqual([s.dataStack]);
    expect(s.dataStack.dependencies).toEqual([]);
    const data = JSON.stringify(s.dataTemplate.toJSON());
    expect(data).not.toContain('Fn::GetStackOutput');
    expect(data).not.toContain('Fn::ImportValue');
  });

  it('keep everything that holds data in the data stack', () => {
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::S3::Bucket',
      'AWS::SQS::Queue',
      'AWS::KMS::Key',
      'AWS::SNS::Topic',
    ]) {
      expect(Object.keys(s.template.findResources(type)), type).toEqual([]);
      expect(Object.keys(s.dataTemplate.findResources(type)).length, type).toBeGreaterThan(0);
    }
    expect(Object.keys(s.dataTemplate.findResources('AWS::Lambda::Function'))).toEqual([]);
  });

  it('are both protected from termination', () => {
    expect(s.dataStack.terminationProtection).toBe(true);
    expect(s.stack.terminationProtection).toBe(true);
  });

  it('output the API URL, and the table, bucket and alarm topic names', () => {
    expect(s.template.toJSON().Outputs.ApiUrl.Value).toEqual(inService(s, s.stack.api.httpApi.apiEndpoint));
    const outputs = s.dataTemplate.toJSON().Outputs;
    expect(outputs.TableName.Value).toEqual({ Ref: resourceOf(s, s.stack.data.table).id });
    expect(outputs.ImageBucketName.Value).toEqual({ Ref: resourceOf(s, s.stack.data.images).id });
    expect(outputs.AlarmTopicArn.Value).toEqual(topicRef());
  });

  it('tag themselves and everything in them with the project and the region', () => {
    for (const [stack, template] of [
      [s.stack, s.template],
      [s.dataStack, s.dataTemplate],
    ] as const) {
      expect(stack.tags.tagValues()).toEqual({ project: 'openverify', region: 'eu' });
      for (const type of ['AWS::DynamoDB::Table', 'AWS::Lambda::Function']) {
        if (Object.keys(template.findResources(type)).length === 0) continue;
        template.hasResourceProperties(type, {
          Tags: Match.arrayWith([
            { Key: 'project', Value: 'openverify' },
            { Key: 'region', Value: 'eu' },
          ]),
        });
      }
    }
  });
});

describe('the alarm topic', () => {
  it('is encrypted with a key CloudWatch may use, rotated', () => {
    const topic = resourceOf(s, s.stack.dataStack.alarms);
    const key = resourceOf(s, s.stack.dataStack.alarmsKey);
    expect(topic.resource.Properties?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
    expect(key.resource.Properties?.EnableKeyRotation).toBe(true);
    expect(dig(key.resource, 'Properties', 'KeyPolicy', 'Statement')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    );
  });

  it("takes this account's alarms, and nothing without TLS", () => {
    const topic = resourceOf(s, s.stack.dataStack.alarms);
    s.dataTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic.id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('is where every alarm goes', () => {
    const alarms = [
      ...Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map(
        (alarm) => [alarm, inService(s, s.stack.dataStack.alarms.topicArn)] as const,
      ),
      ...Object.values(s.dataTemplate.findResources('AWS::CloudWatch::Alarm')).map(
        (alarm) => [alarm, topicRef()] as const,
      ),
    ];
    // Per function errors and throttles, the API's 5xx and latency, per queue dead letters and age.
    expect(alarms).toHaveLength(ROUTES.length * 2 + 2 + QUEUES.length * 2);
    for (const [alarm, topic] of alarms) expect(alarm.Properties.AlarmActions).toEqual([topic]);
  });
});
