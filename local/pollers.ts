import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueDefinition } from '#shared/queues';
import { lambdaContext } from './lambda-context.ts';
import { LOCAL_REGION } from './resources.ts';

/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls a queue, hands each batch to
 * the consumer as an SQS event, and deletes the messages the consumer did not report as failed
 * (`batchItemFailures`). Failed ones reappear after the visibility timeout and, past the queue's
 * maxReceiveCount, SQS moves them to the dead-letter queue, as in AWS.
 */

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface Poller {
  stop(): Promise<void>;
}

/**
 * Batches of one queue handed to its consumer at once: Lambda's event source mapping runs several
 * invocations side by side and scales them out (up to 1,250 for a standard queue). The callback
 * deliverer waits on receivers, some of which hang until the 15 s timeout and hold their batch that
 * long: one batch at a time would let one such receiver stall every other callback. The verify
 * worker is CPU-bound: one batch at a time on a developer's machine.
 */
export const LOCAL_CONCURRENCY: Readonly<Record<string, number>> = { callback: 200 };

export interface PollerOptions {
  waitSeconds?: number;
  onError?: (error: unknown) => void;
  /** Batches in flight at once; LOCAL_CONCURRENCY's value for the queue, else 1. */
  concurrency?: number;
}

export function startPoller(
  sqs: SQSClient,
  queue: QueueDefinition,
  queueUrl: string,
  handler: SqsHandler,
  options: PollerOptions = {},
): Poller {
  const abort = new AbortController();
  const arn = `arn:aws:sqs:${LOCAL_REGION}:000000000000:${queueUrl.split('/').pop()}`;
  const concurrency = Math.max(1, options.concurrency ?? LOCAL_CONCURRENCY[queue.name] ?? 1);
  const inFlight = new Set<Promise<void>>();

  /** One batch: the consumer, then the deletion of what it did not report as failed. */
  const run = async (Messages: Message[]) => {
    const records = Messages.map((message) => toRecord(message, arn));
    let failed = new Set<string>(records.map((record) => record.messageId));
    try {
      const result = await handler(
        { Records: records },
        lambdaContext(queue.name, queue.visibilityTimeoutSeconds * 1000),
      );
      failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      options.onError?.(error);
    }
    const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
    if (done.length > 0) {
      try {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      } catch (error) {
        // Not deleted: SQS delivers them again after the visibility timeout, as in AWS.
        options.onError?.(error);
      }
    }
  };

  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
        // A free slot first: never more batches in flight than the concurrency.
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(queue.batchSize, 10),
            WaitTimeSeconds: options.waitSeconds ?? 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        if (Messages.length === 0) continue;
        const batch: Promise<void> = run(Messages).finally(() => inFlight.delete(batch));
        inFlight.add(batch);
      } catch (error) {
        if (abort.signal.aborted) return;
        options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  const running = loop();

  return {
    async stop() {
      abort.abort();
      await running;
      // Batches already handed over finish, as a Lambda invocation runs to its end.
      await Promise.all(inFlight);
    },
  };
}

function toRecord(message: Message, arn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue ? { stringValue: value.StringValue } : {}),
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: LOCAL_REGION,
  };
}
