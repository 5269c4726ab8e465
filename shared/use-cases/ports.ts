import type { AttemptResult, VerificationOutcome } from '#domain/callback';
import type { Customer, StoredCredential, WebhookSecret } from '#domain/customer';
import type { ImageFormat, ImageKind, UnusableReason, Usability } from '#domain/image-rules';
import type { IdType } from '#domain/initiate-request';
import type { CaptureSide, ImageContentType } from '#domain/journey';
import type { PrintedReading } from '#domain/printed-fields';
import type { CustomerSettings } from '#domain/settings';
import type { SubmitRule } from '#domain/submit-rule';
import type { Capture, Transaction, TransactionState } from '#domain/transaction';

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
  /** Every customer's id. */
  listIds(): Promise<string[]>;
  /** Replaces the customer's callback signing secrets. */
  setWebhookSecrets(customerId: string, secrets: WebhookSecret[]): Promise<void>;
  /** Replaces the customer's settings (already validated and merged: `mergeSettings`). */
  updateSettings(customerId: string, settings: CustomerSettings): Promise<void>;
}

export interface TransactionRepository {
  /** Stores a new transaction; its record expires at `recordExpiresAt(transaction)`. */
  create(transaction: Transaction): Promise<void>;
  get(reference: string): Promise<Transaction | undefined>;
  /** Several at once, as `get` reads each (a batch's worth in one round trip): those that exist. */
  getMany(references: readonly string[]): Promise<Map<string, Transaction>>;
  /**
   * INITIATED → STARTED, once, keeping the record until `keepUntil` (epoch ms) from then on and the
   * rule its submission is checked against; a no-op when another request got there first.
   */
  markStarted(
    reference: string,
    startedAt: string,
    keepUntil: number | undefined,
    dropOffAt: number,
    rule: SubmitRule,
  ): Promise<void>;
  /**
   * Keeps an accepted image of a started journey, and when it now drops off if nothing else
   * happens; false when the journey is no longer open.
   */
  recordCapture(reference: string, side: CaptureSide, capture: Capture, dropOffAt: number): Promise<boolean>;
  /**
   * Counts a refused attempt of a started journey and answers how many there have been, or
   * undefined when the journey is no longer open.
   */
  recordRefusal(
    reference: string,
    reason: string,
    at: string,
    dropOffAt: number,
  ): Promise<number | undefined>;
  /** The references of transactions due to drop off in the minute `bucket` (`2026-11-27T12:34`). */
  dueForDropOff(bucket: string): Promise<string[]>;
  /**
   * STARTED → SUBMITTED, once; false when the transaction was not STARTED. It is due again when its
   * verification would be overdue (`verificationOverdueAt`).
   */
  submit(reference: string, submission: Submission): Promise<boolean>;
  /**
   * STARTED → SUBMITTED in one write that applies only when everything a submission needs holds on
   * the stored record: the token's digest, the session open at `now` (epoch ms), the choice allowed
   * by the rule `markStarted` stored, and `sides` accepted (the selfie too when the rule wants one).
   * False when anything does not, a record started without a rule included: the caller then reads
   * the record and says why (or submits it the long way).
   */
  submitChecked(
    reference: string,
    check: { tokenHash: string; now: number; sides: readonly CaptureSide[] },
    submission: Submission,
  ): Promise<boolean>;
  /**
   * Notes that the verify message of a submitted (or processing) transaction was sent again at `at`,
   * and when it is next due (epoch ms; undefined: no more); false when it has a verdict meanwhile.
   */
  markVerifyResent(reference: string, at: string, nextDue: number | undefined): Promise<boolean>;
  /**
   * Stores the verdict and moves the transaction to DONE (or FAILED for an error outcome), once:
   * from one of `from` (default: any state but DONE and FAILED), so that a verdict never lands on
   * a transaction that moved on meanwhile. False when the condition failed. `keepUntil` is the
   * record's new TTL (epoch ms; undefined: kept for good), as `recordExpiresAt` gives it.
   */
  finish(
    reference: string,
    outcome: VerificationOutcome,
    at: string,
    state: 'DONE' | 'FAILED',
    options?: { from?: readonly TransactionState[]; keepUntil?: number | undefined },
  ): Promise<boolean>;
  /** Notes that the final callback was queued (so a redelivered message queues it only if not). */
  markCallbackQueued(reference: string, at: string): Promise<void>;
  /**
   * Replaces the transaction with a record that it was deleted (reference, customer, creation and
   * deletion times): no personal data, and `get` answers undefined from then on.
   */
  erase(reference: string, at: string): Promise<void>;
}

export interface Submission {
  document: { country: string; idType: IdType };
  /** Whether the journey ran in an iframe: with the captures' sources, it gives `Transaction.source`. */
  embedded: boolean;
  clientIp?: string;
  at: string;
}

/** Where images live: S3, or the local S3-API server. Keys are chosen by the server. */
export interface ImageStore {
  /** A presigned POST for exactly one object at `key`, of `contentType`, of at most `maxBytes`. */
  presignUpload(request: {
    key: string;
    contentType: ImageContentType;
    maxBytes: number;
    expiresInSeconds: number;
    /** Stored with the object (`x-amz-meta-…`), pinned by the policy. */
    metadata?: Record<string, string>;
  }): Promise<{ url: string; fields: Record<string, string> }>;
  /** The object, unless absent or over `maxBytes` (which is not read). */
  get(key: string, maxBytes: number): Promise<StoredImage>;
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** Deletes every object under the prefix; answers how many. */
  deletePrefix(prefix: string): Promise<number>;
}

export type StoredImage =
  | { status: 'ok'; bytes: Buffer; contentType?: string; metadata: Record<string, string> }
  | { status: 'absent' }
  | { status: 'too-large' };

/** Decodes, normalises and judges images (shared/adapters/sharp-image-inspector.ts). */
export interface ImageInspector {
  intake(bytes: Buffer, declared: { contentType: string; maxBytes: number }): Promise<IntakeResult>;
  usability(image: Buffer, kind: ImageKind): Promise<Usability>;
}

export type IntakeResult =
  | {
      ok: true;
      /** Normalised: EXIF orientation applied, re-encoded as JPEG, metadata stripped. */
      image: Buffer;
      width: number;
      height: number;
      /** The format the file really was. */
      format: ImageFormat;
    }
  | { ok: false; reason: UnusableReason; detail: string };

/** One delivery attempt of one callback, as the customer reads it. No personal data. */
export interface CallbackAttempt {
  reference: string;
  webhookId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** ISO-8601 UTC. */
  at: string;
  outcome: AttemptResult['outcome'];
  statusCode?: number;
  latencyMs: number;
  errorClass?: string;
  /** ISO-8601 UTC of the next attempt, when one is scheduled. */
  nextAttemptAt?: string;
}

/** A callback that ran out of attempts, kept for replay. */
export interface DeadLetter {
  customerId: string;
  reference: string;
  webhookId: string;
  kind: string;
  /** ISO-8601 UTC of the last attempt. */
  at: string;
  attempts: number;
  lastErrorClass?: string;
  lastStatusCode?: number;
}

/** A callback by its transaction and webhook id. */
export interface CallbackId {
  reference: string;
  webhookId: string;
}

export interface CallbackLog {
  record(attempt: CallbackAttempt, keepUntil: number | undefined): Promise<void>;
  attempts(reference: string): Promise<CallbackAttempt[]>;
  deadLetter(letter: DeadLetter, keepUntil: number | undefined): Promise<void>;
  /** The webhook ids, of those given, that an attempt delivered (a batch's worth in one round trip). */
  deliveredAmong(callbacks: readonly CallbackId[]): Promise<Set<string>>;
  /** The attempts and dead letters of a batch of deliveries, written together. */
  write(entries: {
    attempts: ReadonlyArray<{ attempt: CallbackAttempt; keepUntil: number | undefined }>;
    deadLetters: ReadonlyArray<{ letter: DeadLetter; keepUntil: number | undefined }>;
  }): Promise<void>;
  /** Dead letters of a customer with `at` from `from` to `to` (ISO-8601, inclusive). */
  deadLetters(customerId: string, from: string, to: string): Promise<DeadLetter[]>;
}

/** Transactions by customer and creation time (the `created` index), for retention. */
export interface CreationIndex {
  /** References of the customer's transactions created before `before` (ISO-8601), oldest first. */
  createdBefore(customerId: string, before: string, limit: number): Promise<string[]>;
}

/** A scheduled job's progress (the last minute it finished), so a late run catches up. */
export interface JobCursors {
  get(job: string): Promise<string | undefined>;
  set(job: string, value: string): Promise<void>;
}

/** The work queues (shared/queues.ts). */
export interface WorkQueue {
  send(message: unknown, options?: { delaySeconds?: number }): Promise<void>;
}

/**
 * Reads the printed fields of a document side that has no MRZ and no barcode (an EU-format driving
 * licence's front): shared/adapters/tesseract-printed-reader.ts. Each pass is parsed and validated on
 * its own; `confirmPrinted` (shared/domain/printed-fields.ts) decides what counts.
 */
export interface PrintedFieldReader {
  /** The layout recognised and its readings, or undefined when none is recognised; never throws on a bad image. */
  read(image: Buffer): Promise<PrintedReading | undefined>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
