import { imageKeyPrefix } from '#domain/journey';
import { purgeDue, retentionCutoff } from '#domain/retention';
import type { Clock, CreationIndex, CustomerRepository, ImageStore, TransactionRepository } from './ports.ts';

export interface RetentionDeps {
  customers: CustomerRepository;
  transactions: TransactionRepository;
  index: CreationIndex;
  images: ImageStore;
  clock: Clock;
}

/**
 * Per customer and run, so one run stays within its time (the next run goes on). Fraud kept by the
 * customer's choice stays in the index and counts against it: a customer with more kept fraud than
 * this is purged no further until it includes fraud or the batch grows.
 */
const BATCH = 5_000;

/**
 * The retention job: for every customer, purges the transactions created before its retention
 * cutoff (images, then data, as the delete API does), fraud excluded unless the customer includes
 * it. It reads the current settings each run, so a shortened period purges what now falls outside
 * it. DynamoDB TTL deletes the records later still, as a backstop; this job does not wait for it.
 */
export async function runRetention(deps: RetentionDeps): Promise<{ purged: number; kept: number }> {
  const now = deps.clock.now();
  let purged = 0;
  let kept = 0;
  for (const customerId of await deps.customers.listIds()) {
    const customer = await deps.customers.get(customerId);
    if (!customer) continue;
    const cutoff = retentionCutoff(customer.settings, now.getTime());
    if (cutoff === undefined) continue;
    const references = await deps.index.createdBefore(customerId, new Date(cutoff).toISOString(), BATCH);
    for (const reference of references) {
      const transaction = await deps.transactions.get(reference);
      if (transaction && !purgeDue(transaction, customer.settings, now.getTime())) {
        kept++;
        continue;
      }
      // Gone from reads already (its TTL passed): its images may not be.
      await deps.images.deletePrefix(imageKeyPrefix(reference));
      await deps.transactions.erase(reference, now.toISOString());
      purged++;
    }
  }
  return { purged, kept };
}
