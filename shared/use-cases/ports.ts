import type { Customer, StoredCredential } from '#domain/customer';
import type { Transaction } from '#domain/transaction';

/**
 * The ports the use cases depend on. Adapters in shared/adapters implement them against AWS (or the
 * local servers that speak the same APIs); tests may implement them in memory.
 */

export interface CustomerRepository {
  get(customerId: string): Promise<Customer | undefined>;
  /** Creates the customer together with its first credential. */
  create(customer: Customer, credential: StoredCredential): Promise<void>;
  findCredential(tokenHash: string): Promise<StoredCredential | undefined>;
  listCredentials(customerId: string): Promise<StoredCredential[]>;
  /** Adds `next`; retires each of `retire`: kept until its `expiresAt` when set, else deleted at once. */
  rotateCredentials(next: StoredCredential, retire: StoredCredential[]): Promise<void>;
}

export interface TransactionRepository {
  /** Stores a new transaction; its record expires at `recordExpiresAt(transaction)`. */
  create(transaction: Transaction): Promise<void>;
  get(reference: string): Promise<Transaction | undefined>;
  /**
   * INITIATED → STARTED, once, keeping the record until `keepUntil` (epoch ms) from then on; a no-op
   * when another request got there first.
   */
  markStarted(reference: string, startedAt: string, keepUntil: number): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
