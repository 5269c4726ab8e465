// The default region (EU, the shipped route, queue and schedule tables): both its stacks, synthesized
// once, bundled. Every expectation about a function derives from its row in those tables, so a new
// row needs no edit here.

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUE_INDEX, KEY, TTL_ATTRIBUTE } from '#adapters/dynamodb';
import { deadLetterName, QUEUES, type QueueDefinition, queueUrlVariable } from '#shared/queues';
import { type ImageAccess, ROUTES, type Route, type TableGrant } from '#shared/routes';
import { SCHEDULES, type ScheduleDefinition } from '#shared/schedules';
import { STREAM_FORWARDS } from '#shared/streams';
import {
  ALARM_PERIOD,
  API_5XX_THRESHOLD,
  API_LATENCY_PERIODS,
  API_P99_LATENCY,
} from '../../infra/constructs/alarms.ts';
import { ACCESS_LOG_FIELDS, THROTTLE } from '../../infra/constructs/public-api.ts';
import { consumerTimeout, maxMessageAge } from '../../infra/constructs/work-queue.ts';
import { API_FUNCTION_TIMEOUT, CONSUMER_TABLE_ACCESS } from '../../infra/openverify-stack.ts';
import {
  dig,
  environmentOf,
  findDependencyCycle,
  inService,
  type Resource,
  resourceOf,
  type Statement,
  type Synthesized,
  statementsOfFunction,
  synthesize,
} from './synthesize.ts';

/** Lambda's memory when a definition does not ask for more (infra/constructs/function.ts). */
const DEFAULT_MEMORY_SIZE = 512;

/** A function, as the tables define it: a route, a queue's consumer or a scheduled job. */
interface FunctionDefinition {
  /** Its key in `stack.functions`. */
  name: string;
  kind: 'route' | 'consumer' | 'job';
  timeoutSeconds: number;
  table: readonly TableGrant[];
  images: ImageAccess | undefined;
  sends: readonly string[];
  /** The queue it consumes. */
  consumes: string | undefined;
  memorySize: number;
  nodeModules: readonly string[];
  journeyHosts: boolean;
  journeyClient: boolean;
}

const FUNCTIONS: readonly FunctionDefinition[] = [
  ...(ROUTES as readonly Route[]).map(
    (route): FunctionDefinition => ({
      name: route.name,
      kind: 'route',
      timeoutSeconds: API_FUNCTION_TIMEOUT.toSeconds(),
      table: route.table ?? [],
      images: route.images,
      sends: route.sends ?? [],
      consumes: undefined,
      memorySize: route.memorySize ?? DEFAULT_MEMORY_SIZE,
      nodeModules: route.nodeModules ?? [],
      journeyHosts: route.journeyHosts === true,
      journeyClient: route.journeyClient === true,
    }),
  ),
  ...(QUEUES as readonly QueueDefinition[]).flatMap((queue): FunctionDefinition[] =>
    queue.consumer === undefined
      ? []
      : [
          {
            name: `${queue.name}-consumer`,
            kind: 'consumer',
            timeoutSeconds: consumerTimeout(queue).toSeconds(),
            table: queue.table ?? CONSUMER_TABLE_ACCESS,
            images: queue.images,
            sends: queue.sends ?? [],
            consumes: queue.name,
            memorySize: queue.memorySize ?? DEFAULT_MEMORY_SIZE,
            nodeModules: queue.nodeModules ?? [],
            journeyHosts: false,
            journeyClient: false,
          },
        ],
  ),
  ...(SCHEDULES as readonly ScheduleDefinition[]).map(
    (job): FunctionDefinition => ({
      name: `${job.name}-job`,
      kind: 'job',
      timeoutSeconds: job.timeoutSeconds,
      table: job.table,
      images: job.images,
      sends: job.sends ?? [],
      consumes: undefined,
      memorySize: DEFAULT_MEMORY_SIZE,
      nodeModules: [],
      journeyHosts: false,
      journeyClient: false,
    }),
  ),
];

/** `dynamodb:<action> on <table | index name> for <key prefixes>`, one per action a grant names. */
const expectedTableAccess = (grants: readonly TableGrant[]): string[] =>
  [
    ...new Set(
      grants.flatMap((grant) =>
        grant.actions.map(
          (action) =>
            `dynamodb:${action} on ${grant.index ? `index ${grant.index}` : 'table'} for ${grant.keys
              .map((prefix) => `${prefix}*`)
              .sort()
              .join(',')}`,
        ),
      ),
    ),
  ].sort();

/**
 * What each kind of image access means in IAM (`bucket.grantRead`, `grantPut`, `grantDelete` on a
 * bucket encrypted with its own key): on the bucket, its objects, and the key. Signing an upload is
 * `write`: a presigned request acts as its signer.
 */
const IMAGE_ACCESS: Record<keyof ImageAccess, string[]> = {
  read: [
    's3:GetBucket* on bucket',
    's3:GetBucket* on objects',
    's3:GetObject* on bucket',
    's3:GetObject* on objects',
    's3:List* on bucket',
    's3:List* on objects',
    'kms:Decrypt on key',
    'kms:DescribeKey on key',
  ],
  write: [
    's3:PutObject on objects',
    's3:PutObjectLegalHold on objects',
    's3:PutObjectRetention on objects',
    's3:PutObjectTagging on objects',
    's3:PutObjectVersionTagging on objects',
    's3:Abort* on objects',
    'kms:Encrypt on key',
    'kms:ReEncrypt* on key',
    'kms:GenerateDataKey* on key',
    'kms:Decrypt on key',
  ],
  delete: ['s3:DeleteObject* on objects'],
};
const expectedImageAccess = (access: ImageAccess | undefined): string[] =>
  [
    ...new Set(
      (Object.keys(IMAGE_ACCESS) as (keyof ImageAccess)[]).flatMap((kind) =>
        access?.[kind] ? IMAGE_ACCESS[kind] : [],
      ),
    ),
  ].sort();

/** Sending (`queue.grantSendMessages`) and consuming (an SQS event source), on one queue. */
const SEND_ACTIONS = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const CONSUME_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
const expectedQueueAccess = (definition: FunctionDefinition): string[] =>
  [
    ...new Set([
      ...definition.sends.flatMap((queue) => SEND_ACTIONS.map((action) => `${action} on ${queue}`)),
      ...(definition.consumes === undefined
        ? []
        : CONSUME_ACTIONS.map((action) => `${action} on ${definition.consumes}`)),
    ]),
  ].sort();

/** Minutes of an EventBridge `rate(…)` expression. */
const rateMinutes = (expression: unknown): number => {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(String(expression));
  if (!match) throw new Error(`Not a rate expression: ${String(expression)}`);
  const unit = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 }[match[2] as string];
  return Number(match[1]) * (unit ?? Number.NaN);
};

let s: Synthesized;
beforeAll(() => {
  s = synthesize({ region: 'eu' }, { bundle: true });
}, 300_000);
afterAll(() => s?.cleanUp());

const resources = () => s.template.toJSON().Resources as Record<string, Resource>;
const topicRef = () => ({ Ref: resourceOf(s, s.stack.dataStack.alarms).id });
const functionOf = (name: string) => {
  const fn = s.stack.functions.get(name);
  if (!fn) throw new Error(`No function ${name}`);
  return resourceOf(s, fn);
};
const queueOf = (name: string) => {
  const workQueue = s.stack.data.queues.get(name);
  if (!workQueue) throw new Error(`No queue ${name}`);
  return workQueue.queue;
};
/** `<action> on <what>` for every action × resource of the statements whose actions match `prefix`. */
const accessOf = (statements: Statement[], prefix: RegExp, where: (resource: unknown) => string) =>
  [
    ...new Set(
      statements.flatMap((statement) =>
        [statement.Action]
          .flat()
          .filter((action): action is string => typeof action === 'string' && prefix.test(action))
          .flatMap((action) =>
            [statement.Resource].flat().map((resource) => `${action} on ${where(resource)}`),
          ),
      ),
    ),
  ].sort();
const unexpected = (resource: unknown) => `unexpected ${JSON.stringify(resource)}`;
/** `table`, `index <name>` (exactly `${tableArn}/index/<name>`), or unexpected. */
const tableResource = (resource: unknown): string => {
  const table = inService(s, s.stack.data.table.tableArn);
  if (isDeepStrictEqual(resource, table)) return 'table';
  const parts = dig(resource, 'Fn::Join', 1);
  if (dig(resource, 'Fn::Join', 0) === '' && Array.isArray(parts) && parts.length === 2) {
    const index = /^\/index\/([\w.-]+)$/.exec(String(parts[1]));
    if (isDeepStrictEqual(parts[0], table) && index) return `index ${index[1]}`;
  }
  return unexpected(resource);
};
/** `bucket`, `objects` (every key in it), `key` (its KMS key), or unexpected. */
const imageResource = (resource: unknown): string => {
  const bucket = inService(s, s.stack.data.images.bucketArn);
  if (isDeepStrictEqual(resource, bucket)) return 'bucket';
  if (isDeepStrictEqual(resource, { 'Fn::Join': ['', [bucket, '/*']] })) return 'objects';
  if (isDeepStrictEqual(resource, inService(s, s.stack.data.imagesKey.keyArn))) return 'key';
  return unexpected(resource);
};
/** The name of the queue (in the queue table) whose ARN this is, or unexpected. */
const queueResource = (resource: unknown): string =>
  QUEUES.find((queue) => isDeepStrictEqual(resource, inService(s, queueOf(queue.name).queueArn)))?.name ??
  unexpected(resource);

describe('the table', () => {
  it('is the only one: on demand, pk/sk, TTL on expiresAt, point-in-time recovery, encrypted', () => {
    s.dataTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.template.resourceCountIs('AWS::DynamoDB::Table', 0);
    s.dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: KEY.partition, KeyType: 'HASH' },
        { AttributeName: KEY.sort, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
  });

  it('has the sparse `due` index: transactions by due minute (dueBucket), then pk, keys only', () => {
    const { resource } = resourceOf(s, s.stack.data.table);
    const indexes = (dig(resource, 'Properties', 'GlobalSecondaryIndexes') ?? []) as unknown[];
    expect(indexes.filter((index) => dig(index, 'IndexName') === DUE_INDEX.name)).toEqual([
      {
        IndexName: 'due',
        KeySchema: [
          { AttributeName: 'dueBucket', KeyType: 'HASH' },
          { AttributeName: 'pk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
    expect(DUE_INDEX).toMatchObject({ name: 'due', partition: 'dueBucket', sort: 'pk' });
    // Sparse: only items that carry a dueBucket are in it, and it is a string like the keys.
    expect(dig(resource, 'Properties', 'AttributeDefinitions')).toContainEqual({
      AttributeName: 'dueBucket',
      AttributeType: 'S',
    });
  });

  it('has every index a grant names (a grant on a missing index is a query that fails)', () => {
    const { resource } = resourceOf(s, s.stack.data.table);
    const indexes = ((dig(resource, 'Properties', 'GlobalSecondaryIndexes') ?? []) as unknown[]).map(
      (index) => dig(index, 'IndexName'),
    );
    const named = FUNCTIONS.flatMap((definition) => definition.table.flatMap((grant) => grant.index ?? []));
    expect(named).toContain(DUE_INDEX.name);
    for (const index of named) expect(indexes).toContain(index);
  });

  it('is retained when the stack is deleted or the resource replaced', () => {
    const { resource } = resourceOf(s, s.stack.data.table);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });
});

describe("the table's stream (shared/streams.ts)", () => {
  it('carries new images, all the outbox filters read', () => {
    s.dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
  });

  it("feeds each forward's queue through one pipe: its pattern as the filter, its message as the template", () => {
    const pipes = Object.values(s.dataTemplate.findResources('AWS::Pipes::Pipe')) as Resource[];
    expect(pipes).toHaveLength(STREAM_FORWARDS.length);
    const table = resourceOf(s, s.stack.data.table).id;
    for (const forward of STREAM_FORWARDS) {
      const queue = resourceOf(s, queueOf(forward.queue)).id;
      const pipe = pipes.find((candidate) =>
        isDeepStrictEqual(dig(candidate, 'Properties', 'Target'), { 'Fn::GetAtt': [queue, 'Arn'] }),
      );
      expect(dig(pipe, 'Properties', 'Source')).toEqual({ 'Fn::GetAtt': [table, 'StreamArn'] });
      expect(dig(pipe, 'Properties', 'SourceParameters', 'FilterCriteria')).toEqual({
        Filters: [{ Pattern: JSON.stringify(forward.pattern) }],
      });
      expect(dig(pipe, 'Properties', 'SourceParameters', 'DynamoDBStreamParameters')).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
      });
      expect(dig(pipe, 'Properties', 'TargetParameters', 'InputTemplate')).toBe(
        '{"reference": "<$.dynamodb.NewImage.reference.S>"}',
      );
    }
  });

  it('alarms, to the alarm topic, when a pipe fails to send', () => {
    for (const pipeId of Object.keys(s.dataTemplate.findResources('AWS::Pipes::Pipe'))) {
      s.dataTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/EventBridge/Pipes',
        MetricName: 'ExecutionFailed',
        Dimensions: [{ Name: 'PipeName', Value: { Ref: pipeId } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: Match.anyValue(),
      });
    }
  });

  it('gives each pipe a role that may read the stream and send to its queue, and nothing else', () => {
    const roles = s.dataTemplate.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'pipes.amazonaws.com' } })],
        },
      },
    });
    expect(Object.keys(roles)).toHaveLength(STREAM_FORWARDS.length);
    const policies = Object.values(s.dataTemplate.findResources('AWS::IAM::Policy')).filter((policy) =>
      ((dig(policy, 'Properties', 'Roles') ?? []) as unknown[]).some((role) =>
        Object.keys(roles).some((id) => isDeepStrictEqual(role, { Ref: id })),
      ),
    );
    const actions = policies
      .flatMap((policy) => (dig(policy, 'Properties', 'PolicyDocument', 'Statement') ?? []) as Statement[])
      .flatMap((statement) => [statement.Action].flat())
      .sort();
    expect(new Set(actions)).toEqual(
      new Set([
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ]),
    );
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

  it("is open to functions only through their roles: its key's policy names only the account, its bucket policy allows no one", () => {
    const key = resourceOf(s, s.stack.data.imagesKey);
    const statements = dig(key.resource, 'Properties', 'KeyPolicy', 'Statement') as unknown[];
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Action: 'kms:*', Principal: { AWS: expect.anything() } });
    const { id } = resourceOf(s, s.stack.data.images);
    const policies = Object.values(s.dataTemplate.findResources('AWS::S3::BucketPolicy'));
    expect(policies.map((policy) => policy.Properties.Bucket)).toEqual([{ Ref: id }]);
    const bucketStatements = dig(policies[0], 'Properties', 'PolicyDocument', 'Statement') as Statement[];
    expect(bucketStatements.length).toBeGreaterThan(0);
    for (const statement of bucketStatements) expect(statement.Effect).toBe('Deny');
  });

  it('and its key are open exactly to the functions whose definitions ask, with exactly the access asked', () => {
    expect(FUNCTIONS.some((definition) => definition.images?.read)).toBe(true);
    expect(FUNCTIONS.some((definition) => definition.images?.write)).toBe(true);
    expect(FUNCTIONS.some((definition) => definition.images?.delete)).toBe(true);
    for (const definition of FUNCTIONS) {
      const statements = statementsOfFunction(s.template, functionOf(definition.name).id);
      expect(accessOf(statements, /^(s3|kms):/, imageResource), definition.name).toEqual(
        expectedImageAccess(definition.images),
      );
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

    it('feeds its consumer, if the table names one, through one mapping that reports partial batch failures', () => {
      const mappings = Object.values(s.template.findResources('AWS::Lambda::EventSourceMapping')).filter(
        (mapping) =>
          isDeepStrictEqual(mapping.Properties.EventSourceArn, inService(s, queueOf(name).queueArn)),
      );
      if (definition.consumer === undefined) {
        expect(mappings).toEqual([]);
        expect(s.stack.functions.has(`${name}-consumer`)).toBe(false);
        return;
      }
      expect(mappings.map((mapping) => mapping.Properties)).toEqual([
        expect.objectContaining({
          FunctionName: { Ref: functionOf(`${name}-consumer`).id },
          BatchSize: definition.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        }),
      ]);
      const timeout = functionOf(`${name}-consumer`).resource.Properties?.Timeout as number;
      expect(definition.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * timeout);
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

  it('is, with the schedules, the only one that may invoke a function (queue consumers are polled)', () => {
    const permissions = Object.values(s.template.findResources('AWS::Lambda::Permission'));
    expect(permissions).toHaveLength(ROUTES.length + SCHEDULES.length);
    expect(
      permissions.filter((permission) => permission.Properties.Principal === 'events.amazonaws.com'),
    ).toHaveLength(SCHEDULES.length);
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

  it('is one of the routes, queue consumers or scheduled jobs (no helper functions slipped in)', () => {
    expect(functions()).toHaveLength(FUNCTIONS.length);
    expect([...s.stack.functions.keys()].sort()).toEqual(FUNCTIONS.map(({ name }) => name).sort());
    expect(FUNCTIONS.map(({ kind }) => kind)).toEqual(expect.arrayContaining(['route', 'consumer', 'job']));
  });

  it('runs Node.js 24 on arm64, traced, logging to a group kept one month, without --enable-source-maps', () => {
    for (const [id, fn] of functions()) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
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

describe.each(FUNCTIONS.map((definition) => [definition.name, definition] as const))(
  'the %s function',
  (name, definition) => {
    it(`runs within its timeout (${definition.timeoutSeconds} s)`, () => {
      expect(functionOf(name).resource.Properties?.Timeout).toBe(definition.timeoutSeconds);
    });

    it(`has the memory its definition asks for, or ${DEFAULT_MEMORY_SIZE} MB (${definition.memorySize} MB)`, () => {
      expect(functionOf(name).resource.Properties?.MemorySize).toBe(definition.memorySize);
    });

    it('may make exactly its DynamoDB calls, each on its own partition keys (and index) only', () => {
      const statements = statementsOfFunction(s.template, functionOf(name).id).filter((statement) =>
        [statement.Action].flat().some((action) => action?.startsWith('dynamodb:')),
      );
      const granted = statements.flatMap((statement) =>
        [statement.Action].flat().flatMap((action) =>
          [statement.Resource].flat().map((resource) => {
            const keys = [dig(statement, 'Condition', 'ForAllValues:StringLike', 'dynamodb:LeadingKeys')]
              .flat()
              .map(String)
              .sort();
            return `${action} on ${tableResource(resource)} for ${keys.join(',')}`;
          }),
        ),
      );
      expect([...new Set(granted)].sort()).toEqual(expectedTableAccess(definition.table));
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        // ForAllValues passes a request that names no key: the grant insists on one.
        expect(statement.Condition?.Null).toEqual({ 'dynamodb:LeadingKeys': 'false' });
        expect(Object.keys(statement.Condition ?? {}).sort()).toEqual(['ForAllValues:StringLike', 'Null']);
        // Never the whole key space: a prefix each, and no wildcard on its own.
        for (const key of [
          dig(statement, 'Condition', 'ForAllValues:StringLike', 'dynamodb:LeadingKeys'),
        ].flat())
          expect(String(key)).toMatch(/^[A-Z]+#?\*$/);
      }
    });

    it('may send to exactly its queues, and receive only from the queue it consumes', () => {
      const statements = statementsOfFunction(s.template, functionOf(name).id);
      expect(accessOf(statements, /^sqs:/, queueResource)).toEqual(expectedQueueAccess(definition));
    });

    it('is told exactly what it was granted: TABLE_NAME, BUCKET_NAME, QUEUE_URL_<NAME>, the journey hosts', () => {
      const expected: Record<string, unknown> = { POWERTOOLS_SERVICE_NAME: 'openverify' };
      if (definition.table.length > 0) expected.TABLE_NAME = inService(s, s.stack.data.table.tableName);
      if (definition.images) expected.BUCKET_NAME = inService(s, s.stack.data.images.bucketName);
      for (const queue of definition.sends)
        expected[queueUrlVariable(queue)] = inService(s, queueOf(queue).queueUrl);
      if (definition.journeyHosts) expected.PUBLIC_BASE_URL = inService(s, s.stack.api.httpApi.apiEndpoint);
      // No prefixed domain in this region's props: no PREFIXED_BASE_URL.
      expect(environmentOf(functionOf(name).resource)).toEqual(expected);
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
  },
);

describe.each(SCHEDULES.map((job) => [job.name, job] as const))('the %s schedule', (name, job) => {
  it(`is an EventBridge rule that invokes its function every ${job.everyMinutes} minute(s), without retries`, () => {
    const fn = functionOf(`${name}-job`);
    const rules = Object.entries(s.template.findResources('AWS::Events::Rule')).filter(([, rule]) =>
      JSON.stringify(rule.Properties.Targets ?? []).includes(`"${fn.id}"`),
    );
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0] as [string, { Properties: Record<string, unknown> }];
    expect(rateMinutes(rule.Properties.ScheduleExpression)).toBe(job.everyMinutes);
    expect(rule.Properties.State).toBe('ENABLED');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fn.id, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0 },
      }),
    ]);
    // EventBridge may invoke it for this rule only.
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn.id, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });

  it('is the only rule of its job, and there is no rule without a job', () => {
    s.template.resourceCountIs('AWS::Events::Rule', SCHEDULES.length);
  });
});

/**
 * The modules an esbuild ESM bundle imports, with the names it takes from each: import and export
 * statements (only where a statement starts, so an SDK error message that quotes `import "…";` is
 * not one) and dynamic `import("…")`.
 */
function importsOf(code: string): Map<string, Set<string>> {
  const imports = new Map<string, Set<string>>();
  const add = (specifier: string, names: string[] = []) => {
    const known = imports.get(specifier) ?? new Set<string>();
    for (const name of names) known.add(name);
    imports.set(specifier, known);
  };
  const statement = String.raw`(?<=^|[;}\n]|\*\/)\s*`;
  const from = String.raw`\s*["']([^"']+)["']`;
  for (const [, defaultName, named, specifier] of code.matchAll(
    new RegExp(
      String.raw`${statement}import\s*(?:([\w$]+)\s*,?\s*)?(?:\{([^}]*)\}|\*\s*as\s*[\w$]+)?\s*from${from}`,
      'g',
    ),
  )) {
    const names = (named ?? '')
      .split(',')
      .map((binding) => binding.trim().split(/\s+as\s+/)[0] ?? '')
      .filter((binding) => binding !== '');
    add(specifier as string, [...(defaultName ? ['default'] : []), ...names]);
  }
  for (const [, specifier] of code.matchAll(
    new RegExp(String.raw`${statement}export\s*(?:\{[^}]*\}|\*(?:\s*as\s*[\w$]+)?)\s*from${from}`, 'g'),
  ))
    add(specifier as string);
  for (const [, specifier] of code.matchAll(new RegExp(`${statement}import${from}`, 'g')))
    add(specifier as string);
  for (const [, specifier] of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) add(specifier as string);
  return imports;
}

/** The environment a function's bundle gets, its deploy-time values (references) made up. */
function environmentToLoad(name: string): Record<string, string> {
  const made = (variable: string): string => {
    if (variable.startsWith('QUEUE_URL_'))
      return `https://sqs.eu-west-1.amazonaws.com/123456789012/${variable.slice('QUEUE_URL_'.length).toLowerCase()}`;
    if (variable.endsWith('_URL')) return 'https://verify.example.com';
    return `test-${variable.toLowerCase().replace(/_/g, '-')}`;
  };
  return Object.fromEntries(
    Object.entries(environmentOf(functionOf(name).resource)).map(([variable, value]) => [
      variable,
      typeof value === 'string' ? value : made(variable),
    ]),
  );
}

describe('the bundles', () => {
  const assetDirectory = (name: string) => {
    const key = dig(functionOf(name).resource, 'Properties', 'Code', 'S3Key') as string;
    return path.join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`);
  };

  it('are ESM with a require shim and a source map', () => {
    for (const { name } of FUNCTIONS) {
      const directory = assetDirectory(name);
      expect(existsSync(path.join(directory, 'index.mjs.map')), name).toBe(true);
      const code = readFileSync(path.join(directory, 'index.mjs'), 'utf8');
      expect(
        code.startsWith("import { createRequire as __openverifyCreateRequire } from 'node:module';"),
      ).toBe(true);
    }
  });

  it("leave out what no function uses: zod's message translations and every language's country names", () => {
    for (const { name } of FUNCTIONS) {
      const map = readFileSync(path.join(assetDirectory(name), 'index.mjs.map'), 'utf8');
      const { sources } = JSON.parse(map) as { sources: string[] };
      expect(sources.length, name).toBeGreaterThan(0);
      expect(
        sources.filter((source) => /\/zod\/v4\/locales\/(?!en\.js$)/.test(source)),
        name,
      ).toEqual([]);
      expect(
        sources.filter((source) => /\/i18n-iso-countries\/(?!codes\.json$)/.test(source)),
        name,
      ).toEqual([]);
    }
  });

  it('install exactly their nodeModules beside the bundle, for Linux on ARM64; the others install nothing', () => {
    expect(FUNCTIONS.some((definition) => definition.nodeModules.length > 0)).toBe(true);
    for (const { name, nodeModules } of FUNCTIONS) {
      const directory = assetDirectory(name);
      if (nodeModules.length === 0) {
        expect(existsSync(path.join(directory, 'node_modules')), name).toBe(false);
        expect(existsSync(path.join(directory, 'package.json')), name).toBe(false);
        continue;
      }
      const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8'));
      expect(Object.keys(manifest.dependencies).sort(), name).toEqual([...nodeModules].sort());
      const npmrc = readFileSync(path.join(directory, '.npmrc'), 'utf8');
      expect(npmrc.split('\n'), name).toEqual(expect.arrayContaining(['os=linux', 'cpu=arm64']));
      for (const module of nodeModules)
        expect(
          existsSync(path.join(directory, 'node_modules', module, 'package.json')),
          `${name}: ${module}`,
        ).toBe(true);
    }
  });

  it("carry the journey's prebuilt browser bundles exactly when the route asks (journeyClient)", () => {
    expect(FUNCTIONS.some((definition) => definition.journeyClient)).toBe(true);
    for (const { name, journeyClient } of FUNCTIONS) {
      const client = path.join(assetDirectory(name), 'journey-client');
      expect(existsSync(client), name).toBe(journeyClient);
      if (journeyClient) expect(readdirSync(client, { recursive: true }).length, name).toBeGreaterThan(0);
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

  /**
   * Each bundle is copied without its node_modules: the packages installed there are Linux ARM64
   * builds (sharp's libvips cannot load on this machine), and a bundle must not reach for the
   * repository's own. What the bundle imports of its nodeModules is replaced by a stub that throws
   * when used, so loading proves the rest: every import resolves, and the cold start (configuration
   * read from the environment, clients built) runs.
   */
  it.each(FUNCTIONS.map((definition) => [definition.name, definition] as const))(
    'of %s import only node: built-ins and its own nodeModules, and load in Node.js 24 exporting a handler',
    (name, definition) => {
      const directory = assetDirectory(name);
      const imports = importsOf(readFileSync(path.join(directory, 'index.mjs'), 'utf8'));
      expect(imports.size, name).toBeGreaterThan(0);
      const packages = [...imports.keys()].filter(
        (specifier) => !(specifier.startsWith('node:') && isBuiltin(specifier)),
      );
      // A subpath (`zxing-wasm/reader`) belongs to its package (`zxing-wasm`, `@scope/name`).
      const packageOf = (specifier: string) =>
        specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
      const undeclared = packages
        .filter((specifier) => !definition.nodeModules.includes(packageOf(specifier)))
        .sort();
      expect(undeclared, `${name} imports what it does not install`).toEqual([]);

      const copy = mkdtempSync(path.join(tmpdir(), 'openverify-bundle-'));
      try {
        cpSync(directory, copy, {
          recursive: true,
          filter: (source) => path.relative(directory, source).split(path.sep)[0] !== 'node_modules',
        });
        expect(existsSync(path.join(copy, 'node_modules'))).toBe(false);
        for (const specifier of packages) {
          const stub = path.join(copy, 'node_modules', specifier);
          mkdirSync(stub, { recursive: true });
          writeFileSync(
            path.join(stub, 'package.json'),
            JSON.stringify({ name: specifier, type: 'module', exports: './index.js' }),
          );
          const names = [...(imports.get(specifier) ?? [])].filter((binding) => binding !== 'default');
          writeFileSync(
            path.join(stub, 'index.js'),
            [
              `const unavailable = () => { throw new Error('${specifier} is a stub here'); };`,
              'export default unavailable;',
              ...names.map((binding) => `export const ${binding} = unavailable;`),
            ].join('\n'),
          );
        }
        const script = `
          const module = await import(process.argv[1]);
          if (typeof module.handler !== 'function') throw new Error('no handler exported');`;
        const { status, stdout, stderr } = spawnSync(
          process.execPath,
          ['--input-type=module', '-e', script, path.join(copy, 'index.mjs')],
          {
            env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...environmentToLoad(name) },
            encoding: 'utf8',
          },
        );
        expect(status, `${stdout}${stderr}`).toBe(0);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
  );
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

describe('the callbacks', () => {
  it('alarm on a dead-lettered callback and on many failed attempts, counted from the deliverer log', () => {
    const logGroup = resourceOf(s, s.stack.functions.get('callback-consumer')?.logGroup as IConstruct);
    for (const [step, metric] of [
      ['dead-lettered', 'CallbackDeadLetters'],
      ['retry-scheduled', 'CallbackRetries'],
    ] as const) {
      s.template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: logGroup.id },
        FilterPattern: Match.stringLikeRegexp(`\\$\\.step = "${step}"`),
        MetricTransformations: [Match.objectLike({ MetricNamespace: 'openverify', MetricName: metric })],
      });
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'openverify',
        MetricName: metric,
        AlarmActions: [inService(s, s.stack.dataStack.alarms.topicArn)],
      });
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
    // Per function errors and throttles, the API's 5xx and latency, per queue dead letters and age,
    // the callbacks' dead letters and failed attempts, and per stream pipe its failures.
    expect(alarms).toHaveLength(FUNCTIONS.length * 2 + 2 + QUEUES.length * 2 + 2 + STREAM_FORWARDS.length);
    for (const [alarm, topic] of alarms) expect(alarm.Properties.AlarmActions).toEqual([topic]);
  });
});
