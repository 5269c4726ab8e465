/**
 * The table's stream as an outbox, read by `infra/` (an EventBridge Pipe from the DynamoDB stream to
 * the queue) and `local/` (a stream reader that does what the pipe does, local/stream-forwarder.ts).
 *
 * A journey's submission is one conditional write (use-cases/journey.ts); the record it leaves,
 * SUBMITTED, is what queues the verification: no message for a write that failed, and for one that
 * landed a message as long as the pipe works (the stream keeps a change 24 hours; the pipe retries a
 * batch 10 times, then drops it, and its failure alarms); the API does one call instead of two.
 * The verify worker takes each message at least once and its verdict is a conditional write, so a
 * message delivered twice still gives one result; the drop-off job sends the message again when no
 * verdict came in time (use-cases/drop-offs.ts), the backstop for both paths.
 */

import type { QueueName } from './routes.ts';

/**
 * An EventBridge event pattern over a DynamoDB stream record, in the part of the syntax used here:
 * a leaf lists the values it may have, or says that it must not exist.
 */
export type StreamPattern = {
  [field: string]: readonly string[] | readonly [{ exists: false }] | StreamPattern;
};

export interface StreamForward {
  /** Part of the pipe's name and construct id. */
  name: string;
  /** The queue the matching changes go to. */
  queue: QueueName;
  /** Which changes: the pipe's filter, and the local reader's. */
  pattern: StreamPattern;
  /**
   * The message: the new image's string attribute of this name, as `{ [attribute]: value }` (the
   * queue consumer's message).
   */
  attribute: string;
}

export const STREAM_FORWARDS = [
  {
    name: 'submitted',
    queue: 'verify',
    // A transaction record written SUBMITTED by anything but the drop-off job's resend (which sets
    // verifyQueuedAt and sends itself): a journey's submission, the only other write that leaves a
    // record SUBMITTED. (A performNetverify transaction is created SUBMITTED, an INSERT, and queued
    // by its own call.) The stream carries new images only: half the data of old and new.
    pattern: {
      eventName: ['MODIFY'],
      dynamodb: {
        Keys: { sk: { S: ['TRANSACTION'] } },
        NewImage: { state: { S: ['SUBMITTED'] }, verifyQueuedAt: { S: [{ exists: false }] } },
      },
    },
    attribute: 'reference',
  },
] as const satisfies readonly StreamForward[];

/** The pipe's input template: `{"reference": "<$.dynamodb.NewImage.reference.S>"}`. */
export const inputTemplate = (forward: StreamForward): string =>
  `{"${forward.attribute}": "<$.dynamodb.NewImage.${forward.attribute}.S>"}`;

/** Whether `record` matches `pattern` as EventBridge matches it: every field, each leaf as it says. */
export function matchesPattern(pattern: StreamPattern, record: unknown): boolean {
  const fields = typeof record === 'object' && record !== null ? (record as Record<string, unknown>) : {};
  return Object.entries(pattern).every(([field, expected]) => {
    const value = fields[field];
    if (!Array.isArray(expected)) return matchesPattern(expected as StreamPattern, value);
    const [first] = expected as ReadonlyArray<string | { exists: false }>;
    if (typeof first === 'object') return value === undefined;
    return typeof value === 'string' && (expected as readonly string[]).includes(value);
  });
}

/** The message the pipe sends for a matching record, or undefined when its attribute is missing. */
export function forwardedMessage(
  forward: StreamForward,
  record: { dynamodb?: { NewImage?: Record<string, { S?: string } | undefined> } },
): Record<string, string> | undefined {
  const value = record.dynamodb?.NewImage?.[forward.attribute]?.S;
  return value === undefined ? undefined : { [forward.attribute]: value };
}
