// Code paths the shipped tables do not reach yet: a read-only route and a queue with a consumer.
// The entries point at an existing handler only to prove the wiring; bundling is skipped.
import { Duration } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueDefinition } from '#shared/queues';
import type { Route } from '#shared/routes';
import { consumerTimeout } from '../../infra/constructs/work-queue.ts';
import { actionsOfFunction, environmentOf, resourceOf, type Synthesized, synthesize } from './synthesize.ts';

const HANDLER = 'functions/api/openapi.ts';
const ROUTES: Route[] = [
  { name: 'reader', method: 'GET', path: '/test/read', entry: HANDLER, table: 'read' },
  { name: 'writer', method: 'PUT', path: '/test/write', entry: HANDLER, table: 'readwrite' },
  { name: 'static', method: 'DELETE', path: '/test/none', entry: HANDLER, table: 'none' },
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
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

let s: Synthesized;
beforeAll(() => {
  s = synthesize({ region: 'sgp', routes: ROUTES, queues: [WORK, IDLE] });
});
afterAll(() => s?.cleanUp());

const fn = (name: string) => {
  const found = s.stack.functions.get(name);
  if (!found) throw new Error(`No function ${name}`);
  return resourceOf(s, found);
};
const dynamoActions = (name: string) =>
  actionsOfFunction(s.template, fn(name).id).filter((action) => action.startsWith('dynamodb:'));

describe('table access from the route table', () => {
  it('read: reads, never writes, and knows the table', () => {
    expect(dynamoActions('reader')).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    for (const write of WRITE_ACTIONS) expect(dynamoActions('reader')).not.toContain(write);
    expect(environmentOf(fn('reader').resource).TABLE_NAME).toEqual({
      Ref: resourceOf(s, s.stack.data.table).id,
    });
  });

  it('readwrite: reads and writes', () => {
    expect(dynamoActions('writer')).toEqual(expect.arrayContaining(['dynamodb:GetItem', ...WRITE_ACTIONS]));
  });

  it('none: no access and no TABLE_NAME', () => {
    expect(dynamoActions('static')).toEqual([]);
    expect(environmentOf(fn('static').resource).TABLE_NAME).toBeUndefined();
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
      EventSourceArn: { 'Fn::GetAtt': [resourceOf(s, queue.queue).id, 'Arn'] },
      FunctionName: { Ref: fn('work-consumer').id },
      BatchSize: WORK.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('gives the consumer a timeout its queue visibility timeout covers, on the usual runtime', () => {
    const consumer = fn('work-consumer').resource.Properties;
    expect(consumer).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    expect(consumer?.Timeout).toBe(consumerTimeout(WORK).toSeconds());
    const queue = s.stack.data.queues.get('work');
    if (!queue) throw new Error('no work queue');
    const visibility = resourceOf(s, queue.queue).resource.Properties?.VisibilityTimeout;
    expect(visibility).toBe(WORK.visibilityTimeoutSeconds);
    expect(visibility).toBeGreaterThanOrEqual(consumer?.Timeout as number);
  });

  it('lets the consumer receive and delete from its queue, and use the table', () => {
    const actions = actionsOfFunction(s.template, fn('work-consumer').id);
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    expect(environmentOf(fn('work-consumer').resource).TABLE_NAME).toBeDefined();
  });

  it('still has its dead-letter queue and alarm; a queue without consumer gets neither a function nor a mapping', () => {
    s.template.resourceCountIs('AWS::SQS::Queue', 4);
    s.template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect(s.stack.functions.has('idle-consumer')).toBe(false);
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
    }
  });
});
