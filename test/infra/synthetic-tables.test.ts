// Code paths the shipped tables do not reach yet: other table grants, a queue without a consumer, a
// scheduled job that reads and deletes images. The entries point at an existing handler only to prove
// the wiring; bundling is skipped.
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueDefinition } from '#shared/queues';
import type { Route } from '#shared/routes';
import type { ScheduleDefinition } from '#shared/schedules';
import { consumerTimeout, VISIBILITY_PER_TIMEOUT } from '../../infra/constructs/work-queue.ts';
import { CONSUMER_TABLE_ACCESS } from '../../infra/openverify-stack.ts';
import {
  actionsOfFunction,
  dig,
  environmentOf,
  inService,
  resourceOf,
  type Synthesized,
  statementsOfFunction,
  synthesize,
  tableGrantsOfFunction,
} from './synthesize.ts';

const HANDLER = 'functions/api/openapi.ts';
const ROUTES: Route[] = [
  {
    name: 'reader',
    method: 'GET',
    path: '/test/read',
    entry: HANDLER,
    table: [{ actions: ['GetItem', 'Query'], keys: ['CUSTOMER#'] }],
  },
  {
    name: 'writer',
    method: 'PUT',
    path: '/test/write',
    entry: HANDLER,
    table: [
      { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], keys: ['TX#'] },
      { actions: ['GetItem'], keys: ['CUSTOMER#', 'CREDENTIAL#'] },
    ],
  },
  { name: 'static', method: 'DELETE', path: '/test/none', entry: HANDLER },
  { name: 'empty', method: 'GET', path: '/test/empty', entry: HANDLER, table: [] },
];
const WORK: QueueDefinition = {
  name: 'work',
  consumer: HANDLER,
  visibilityTimeoutSeconds: 120,
  maxReceiveCount: 4,
  batchSize: 7,
  retentionDays: 2,
};
const IDLE: QueueDefinition = {
  name: 'idle',
  visibilityTimeoutSeconds: 30,
  maxReceiveCount: 2,
  batchSize: 1,
  retentionDays: 1,
};

const SWEEP: ScheduleDefinition = {
  name: 'sweep',
  entry: HANDLER,
  everyMinutes: 90,
  table: [
    { actions: ['Query'], keys: ['DUE#'], index: 'due' },
    { actions: ['GetItem', 'DeleteItem'], keys: ['TX#'] },
  ],
  images: { read: true, delete: true },
  timeoutSeconds: 45,
};

let s: Synthesized;
beforeAll(() => {
  s = synthesize({ region: 'sgp', routes: ROUTES, queues: [WORK, IDLE], schedules: [SWEEP] });
});
afterAll(() => s?.cleanUp());

const fn = (name: string) => {
  const found = s.stack.functions.get(name);
  if (!found) throw new Error(`No function ${name}`);
  return resourceOf(s, found);
};
const dynamoActions = (name: string) =>
  actionsOfFunction(s.template, fn(name).id).filter((action) => action.startsWith('dynamodb:'));
/** `action on key,key` for every action the function's statements grant, sorted. */
const granted = (name: string) =>
  tableGrantsOfFunction(s.template, fn(name).id)
    .flatMap(({ actions, leadingKeys }) => actions.map((action) => `${action} on ${leadingKeys.join(',')}`))
    .sort();

describe('table access from the route table', () => {
  it('grants exactly the actions of each grant, on its key prefixes, and sets TABLE_NAME', () => {
    expect(granted('reader')).toEqual(['dynamodb:GetItem on CUSTOMER#*', 'dynamodb:Query on CUSTOMER#*']);
    expect(granted('writer')).toEqual([
      'dynamodb:DeleteItem on TX#*',
      'dynamodb:GetItem on CREDENTIAL#*,CUSTOMER#*',
      'dynamodb:GetItem on TX#*',
      'dynamodb:PutItem on TX#*',
      'dynamodb:UpdateItem on TX#*',
    ]);
    for (const name of ['reader', 'writer']) {
      expect(environmentOf(fn(name).resource).TABLE_NAME).toEqual(inService(s, s.stack.data.table.tableName));
    }
  });

  it('never grants a table-wide action (Scan, batch, or dynamodb:*)', () => {
    for (const name of ['reader', 'writer']) {
      for (const action of dynamoActions(name)) {
        expect(action).toMatch(/^dynamodb:(GetItem|Query|PutItem|UpdateItem|DeleteItem)$/);
      }
    }
  });

  it('none, or an empty list: no access and no TABLE_NAME', () => {
    for (const name of ['static', 'empty']) {
      expect(dynamoActions(name)).toEqual([]);
      expect(environmentOf(fn(name).resource).TABLE_NAME).toBeUndefined();
    }
  });

  it('routes every entry of the table given, and nothing else', () => {
    const keys = Object.values(s.template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );
    expect(keys.sort()).toEqual(
      ROUTES.flatMap((route) => [
        `${route.method} ${route.path}`,
        `${route.method} ${route.path}/{proxy+}`,
      ]).sort(),
    );
  });
});

describe('a queue with a consumer', () => {
  it('feeds it through an event source mapping that reports partial batch failures', () => {
    const queue = s.stack.data.queues.get('work');
    if (!queue) throw new Error('no work queue');
    s.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: inService(s, queue.queue.queueArn),
      FunctionName: { Ref: fn('work-consumer').id },
      BatchSize: WORK.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('gives the consumer a timeout six times over within its queue visibility timeout, on the usual runtime', () => {
    const consumer = fn('work-consumer').resource.Properties;
    expect(consumer).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    expect(consumer?.Timeout).toBe(consumerTimeout(WORK).toSeconds());
    const queue = s.stack.data.queues.get('work');
    if (!queue) throw new Error('no work queue');
    const visibility = resourceOf(s, queue.queue).resource.Properties?.VisibilityTimeout;
    expect(visibility).toBe(WORK.visibilityTimeoutSeconds);
    expect(VISIBILITY_PER_TIMEOUT).toBe(6);
    expect(visibility).toBeGreaterThanOrEqual(6 * (consumer?.Timeout as number));
  });

  it('lets the consumer receive and delete from its queue, and read and update transactions only', () => {
    const actions = actionsOfFunction(s.template, fn('work-consumer').id);
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(granted('work-consumer')).toEqual(['dynamodb:GetItem on TX#*', 'dynamodb:UpdateItem on TX#*']);
    expect(CONSUMER_TABLE_ACCESS).toEqual([{ actions: ['GetItem', 'UpdateItem'], keys: ['TX#'] }]);
    expect(environmentOf(fn('work-consumer').resource).TABLE_NAME).toBeDefined();
  });

  it('alarms on its errors and throttles, like every function', () => {
    for (const metric of ['Errors', 'Throttles']) {
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn('work-consumer').id } }],
      });
    }
  });

  it('still has its dead-letter queue and alarms; a queue without consumer gets neither a function nor a mapping', () => {
    s.dataTemplate.resourceCountIs('AWS::SQS::Queue', 4);
    // Each queue: dead letters and the oldest message's age.
    s.dataTemplate.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    // Each function (four routes, one consumer, one job): errors and throttles; the API: 5xx and latency.
    s.template.resourceCountIs('AWS::CloudWatch::Alarm', (ROUTES.length + 2) * 2 + 2);
    expect(s.stack.functions.has('idle-consumer')).toBe(false);
  });
});

describe('a scheduled job', () => {
  it('runs its function on an EventBridge rule at its rate, within its own timeout', () => {
    const job = fn('sweep-job');
    expect(job.resource.Properties?.Timeout).toBe(SWEEP.timeoutSeconds);
    s.template.resourceCountIs('AWS::Events::Rule', 1);
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(90 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [job.id, 'Arn'] } })],
    });
  });

  it("queries the index on the index's ARN only, still scoped to its key prefixes", () => {
    const grants = tableGrantsOfFunction(s.template, fn('sweep-job').id);
    const table = inService(s, s.stack.data.table.tableArn);
    const onIndex = grants.filter(({ statement }) => JSON.stringify(statement.Resource).includes('/index/'));
    expect(onIndex.map(({ actions, leadingKeys }) => [actions, leadingKeys])).toEqual([
      [['dynamodb:Query'], ['DUE#*']],
    ]);
    expect(onIndex[0]?.statement.Resource).toEqual({ 'Fn::Join': ['', [table, '/index/due']] });
    expect(granted('sweep-job')).toEqual([
      'dynamodb:DeleteItem on TX#*',
      'dynamodb:GetItem on TX#*',
      'dynamodb:Query on DUE#*',
    ]);
    for (const { statement } of grants.filter((grant) => !onIndex.includes(grant)))
      expect(statement.Resource).toEqual(table);
  });

  it('reads and deletes images, and no more: BUCKET_NAME set, no put, no key encryption', () => {
    expect(environmentOf(fn('sweep-job').resource).BUCKET_NAME).toEqual(
      inService(s, s.stack.data.images.bucketName),
    );
    const actions = actionsOfFunction(s.template, fn('sweep-job').id);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:DeleteObject*', 'kms:Decrypt']));
    expect(actions.filter((action) => /^s3:Put|^kms:(Encrypt|GenerateDataKey)/.test(action))).toEqual([]);
    const deletes = statementsOfFunction(s.template, fn('sweep-job').id).filter((statement) =>
      [statement.Action].flat().includes('s3:DeleteObject*'),
    );
    expect(deletes.map((statement) => dig(statement, 'Resource', 'Fn::Join', 1, 1))).toEqual(['/*']);
  });

  it('sends to no queue when its definition names none', () => {
    expect(
      actionsOfFunction(s.template, fn('sweep-job').id).filter((action) => action.startsWith('sqs:')),
    ).toEqual([]);
    expect(
      Object.keys(environmentOf(fn('sweep-job').resource)).filter((name) => name.startsWith('QUEUE_URL_')),
    ).toEqual([]);
  });
});

describe('a queue whose visibility timeout is under six times its consumer timeout', () => {
  it('fails synth, saying which queue and what to raise', () => {
    // The consumer's timeout is at least 1 s, so a visibility timeout of 5 s cannot cover six of it.
    const short: QueueDefinition = { ...WORK, name: 'short', visibilityTimeoutSeconds: 5 };
    expect(() => synthesize({ region: 'sgp', routes: [], queues: [short], schedules: [] })).toThrow(
      /Queue short: visibilityTimeoutSeconds is 5, .* at least 6 times that \(6 s\): raise visibilityTimeoutSeconds/,
    );
  });

  it('is fine without a consumer: nothing to cover', () => {
    const idle: QueueDefinition = { ...IDLE, name: 'short', visibilityTimeoutSeconds: 5 };
    expect(() =>
      synthesize({ region: 'sgp', routes: [], queues: [idle], schedules: [] }).cleanUp(),
    ).not.toThrow();
  });
});

describe('consumerTimeout', () => {
  it('is a sixth of the visibility timeout (AWS advice for SQS event sources), at least 1 s, at most 15 min', () => {
    const timeout = (seconds: number) => consumerTimeout({ ...IDLE, visibilityTimeoutSeconds: seconds });
    expect(timeout(180).toSeconds()).toBe(30);
    expect(timeout(60).toSeconds()).toBe(10);
    expect(timeout(3).toSeconds()).toBe(1);
    expect(timeout(12 * 3600).toSeconds()).toBe(Duration.minutes(15).toSeconds());
    for (let seconds = 1; seconds <= 43_200; seconds += 97) {
      expect(timeout(seconds).toSeconds()).toBeLessThanOrEqual(seconds);
      // Six times over whenever six seconds fit (the synth check refuses the rest).
      if (seconds >= 6) expect(6 * timeout(seconds).toSeconds()).toBeLessThanOrEqual(seconds);
    }
  });
});
