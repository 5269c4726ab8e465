/**
 * The one queue table, read by `infra/` (SQS queues, DLQs, event source mappings) and `local/`
 * (queues on the local SQS server, pollers). A queue's consumer is a module exporting an SQS
 * `handler` that answers partial batch failures (`batchItemFailures`).
 */

import {
  type ImageAccess,
  NATIVE_MODULES,
  type NativeModuleName,
  type QueueName,
  type TableGrant,
} from './routes.ts';

export interface QueueDefinition {
  name: string;
  /** The consumer's entry, relative to the repository root; absent until its capability lands. */
  consumer?: string;
  /** Exactly the table calls the consumer makes (as a route's `table`). */
  table?: readonly TableGrant[];
  /** What the consumer does with the image bucket. */
  images?: ImageAccess;
  /** The queues the consumer sends to (its own included, for delayed retries). */
  sends?: readonly QueueName[];
  /** Memory for the consumer, when the default does not fit what it carries (MB). */
  memorySize?: number;
  /** Native packages installed beside its bundle (infra/constructs/function.ts, NATIVE_MODULES). */
  nodeModules?: readonly NativeModuleName[];
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
  {
    name: 'verify',
    consumer: 'functions/workers/verify.ts',
    // Reads the transaction, stores the verdict (use-cases/verify.ts).
    table: [{ actions: ['GetItem', 'UpdateItem'], keys: ['TX#'] }],
    images: { read: true },
    sends: ['callback'],
    // OCR and image decoding: more memory is more CPU.
    memorySize: 2048,
    // Every native package: the image decoder, the OCR, the face matcher and the PDF417 reader.
    nodeModules: NATIVE_MODULES,
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 3,
    batchSize: 5,
    retentionDays: 4,
  },
  // Results waiting for the callback deliverer, which retries on the Standard Webhooks schedule.
  {
    name: 'callback',
    consumer: 'functions/workers/deliver-callback.ts',
    table: [
      // A batch's transactions and delivered markers, and its attempts (TX#); the customer's settings
      // and secrets, dead letters (CUSTOMER#).
      { actions: ['GetItem', 'BatchGetItem', 'BatchWriteItem'], keys: ['TX#', 'CUSTOMER#'] },
    ],
    // Re-enqueues itself for the next attempt.
    sends: ['callback'],
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 10,
    batchSize: 10,
    retentionDays: 14,
  },
] as const satisfies readonly QueueDefinition[];

export const deadLetterName = (queue: QueueDefinition): string => `${queue.name}-dlq`;

/** The variable that carries a queue's URL to its senders: `QUEUE_URL_VERIFY` for `verify`. */
export const queueUrlVariable = (name: string): string =>
  `QUEUE_URL_${name.toUpperCase().replace(/-/g, '_')}`;
