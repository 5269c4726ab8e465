/**
 * The one queue table, read by `infra/` (SQS queues, DLQs, event source mappings) and `local/`
 * (queues on the local SQS server, pollers). A queue's consumer is a module exporting an SQS
 * `handler` that answers partial batch failures (`batchItemFailures`).
 */

export interface QueueDefinition {
  name: string;
  /** The consumer's entry, relative to the repository root; absent until its capability lands. */
  consumer?: string;
  /** Seconds a received message stays invisible; at least the consumer's timeout. */
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  batchSize: number;
  /** Days a message may wait (SQS allows 1 minute to 14 days). */
  retentionDays: number;
}

export const QUEUES = [
  // Submitted transactions waiting for the verification worker.
  { name: 'verify', visibilityTimeoutSeconds: 180, maxReceiveCount: 3, batchSize: 5, retentionDays: 4 },
  // Results waiting for the callback deliverer, which retries on the Standard Webhooks schedule.
  { name: 'callback', visibilityTimeoutSeconds: 60, maxReceiveCount: 10, batchSize: 10, retentionDays: 14 },
] as const satisfies readonly QueueDefinition[];

export const deadLetterName = (queue: QueueDefinition): string => `${queue.name}-dlq`;
