import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { QueueDefinition } from '#shared/queues';
import { ensureQueue, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';

/** The local runner's queues on fauxqs, which keeps them across runs: a changed definition applies. */

const sqs = new SQSClient({
  endpoint: inject('sqsEndpoint'),
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});
afterAll(() => sqs.destroy());

const attributesOf = async (url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ??
  {};

describe('ensureQueue', () => {
  it('creates the queue and its DLQ, then applies a changed definition to the queues it finds', async () => {
    const before: QueueDefinition = {
      name: `queues-${randomUUID().slice(0, 8)}`,
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 3,
      batchSize: 10,
      retentionDays: 4,
    };
    const url = await ensureQueue(inject('sqsEndpoint'), before, 'test');
    const dlqUrl = url.replace(before.name, `${before.name}-dlq`);
    const dlqArn = (await attributesOf(dlqUrl)).QueueArn;
    expect(dlqArn).toBeDefined();
    expect(await attributesOf(dlqUrl)).toMatchObject({ MessageRetentionPeriod: String(14 * 24 * 3600) });
    expect(await attributesOf(url)).toMatchObject({
      VisibilityTimeout: '30',
      MessageRetentionPeriod: String(4 * 24 * 3600),
    });
    expect(JSON.parse((await attributesOf(url)).RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 3,
    });

    // As after an edit of shared/queues.ts, on a data dir that kept the queues.
    const after = { ...before, visibilityTimeoutSeconds: 90, maxReceiveCount: 5, retentionDays: 2 };
    expect(await ensureQueue(inject('sqsEndpoint'), after, 'test')).toBe(url);
    expect(await attributesOf(url)).toMatchObject({
      VisibilityTimeout: '90',
      MessageRetentionPeriod: String(2 * 24 * 3600),
    });
    expect(JSON.parse((await attributesOf(url)).RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 5,
    });
  });
});
