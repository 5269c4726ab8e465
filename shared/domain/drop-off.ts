import type { VerificationOutcome } from './callback.ts';
import { rejectReasonOf, type UnusableReason } from './image-rules.ts';
import type { Transaction } from './transaction.ts';

/**
 * Drop-offs: the final callbacks Netverify sends when no verdict will come (REFERENCE.md). A journey
 * never started fails when its token expires (NO_ID_UPLOADED); a user who leaves during attempt 1
 * gives NO_ID_UPLOADED 15 minutes after their last activity, during attempt 2 or 3
 * ERROR_NOT_READABLE_ID with the last reason a capture was refused. A journey whose session expired
 * cannot go on, so it drops off then at the latest. Pure.
 */

export const DROP_OFF_AFTER_MS = 15 * 60 * 1000;

/**
 * A deleted or purged transaction is swept once more this long after: an upload URL issued before
 * the deletion stays usable for its lifetime (5 minutes), and what it puts must not outlive it. The
 * drop-off job does the sweep, from the same due-minute index.
 */
export const IMAGE_SWEEP_AFTER_MS = 10 * 60 * 1000;

/** When the transaction drops off if nothing else happens (epoch ms); undefined once submitted. */
export function dropOffAt(transaction: Transaction): number | undefined {
  if (transaction.state === 'INITIATED') return transaction.tokenExpiresAt;
  if (transaction.state !== 'STARTED') return undefined;
  const last = transaction.lastActivityAt ?? transaction.startedAt;
  const idle = last === undefined ? transaction.tokenExpiresAt : Date.parse(last) + DROP_OFF_AFTER_MS;
  return Math.min(idle, transaction.tokenExpiresAt);
}

export function dropOffOutcome(transaction: Transaction): VerificationOutcome {
  const refused = transaction.refusedAttempts ?? 0;
  if (transaction.state === 'STARTED' && refused > 0) {
    return {
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      rejectReason: rejectReasonOf((transaction.lastRejectReason ?? 'BAD_QUALITY') as UnusableReason),
    };
  }
  return { verificationStatus: 'NO_ID_UPLOADED' };
}

/**
 * A submitted transaction that has no verdict this long after its verify message was sent gets the
 * message again from the drop-off job, at most `MAX_VERIFY_RESENDS` times: a message that never
 * came (a batch the table's stream pipe gave up on, a performNetverify send that failed after its
 * write) or was lost to the dead-letter queue would otherwise leave the transaction SUBMITTED for
 * good, with no final callback. A verdict is a conditional write, so a message sent twice still gives one result. When
 * the last resend brings no verdict either, the job gives up: `UNVERIFIED_OUTCOME` and its callback.
 */
export const VERIFY_OVERDUE_MS = 10 * 60 * 1000;
export const MAX_VERIFY_RESENDS = 3;

/** When a submitted transaction's verification is next overdue (epoch ms); undefined when not submitted. */
export function verificationOverdueAt(
  transaction: Pick<Transaction, 'state' | 'submittedAt' | 'verifyQueuedAt'>,
): number | undefined {
  if (transaction.state !== 'SUBMITTED' && transaction.state !== 'PROCESSING') return undefined;
  const since = transaction.verifyQueuedAt ?? transaction.submittedAt;
  return since === undefined ? undefined : Date.parse(since) + VERIFY_OVERDUE_MS;
}

/**
 * A submission the worker never judged (every message failed, e.g. an image that always crashes
 * it): not readable, with no detail, so that the integrator gets a final callback and can ask the
 * user again. Its images stay for the operator to look at (the verify dead-letter queue has its
 * messages).
 */
export const UNVERIFIED_OUTCOME: VerificationOutcome = {
  verificationStatus: 'ERROR_NOT_READABLE_ID',
  rejectReason: { rejectReasonCode: '200', rejectReasonDescription: 'NOT_READABLE_DOCUMENT' },
};

/** When the drop-off job next looks at the transaction (epoch ms): its drop-off, or its overdue verification. */
export const dueAt = (transaction: Transaction): number | undefined =>
  dropOffAt(transaction) ?? verificationOverdueAt(transaction);

/** Due times are kept in minute buckets (`2026-11-27T12:34`), which the drop-off job reads in order. */
export const minuteBucket = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 16);

/** The buckets after `after` (exclusive) whose whole minute has passed at `now`, oldest first. */
export function bucketsToRun(after: string | undefined, now: number, maxBuckets: number): string[] {
  const lastComplete = Math.floor(now / 60_000) * 60_000 - 60_000;
  const first = after ? Date.parse(`${after}:00.000Z`) + 60_000 : lastComplete - 24 * 60 * 60_000;
  const buckets: string[] = [];
  for (let at = first; at <= lastComplete && buckets.length < maxBuckets; at += 60_000) {
    buckets.push(minuteBucket(at));
  }
  return buckets;
}
