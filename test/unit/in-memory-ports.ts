import type { AttemptResult, CallbackRequest, CallbackSender, VerificationOutcome } from '#domain/callback';
import type { Customer, StoredCredential, WebhookSecret } from '#domain/customer';
import { dueAt, minuteBucket } from '#domain/drop-off';
import { Conflict, NotFound } from '#domain/errors';
import type { ImageKind, UnusableReason, Usability } from '#domain/image-rules';
import { type CaptureSide, submissionSource } from '#domain/journey';
import type { CustomerSettings } from '#domain/settings';
import { ruleAllows, type SubmitRule } from '#domain/submit-rule';
import { type Capture, recordExpiresAt, type Transaction, type TransactionState } from '#domain/transaction';
import type {
  CallbackAttempt,
  CallbackLog,
  Clock,
  CustomerRepository,
  DeadLetter,
  ImageInspector,
  ImageStore,
  IntakeResult,
  JobCursors,
  StoredImage,
  Submission,
  TransactionRepository,
  WorkQueue,
} from '#use-cases/ports';

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

  async listIds(): Promise<string[]> {
    return [...this.customers.keys()];
  }

  async setWebhookSecrets(customerId: string, secrets: WebhookSecret[]): Promise<void> {
    const customer = this.customers.get(customerId);
    if (customer === undefined) throw new Error(`no customer ${customerId}`);
    this.customers.set(customerId, { ...customer, webhookSecrets: copy(secrets) });
  }

  async updateSettings(customerId: string, settings: CustomerSettings): Promise<void> {
    const customer = this.customers.get(customerId);
    if (customer === undefined) throw new NotFound(`No customer ${customerId}.`);
    this.customers.set(customerId, { ...customer, settings: copy(settings) });
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
  readonly calls = { create: 0, get: 0, markStarted: 0, submitChecked: 0, submit: 0 };
  /** The rule `markStarted` stored, by reference, as the DynamoDB adapter keeps it on the record. */
  readonly rules = new Map<string, SubmitRule>();
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
    this.setKeptUntil(transaction.reference, recordExpiresAt(transaction));
  }

  /** Undefined: kept for good, as a record without a TTL attribute. */
  private setKeptUntil(reference: string, keepUntil: number | undefined): void {
    if (keepUntil === undefined) this.keptUntil.delete(reference);
    else this.keptUntil.set(reference, keepUntil);
  }

  async getMany(references: readonly string[]): Promise<Map<string, Transaction>> {
    const found = new Map<string, Transaction>();
    for (const reference of references) {
      const transaction = await this.get(reference);
      if (transaction) found.set(reference, transaction);
    }
    return found;
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
    keepUntil: number | undefined,
    _dropOffAt: number,
    rule: SubmitRule,
  ): Promise<void> {
    this.calls.markStarted++;
    const transaction = this.transactions.get(reference);
    if (transaction?.state === 'INITIATED') {
      this.transactions.set(reference, { ...transaction, state: 'STARTED', startedAt });
      this.setKeptUntil(reference, keepUntil);
      this.rules.set(reference, copy(rule));
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

  async markVerifyResent(reference: string, at: string, _nextDue: number | undefined): Promise<boolean> {
    const transaction = this.transactions.get(reference);
    if (transaction?.state !== 'SUBMITTED' && transaction?.state !== 'PROCESSING') return false;
    this.transactions.set(reference, {
      ...transaction,
      verifyQueuedAt: at,
      verifyResends: (transaction.verifyResends ?? 0) + 1,
    });
    return true;
  }

  async submit(reference: string, submission: Submission): Promise<boolean> {
    this.calls.submit++;
    const transaction = this.transactions.get(reference);
    if (transaction?.state !== 'STARTED') return false;
    this.transactions.set(reference, submitted(transaction, submission));
    return true;
  }

  /** The DynamoDB adapter's condition, clause by clause (test/integration/submit-checked.test.ts). */
  async submitChecked(
    reference: string,
    check: { tokenHash: string; now: number; sides: readonly CaptureSide[] },
    submission: Submission,
  ): Promise<boolean> {
    this.calls.submitChecked++;
    const transaction = this.transactions.get(reference);
    const rule = this.rules.get(reference);
    const keptUntil = this.keptUntil.get(reference);
    if (
      !transaction ||
      !rule ||
      transaction.tokenHash !== check.tokenHash ||
      transaction.state !== 'STARTED' ||
      transaction.tokenExpiresAt <= check.now ||
      (keptUntil !== undefined && keptUntil <= check.now) ||
      !check.sides.every((side) => transaction.captures?.[side]) ||
      (rule.face && !transaction.captures?.face) ||
      !ruleAllows(rule, submission.document.country, submission.document.idType)
    ) {
      return false;
    }
    this.transactions.set(reference, submitted(transaction, submission));
    return true;
  }

  async finish(
    reference: string,
    outcome: VerificationOutcome,
    at: string,
    state: 'DONE' | 'FAILED',
    options: { from?: readonly TransactionState[]; keepUntil?: number | undefined } = {},
  ): Promise<boolean> {
    const transaction = this.transactions.get(reference);
    const from = options.from ?? ['INITIATED', 'STARTED', 'SUBMITTED', 'PROCESSING'];
    if (!transaction || !from.includes(transaction.state)) return false;
    this.transactions.set(reference, { ...transaction, state, outcome: copy(outcome), completedAt: at });
    if ('keepUntil' in options) this.setKeptUntil(reference, options.keepUntil);
    return true;
  }

  async dueForDropOff(bucket: string): Promise<string[]> {
    return [...this.transactions.values()]
      .filter((transaction) => {
        const at = dueAt(transaction);
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

interface StoredObject {
  bytes: Buffer;
  contentType?: string;
  metadata: Record<string, string>;
}

/** Objects by key, as S3 keeps them; presigned uploads are recorded, and `upload` plays the browser. */
export class InMemoryImageStore implements ImageStore {
  readonly objects = new Map<string, StoredObject>();
  readonly presigned: Parameters<ImageStore['presignUpload']>[0][] = [];

  async presignUpload(request: Parameters<ImageStore['presignUpload']>[0]) {
    this.presigned.push(copy(request));
    return {
      url: 'https://images.example.test/bucket',
      fields: { key: request.key, 'Content-Type': request.contentType },
    };
  }

  /** Test setup: what the browser's POST to a presigned URL leaves in the bucket. */
  upload(key: string, bytes: Buffer, contentType?: string, metadata: Record<string, string> = {}): void {
    this.objects.set(key, {
      bytes: Buffer.from(bytes),
      ...(contentType !== undefined ? { contentType } : {}),
      metadata: { ...metadata },
    });
  }

  async get(key: string, maxBytes: number): Promise<StoredImage> {
    const object = this.objects.get(key);
    if (object === undefined) return { status: 'absent' };
    if (object.bytes.length > maxBytes) return { status: 'too-large' };
    return {
      status: 'ok',
      bytes: Buffer.from(object.bytes),
      ...(object.contentType !== undefined ? { contentType: object.contentType } : {}),
      metadata: { ...object.metadata },
    };
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    this.upload(key, bytes, contentType);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix));
    for (const key of keys) this.objects.delete(key);
    return keys.length;
  }
}

/**
 * Judges an image by its bytes as text: `ok` is usable; an `UnusableReason` (`BLURRED`, `GLARE`, …)
 * is refused by the usability check with that reason, except `NOT_AN_IMAGE`, refused at intake.
 */
export class FakeImageInspector implements ImageInspector {
  readonly calls = { intake: 0, usability: 0 };
  readonly kinds: ImageKind[] = [];

  async intake(bytes: Buffer, declared: { contentType: string; maxBytes: number }): Promise<IntakeResult> {
    this.calls.intake++;
    if (bytes.toString() === 'NOT_AN_IMAGE') {
      return { ok: false, reason: 'NOT_AN_IMAGE', detail: 'not a JPEG or PNG' };
    }
    const format = declared.contentType === 'image/png' ? 'png' : 'jpeg';
    return { ok: true, image: Buffer.from(bytes), width: 1600, height: 1000, format };
  }

  async usability(image: Buffer, kind: ImageKind): Promise<Usability> {
    this.calls.usability++;
    this.kinds.push(kind);
    const text = image.toString();
    if (text !== 'ok') return { usable: false, reason: text as UnusableReason };
    const metrics = {
      width: 1600,
      height: 1000,
      brightness: 128,
      contrast: 50,
      clipped: 0,
      sharpness: 1,
      glare: 0,
    };
    return { usable: true, metrics };
  }
}

/** An image the fake inspector accepts. */
export const USABLE_IMAGE = Buffer.from('ok');

/** Records every message sent, with its delay, in order. */
export class RecordingQueue implements WorkQueue {
  readonly sent: { message: unknown; delaySeconds?: number }[] = [];

  async send(message: unknown, options?: { delaySeconds?: number }): Promise<void> {
    this.sent.push({
      message: copy(message),
      ...(options?.delaySeconds !== undefined ? { delaySeconds: options.delaySeconds } : {}),
    });
  }

  get messages(): unknown[] {
    return this.sent.map((entry) => entry.message);
  }
}

export class InMemoryCallbackLog implements CallbackLog {
  readonly recorded: { attempt: CallbackAttempt; keepUntil: number }[] = [];
  readonly letters: { letter: DeadLetter; keepUntil: number }[] = [];

  async record(attempt: CallbackAttempt, keepUntil: number): Promise<void> {
    this.recorded.push({ attempt: copy(attempt), keepUntil });
  }

  async attempts(reference: string): Promise<CallbackAttempt[]> {
    return this.recorded
      .filter(({ attempt }) => attempt.reference === reference)
      .map(({ attempt }) => copy(attempt));
  }

  async deadLetter(letter: DeadLetter, keepUntil: number): Promise<void> {
    this.letters.push({ letter: copy(letter), keepUntil });
  }

  /** The batched write, counted: the deliverer writes each batch's attempts with one call. */
  writes = 0;

  async write(entries: Parameters<CallbackLog['write']>[0]): Promise<void> {
    this.writes++;
    for (const { attempt, keepUntil } of entries.attempts) await this.record(attempt, keepUntil as number);
    for (const { letter, keepUntil } of entries.deadLetters)
      await this.deadLetter(letter, keepUntil as number);
  }

  async deliveredAmong(
    callbacks: ReadonlyArray<{ reference: string; webhookId: string }>,
  ): Promise<Set<string>> {
    return new Set(
      callbacks
        .filter(({ reference, webhookId }) =>
          this.recorded.some(
            ({ attempt }) =>
              attempt.reference === reference &&
              attempt.webhookId === webhookId &&
              attempt.outcome === 'delivered',
          ),
        )
        .map(({ webhookId }) => webhookId),
    );
  }

  async deadLetters(customerId: string, from: string, to: string): Promise<DeadLetter[]> {
    return this.letters
      .map(({ letter }) => letter)
      .filter((letter) => letter.customerId === customerId && letter.at >= from && letter.at <= to)
      .map(copy);
  }
}

export class InMemoryJobCursors implements JobCursors {
  readonly values = new Map<string, string>();

  async get(job: string): Promise<string | undefined> {
    return this.values.get(job);
  }

  async set(job: string, value: string): Promise<void> {
    this.values.set(job, value);
  }
}

/** Answers each attempt with the next scripted result (delivered once the script runs out). */
export class ScriptedCallbackSender implements CallbackSender {
  readonly requests: CallbackRequest[] = [];
  private readonly script: Omit<AttemptResult, 'latencyMs'>[];

  constructor(script: Omit<AttemptResult, 'latencyMs'>[] = []) {
    this.script = [...script];
  }

  /** Adds results to answer the next attempts with. */
  answer(...results: Omit<AttemptResult, 'latencyMs'>[]): void {
    this.script.push(...results);
  }

  async send(request: CallbackRequest): Promise<AttemptResult> {
    this.requests.push({ ...request, secrets: [...request.secrets] });
    return { latencyMs: 12.4, ...(this.script.shift() ?? { outcome: 'delivered', statusCode: 200 }) };
  }
}

/** A started transaction as a submission leaves it; the source as the DynamoDB adapter derives it. */
function submitted(transaction: Transaction, submission: Submission): Transaction {
  return {
    ...transaction,
    state: 'SUBMITTED',
    document: { ...submission.document },
    source: submissionSource(submission.embedded, submission.document.idType, transaction.captures),
    submittedAt: submission.at,
    lastActivityAt: submission.at,
    ...(submission.clientIp ? { clientIp: submission.clientIp } : {}),
  };
}
