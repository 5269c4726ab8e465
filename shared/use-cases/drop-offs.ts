import {
  bucketsToRun,
  dropOffAt,
  dropOffOutcome,
  MAX_VERIFY_RESENDS,
  UNVERIFIED_OUTCOME,
  verificationOverdueAt,
} from '#domain/drop-off';
import { imageKeyPrefix } from '#domain/journey';
import { recordExpiresAt } from '#domain/transaction';
import { queueFinalCallback } from './journey.ts';
import type { Clock, ImageStore, JobCursors, TransactionRepository, WorkQueue } from './ports.ts';

export interface DropOffDeps {
  transactions: TransactionRepository;
  images: ImageStore;
  cursors: JobCursors;
  callbackQueue: WorkQueue;
  /** Submitted transactions whose verification is overdue get their verify message again. */
  verifyQueue: WorkQueue;
  clock: Clock;
}

export const DROP_OFF_JOB = 'drop-offs';
/** A day of minutes: a job that was down longer catches up over several runs. */
const MAX_BUCKETS_PER_RUN = 1440;

/**
 * The drop-off job: every minute that has passed since its last run, the transactions due then are
 * checked again (activity may have moved them on) and, when still due, finished with their drop-off
 * outcome and reported by a final callback. `finish` is conditional, so a transaction gets one
 * final result whoever gets there first (the worker, the acceptance loop, or this job). A submitted
 * transaction whose verification is overdue gets its verify message again instead
 * (`verificationOverdueAt`), and after the last resend its final outcome (`UNVERIFIED_OUTCOME`).
 */
export async function runDropOffs(
  deps: DropOffDeps,
): Promise<{ buckets: number; droppedOff: number; verifyResent: number }> {
  const now = deps.clock.now();
  const buckets = bucketsToRun(await deps.cursors.get(DROP_OFF_JOB), now.getTime(), MAX_BUCKETS_PER_RUN);
  let droppedOff = 0;
  let verifyResent = 0;
  for (const bucket of buckets) {
    const references = await deps.transactions.dueForDropOff(bucket);
    // The minute's transactions read together (as the callback deliverer reads a batch's).
    const current = await deps.transactions.getMany(references);
    for (const reference of references) {
      const transaction = current.get(reference);
      if (!transaction) {
        // Deleted or purged (swept once more, see IMAGE_SWEEP_AFTER_MS), or a never-started record a
        // day past its token (the job was down that long; it had no images).
        await deps.images.deletePrefix(imageKeyPrefix(reference));
        continue;
      }
      const at = now.toISOString();
      const overdue = verificationOverdueAt(transaction);
      if (overdue !== undefined) {
        if (overdue > now.getTime()) continue;
        if ((transaction.verifyResends ?? 0) < MAX_VERIFY_RESENDS) {
          // Submitted, and no verdict in time: the verify message again (the worker's verdict is a
          // conditional write, so a message that was only slow gives no second result).
          await deps.verifyQueue.send({ reference });
          const nextDue = verificationOverdueAt({ ...transaction, verifyQueuedAt: at });
          if (await deps.transactions.markVerifyResent(reference, at, nextDue)) verifyResent++;
          continue;
        }
        // Resent enough: the final callback says it could not be read, rather than nothing ever.
        const options = {
          from: [transaction.state],
          keepUntil: recordExpiresAt({ ...transaction, state: 'FAILED', outcome: UNVERIFIED_OUTCOME }),
        };
        if (await deps.transactions.finish(reference, UNVERIFIED_OUTCOME, at, 'FAILED', options)) {
          await queueFinalCallback(deps, reference, at);
          droppedOff++;
        }
        continue;
      }
      const due = dropOffAt(transaction);
      if (due === undefined || due > now.getTime()) continue;
      const outcome = dropOffOutcome(transaction);
      // From the state it was read in only: a submission meanwhile wins over the drop-off. Kept
      // from then on for the retention period, long enough for every retry of its callback.
      const options = {
        from: [transaction.state],
        keepUntil: recordExpiresAt({ ...transaction, state: 'FAILED', outcome }),
      };
      if (await deps.transactions.finish(reference, outcome, at, 'FAILED', options)) {
        await queueFinalCallback(deps, reference, at);
        droppedOff++;
      }
    }
    await deps.cursors.set(DROP_OFF_JOB, bucket);
  }
  return { buckets: buckets.length, droppedOff, verifyResent };
}
