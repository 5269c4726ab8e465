import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { WorkQueue } from '#use-cases/ports';

export interface SqsConfig {
  AWS_REGION: string;
  SQS_ENDPOINT?: string | undefined;
}

export function sqsClient(config: SqsConfig): SQSClient {
  return new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
  });
}

/** SQS caps a message's delay at 15 minutes. */
export const MAX_SQS_DELAY_SECONDS = 900;

/** A work queue on SQS: the message is JSON. No personal data goes in attributes. */
export function sqsWorkQueue(client: SQSClient, queueUrl: string): WorkQueue {
  return {
    async send(message, options = {}) {
      const delay = Math.max(0, Math.min(MAX_SQS_DELAY_SECONDS, Math.round(options.delaySeconds ?? 0)));
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          ...(delay > 0 ? { DelaySeconds: delay } : {}),
        }),
      );
    },
  };
}
