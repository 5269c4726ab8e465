import type { VerificationOutcome } from '#domain/callback';
import type { Customer, StoredCredential, WebhookSecret } from '#domain/customer';
import { dropOffAt, minuteBucket } from '#domain/drop-off';
import { Conflict } from '#domain/errors';
import type { CaptureSide } from '#domain/journey';
import { type Capture, recordExpiresAt, type Transaction } from '#domain/transaction';
import type { Clock, CustomerRepository, Submission, TransactionRepository } from '#use-cases/ports';

/**
 * In-memory implementations of the use cases' ports, for unit tests. They copy what goes in and out
 * (as a database would), count their calls, and read time from the same fake clock as the use case.
 */

export class FakeClock implements Clock {
  private millis: number;
  constructor(start: string | number = '2018-07-03T08:23:12.494Z') {
    this.millis = typeof start === 'number' ? start : Date.parse(start);
  }
  now(): Date {
    return new Date(this.millis);
  }
  advance(ms: number): void {
    this.millis += ms;
  }
}

export const MINUTE = 60_000;

const copy = <T>(value: T): T => structuredClone(value);

export class InMemoryCustomers implements CustomerRepository {
  readonly customers = new Map<string, Customer>();
  /** By token hash. */
  readonly credentials = new Map<string, StoredCredential>();
  readonly calls = { get: 0, create: 0, findCredential: 0, listCredentials: 0, rotateCredentials: 0 };
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  async get(customerId: string): Promise<Customer | undefined> {
    this.calls.get++;
    const customer = this.customers.get(customerId);
    return customer && copy(customer);
  }

  async setWebhookSecrets(customerId: string, secrets: WebhookSecret[]): Promise<void> {
    const customer = this.customers.get(customerId);
    if (customer === undefined) throw new Error(`no customer ${customerId}`);
    this.customers.set(customerId, { ...customer, webhookSecrets: copy(secrets) });
  }

  /** Like the DynamoDB adapter: a token names one customer for good. */
  private assertTokenFree(credential: StoredCredential): void {
    const owner = this.credentials.get(credential.tokenHash)?.customerId;
    if (owner !== undefined && owner !== credential.customerId) {
      throw new Conflict('That API token belongs to another customer.');
    }
  }

  async create(customer: Customer, credential: StoredCredential): Promise<void> {
    this.calls.create++;
    if (this.customers.has(customer.customerId)) throw new Conflict('customer exists');
    this.assertTokenFree(credential);
    this.customers.set(customer.customerId, copy(customer));
    this.credentials.set(credential.tokenHash, copy(credential));
  }

  async findCredential(tokenHash: string): Promise<StoredCredential | undefined> {
    this.calls.findCredential++;
    const credential = this.credentials.get(tokenHash);
    return credential && copy(credential);
  }

  /** Like the DynamoDB adapter: credentials past their expiry are not listed. */
  async listCredentials(customerId: string): Promise<StoredCredential[]> {
    this.calls.listCredentials++;
    const now = this.clock.now().getTime();
    return [...this.credentials.values()]
      .filter((c) => c.customerId === customerId && (c.expiresAt === undefined || c.expiresAt > now))
      .map(copy);
  }

  async rotateCredentials(next: StoredCredential, retire: StoredCredential[]): Promise<void> {
    this.calls.rotateCredentials++;
    this.assertTokenFree(next);
    this.credentials.set(next.tokenHash, copy(next));
    for (const credential of retire) {
      if (credential.expiresAt === undefined) this.credentials.delete(credential.tokenHash);
      else this.credentials.set(credential.tokenHash, copy(credential));
    }
  }
}

export class InMemoryTransactions implements TransactionRepository {
  readonly transactions = new Map<string, Transaction>();
  /** Everything `create` received, as received. */
  readonly created: Transaction[] = [];
  /** What the record was last kept until, by reference (epoch ms), as a TTL attribute would hold it. */
  readonly keptUntil = new Map<string, number>();
  readonly calls = { create: 0, get: 0, markStarted: 0 };
  private readonly clock: Clock | undefined;

  /** Given a clock, a record past its time reads as gone, as with the DynamoDB adapter. */
  constructor(clock?: Clock) {
    this.clock = clock;
  }

  async create(transaction: Transaction): Promise<void> {
    this.calls.create++;
    if (this.transactions.has(transaction.reference)) throw new Error('transaction exists');
    this.created.push(copy(transaction));
    this.transactions.set(transaction.reference, copy(transaction));
    this.keptUntil.set(transaction.reference, recordExpiresAt(transaction));
  }

  async get(reference: string): Promise<Transaction | undefined> {
    this.calls.get++;
    const transaction = this.transactions.get(reference);
    const keptUntil = this.keptUntil.get(reference);
    if (this.clock && keptUntil !== undefined && keptUntil <= this.clock.now().getTime()) return undefined;
    return transaction && copy(transaction);
  }

  async markStarted(
    reference: string,
    startedAt: string,
    keepUntil: number,
    _dropOffAt?: number,
  ): Promise<void> {
    this.calls.markStarted++;
    const transaction = this.transactions.get(reference);
    if (transaction?.state === 'INITIATED') {
      this.transactions.set(reference, { ...transaction, state: 'STARTED', startedAt });
      this.keptUntil.set(reference, keepUntil);
    }
  }

  async recordCapture(
    reference: string,
    side: CaptureSide,
    capture: Capture,
    _dropOffAt?: number,
  ): Promise<boolean> {
    const transaction = this.transactions.get(reference);
    if (transaction?.state !== 'STARTED') return false;
    this.transactions.set(reference, {
      ...transaction,
      captures: { ...transaction.captures, [side]: copy(capture) },
      lastActivityAt: capture.acceptedAt,
      firstAttemptAt: transaction.firstAttemptAt ?? capture.acceptedAt,
    });
    return true;
  }

  async recordRefusal(
    reference: string,
    reason: string,
    at: string,
    _dropOffAt?: number,
  ): Promise<number | undefined> {
    const transaction = this.transactions.get(reference);
    if (transaction?.state !== 'STARTED') return undefined;
    const refusedAttempts = (transaction.refusedAttempts ?? 0) + 1;
    this.transactions.set(reference, {
      ...transaction,
      refusedAttempts,
      lastRejectReason: reason,
      lastActivityAt: at,
      firstAttemptAt: transaction.firstAttemptAt ?? at,
    });
    return refusedAttempts;
  }

  async submit(reference: string, submission: Submission): Promise<boolean> {
    const transaction = this.transactions.get(reference);
    if (transaction?.state !== 'STARTED') return false;
    this.transactions.set(reference, {
      ...transaction,
      state: 'SUBMITTED',
      document: { ...submission.document },
      source: submission.source,
      submittedAt: submission.at,
      lastActivityAt: submission.at,
      ...(submission.clientIp ? { clientIp: submission.clientIp } : {}),
    });
    return true;
  }

  async finish(
    reference: string,
    outcome: VerificationOutcome,
    at: string,
    state: 'DONE' | 'FAILED',
  ): Promise<boolean> {
    const transaction = this.transactions.get(reference);
    if (!transaction || transaction.state === 'DONE' || transaction.state === 'FAILED') return false;
    this.transactions.set(reference, { ...transaction, state, outcome: copy(outcome), completedAt: at });
    return true;
  }

  async dueForDropOff(bucket: string): Promise<string[]> {
    return [...this.transactions.values()]
      .filter((transaction) => {
        const at = dropOffAt(transaction);
        return at !== undefined && minuteBucket(at) === bucket;
      })
      .map((transaction) => transaction.reference);
  }

  async erase(reference: string, _at: string): Promise<void> {
    this.transactions.delete(reference);
  }

  async markCallbackQueued(reference: string, at: string): Promise<void> {
    const transaction = this.transactions.get(reference);
    if (transaction && !transaction.callbackQueuedAt) {
      this.transactions.set(reference, { ...transaction, callbackQueuedAt: at });
    }
  }

  /** Test setup: change a stored transaction as a later stage of the product would. */
  update(reference: string, change: Partial<Transaction>): void {
    const transaction = this.transactions.get(reference);
    if (transaction === undefined) throw new Error(`no transaction ${reference}`);
    this.transactions.set(reference, { ...transaction, ...change });
  }
}
