import { type SqsConfig, sqsClient, sqsWorkQueue } from '#adapters/sqs-work-queue';
import type { WorkQueue } from '#use-cases/ports';

/**
 * A work queue on SQS. Its own module, imported only by the entries that send: a bundle evaluates
 * every module it carries, the SQS client included (bench/README.md).
 */
export function sqsQueue(config: SqsConfig, queueUrl: string): WorkQueue {
  return sqsWorkQueue(sqsClient(config), queueUrl);
}
