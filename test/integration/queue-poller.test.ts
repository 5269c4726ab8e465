import { randomUUID } from 'node:crypto';
import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { QueueDefinition } from '#shared/queues';
import { startPoller } from '../../local/pollers.ts';
import { ensureQueue, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';

/** The local event source mapping against fauxqs: partial batch failures and the redrive to the DLQ. */

const sqs = new SQSClient({
  endpoint: inject('sqsEndpoint'),
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});
afterAll(() => sqs.destroy());

const queue: QueueDefinition = {
  name: `poller-${randomUUID().slice(0, 8)}`,
  visibilityTimeoutSeconds: 1,
  maxReceiveCount: 2,
  batchSize: 10,
  retentionDays: 1,
};

async function until<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('queue poller', () => {
  it('hands batches to the consumer, deletes successes and dead-letters what keeps failing', async () => {
    const url = await ensureQueue(inject('sqsEndpoint'), queue, 'test');
    const deliveries: string[] = [];
    const poller = startPoller(sqs, queue, url, async (event: SQSEvent) => {
      const failures = [];
      for (const record of event.Records) {
        deliveries.push(record.body);
        if (record.body.startsWith('bad')) failures.push({ itemIdentifier: record.messageId });
      }
      return { batchItemFailures: failures };
    });

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['good-1', 'bad-1', 'good-2'].map((body, index) => ({
          Id: String(index),
          MessageBody: body,
        })),
      }),
    );

    // The bad message is delivered maxReceiveCount times, then moves to the DLQ.
    await until(() =>
      deliveries.filter((body) => body === 'bad-1').length >= queue.maxReceiveCount ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, (queue.visibilityTimeoutSeconds + 1) * 1000));
    await poller.stop();

    expect(deliveries.filter((body) => body === 'good-1')).toHaveLength(1);
    expect(deliveries.filter((body) => body === 'good-2')).toHaveLength(1);
    expect(deliveries.filter((body) => body === 'bad-1')).toHaveLength(queue.maxReceiveCount);

    const dlqUrl = url.replace(queue.name, `${queue.name}-dlq`);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((message) => message.Body)).toEqual(['bad-1']);
  });

  it('keeps handing over batches while one batch hangs, up to its concurrency', async () => {
    const slow: QueueDefinition = { ...queue, name: `poller-${randomUUID().slice(0, 8)}`, batchSize: 1 };
    const url = await ensureQueue(inject('sqsEndpoint'), slow, 'test');
    const deliveries: string[] = [];
    let release: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    const poller = startPoller(
      sqs,
      slow,
      url,
      async (event: SQSEvent) => {
        for (const record of event.Records) {
          deliveries.push(record.body);
          // A callback to a receiver that never answers holds its batch.
          if (record.body === 'hang') await hanging;
        }
        return { batchItemFailures: [] };
      },
      { concurrency: 2 },
    );

    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hang' }));
    await until(() => (deliveries.includes('hang') ? true : undefined));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after-1' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after-2' }));
    await until(() => (deliveries.includes('after-1') && deliveries.includes('after-2') ? true : undefined));
    release();
    await poller.stop();

    expect(deliveries.filter((body) => body === 'hang')).toHaveLength(1);
  });
});
