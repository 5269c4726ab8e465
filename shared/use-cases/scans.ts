import type { ImageClassifier } from '#domain/callback';
import type { Customer } from '#domain/customer';
import { NotFound } from '#domain/errors';
import { imageKeyPrefix, MAX_UPLOAD_BYTES } from '#domain/journey';
import type { Transaction } from '#domain/transaction';
import type {
  CallbackAttempt,
  CallbackLog,
  Clock,
  ImageStore,
  TransactionRepository,
  WorkQueue,
} from './ports.ts';

/**
 * The integrator's view of its transactions (Netverify's retrieval and delete APIs, and the callback
 * log): each call names a transaction, which must exist and be the caller's; another customer's
 * answers exactly as a missing one does (404).
 */

export interface ScansDeps {
  transactions: TransactionRepository;
  images: ImageStore;
  log: CallbackLog;
  callbackQueue: WorkQueue;
  clock: Clock;
}

const NOT_FOUND = 'No such scan (it may not exist, be another account’s, or have been deleted).';

export async function findScan(
  deps: Pick<ScansDeps, 'transactions'>,
  customer: Customer,
  reference: string,
): Promise<Transaction> {
  const transaction = await deps.transactions.get(reference);
  if (!transaction || transaction.customerId !== customer.customerId) throw new NotFound(NOT_FOUND);
  return transaction;
}

export async function scanImage(
  deps: Pick<ScansDeps, 'transactions' | 'images'>,
  customer: Customer,
  reference: string,
  classifier: ImageClassifier,
): Promise<{ bytes: Buffer; contentType: string }> {
  const transaction = await findScan(deps, customer, reference);
  const capture = transaction.captures?.[classifier];
  if (!capture) throw new NotFound(`The scan has no ${classifier} image.`);
  const stored = await deps.images.get(capture.key, MAX_UPLOAD_BYTES);
  if (stored.status !== 'ok') throw new NotFound(`The scan has no ${classifier} image.`);
  return { bytes: stored.bytes, contentType: capture.contentType };
}

export async function callbackAttempts(
  deps: Pick<ScansDeps, 'transactions' | 'log'>,
  customer: Customer,
  reference: string,
): Promise<CallbackAttempt[]> {
  const transaction = await findScan(deps, customer, reference);
  return (await deps.log.attempts(transaction.reference)).sort((a, b) => a.at.localeCompare(b.at));
}

/** Sends the transaction's final callback again: a new attempt, the same `webhook-id`. */
export async function replayCallback(
  deps: Pick<ScansDeps, 'transactions' | 'callbackQueue'>,
  customer: Customer,
  reference: string,
): Promise<{ queued: true }> {
  const transaction = await findScan(deps, customer, reference);
  if (!transaction.outcome) throw new NotFound('The scan has no result yet, so no callback to replay.');
  await deps.callbackQueue.send({ reference, kind: 'final', replay: true });
  return { queued: true };
}

/**
 * Deletes a scan at once and for good: its images, then every extracted or personal value. What
 * stays is a record that a deletion happened (reference, customer, times), with no personal data.
 */
export async function deleteScan(
  deps: Pick<ScansDeps, 'transactions' | 'images' | 'clock'>,
  customer: Customer,
  reference: string,
): Promise<{ timestamp: string; scanReference: string }> {
  const transaction = await findScan(deps, customer, reference);
  const now = deps.clock.now().toISOString();
  await deps.images.deletePrefix(imageKeyPrefix(transaction.reference));
  await deps.transactions.erase(transaction.reference, now);
  return { timestamp: now, scanReference: transaction.reference };
}

/**
 * The operator's replay: every callback of the customer dead-lettered from `from` to `to` (ISO-8601)
 * is sent again, a new attempt with its own `webhook-id`, whatever earlier attempts did.
 */
export async function replayDeadLetters(
  deps: { log: CallbackLog; callbackQueue: WorkQueue },
  customerId: string,
  from: string,
  to: string,
): Promise<number> {
  const letters = await deps.log.deadLetters(customerId, from, to);
  for (const letter of letters) {
    await deps.callbackQueue.send({
      reference: letter.reference,
      kind: letter.kind,
      webhookId: letter.webhookId,
      replay: true,
    });
  }
  return letters.length;
}
