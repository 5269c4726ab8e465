import type { CustomerSettings } from './settings.ts';
import type { Transaction } from './transaction.ts';

/**
 * Data retention (seed 003): a transaction's images and extracted data are purged a number of days
 * after its creation (360 by default) or kept forever; DENIED_FRAUD transactions are kept unless the
 * customer includes them. Pure.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The creation time before which a customer's transactions are due for purging, or undefined (forever). */
export function retentionCutoff(
  settings: Pick<CustomerSettings, 'retentionDays'>,
  now: number,
): number | undefined {
  return settings.retentionDays === 'forever' ? undefined : now - settings.retentionDays * DAY_MS;
}

/** Whether this transaction is to be purged now under the customer's settings. */
export function purgeDue(
  transaction: Transaction,
  settings: Pick<CustomerSettings, 'retentionDays' | 'purgeFraudTransactions'>,
  now: number,
): boolean {
  const cutoff = retentionCutoff(settings, now);
  if (cutoff === undefined || Date.parse(transaction.createdAt) > cutoff) return false;
  if (transaction.outcome?.verificationStatus === 'DENIED_FRAUD' && !settings.purgeFraudTransactions)
    return false;
  // A journey still running is never cut short (possible only with a retention of a day or so).
  return transaction.state === 'DONE' || transaction.state === 'FAILED' || transaction.state === 'INITIATED';
}
