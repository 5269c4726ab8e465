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

export function startPoller(
  sqs: SQSClient,
  queue: QueueDefinition,
  queueUrl: string,
  handler: SqsHandler,
  options: { waitSeconds?: number; onError?: (error: unknown) => void } = {},
): Poller {
  const abort = new AbortController();
  const arn = `arn:aws:sqs:${LOCAL_REGION}:000000000000:${queueUrl.split('/').pop()}`;

  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
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
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((message, index) => ({
                Id: String(index),
                ReceiptHandle: message.ReceiptHandle,
              })),
            }),
          );
        }
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
