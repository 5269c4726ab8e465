import type { VerificationOutcome } from './callback.ts';
import { JourneyErrorCode, SessionRejected } from './errors.ts';
import type { IdType } from './initiate-request.ts';
import type { CaptureSide, CaptureSource, ImageContentType, ScanSource } from './journey.ts';
import type { TransactionOptions } from './settings.ts';

/**
 * A verification transaction and its life. States move forward only:
 *
 *   INITIATED ─▶ STARTED ─▶ SUBMITTED ─▶ PROCESSING ─▶ DONE
 *       │           │           │             └──────▶ FAILED
 *       └───────────┴───────────┴──────────────────────▶ FAILED   (expiry, drop-off, three rejections)
 *
 * The retrieval API reports PENDING until DONE or FAILED.
 */

export const TRANSACTION_STATES = [
  'INITIATED',
  'STARTED',
  'SUBMITTED',
  'PROCESSING',
  'DONE',
  'FAILED',
] as const;
export type TransactionState = (typeof TRANSACTION_STATES)[number];

const NEXT: Record<TransactionState, readonly TransactionState[]> = {
  INITIATED: ['STARTED', 'FAILED'],
  STARTED: ['SUBMITTED', 'FAILED'],
  SUBMITTED: ['PROCESSING', 'STARTED', 'FAILED'],
  PROCESSING: ['DONE', 'FAILED'],
  DONE: [],
  FAILED: [],
};

export function canTransition(from: TransactionState, to: TransactionState): boolean {
  return NEXT[from].includes(to);
}

export type ScanStatus = 'PENDING' | 'DONE' | 'FAILED';

export function scanStatus(state: TransactionState): ScanStatus {
  return state === 'DONE' || state === 'FAILED' ? state : 'PENDING';
}

export interface Transaction {
  reference: string;
  customerId: string;
  state: TransactionState;
  /** ISO-8601 UTC. */
  createdAt: string;
  customerInternalReference: string;
  userReference: string;
  reportingCriteria?: string;
  options: TransactionOptions;
  /** SHA-256 (hex) of the journey's authorization token; the token itself is never stored. */
  tokenHash: string;
  /** Epoch milliseconds after which the authorization token no longer opens the journey. */
  tokenExpiresAt: number;
  /** ISO-8601 UTC of the first successful session check. */
  startedAt?: string;

  // The journey (issue 7): what later stages need.
  /** The accepted image of each side, by the key the server chose for it. */
  captures?: Partial<Record<CaptureSide, Capture>>;
  /** Refused attempts so far; the third ends the journey with 9835. */
  refusedAttempts?: number;
  /** Why the last attempt was refused (an `UnusableReason`). */
  lastRejectReason?: string;
  /** ISO-8601 UTC of the user's last upload or submission: drop-offs count from it. */
  lastActivityAt?: string;
  /** ISO-8601 UTC of the first image received. */
  firstAttemptAt?: string;
  /** The document the user chose (or the preset gave), known at submission. */
  document?: { country: string; idType: IdType };
  source?: ScanSource;
  clientIp?: string;
  submittedAt?: string;
  /** When the drop-off job last sent the verify message again (ISO-8601): see `verificationOverdueAt`. */
  verifyQueuedAt?: string;
  /** How many times the drop-off job sent the verify message again. */
  verifyResends?: number;

  // Verification (issue 8) and its delivery (issue 9).
  outcome?: VerificationOutcome;
  /** ISO-8601 UTC of the verdict. */
  completedAt?: string;
  /** ISO-8601 UTC at which the final callback was handed to the callback queue. */
  callbackQueuedAt?: string;
}

export interface Capture {
  key: string;
  contentType: ImageContentType;
  source: CaptureSource;
  /** ISO-8601 UTC. */
  acceptedAt: string;
}

/**
 * Whether the journey may open a session now. A token past its expiry is refused with 9210 when the
 * journey had already started, else 9200 (seed 000, error codes).
 */
export function assertSessionOpen(transaction: Transaction, now: Date): void {
  if (
    now.getTime() < transaction.tokenExpiresAt &&
    (transaction.state === 'INITIATED' || transaction.state === 'STARTED')
  ) {
    return;
  }
  if (transaction.startedAt !== undefined) throw new SessionRejected(JourneyErrorCode.sessionExpired);
  throw new SessionRejected(JourneyErrorCode.tokenInvalid);
}

/** A transaction whose journey never started is kept this long after its token expired, then purged. */
export const ABANDONED_RECORD_GRACE_MS = 24 * 60 * 60 * 1000;

/** The portal's default data retention (seed 003: "360 days by default"). */
export const DEFAULT_RETENTION_DAYS = 360;

/**
 * A day beyond the retention period: the retention job purges images and data on time, and TTL
 * removes the record after it, never before the job has seen it.
 */
export const RETENTION_TTL_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Until when the transaction's record is kept (epoch ms), which the store hands to DynamoDB TTL, or
 * undefined for good. While the journey has not started, the record lives as long as its token (and
 * a day's grace, so that the integrator can still look it up); once it has, the record holds the
 * user's journey and is kept for the customer's retention period from creation (a day more, see
 * above), for good when the customer keeps data forever, and fraud is kept unless the customer
 * purges it too (seed 003, "Data retention").
 */
export function recordExpiresAt(transaction: Transaction): number | undefined {
  if (transaction.state === 'INITIATED') return transaction.tokenExpiresAt + ABANDONED_RECORD_GRACE_MS;
  const days = transaction.options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (days === 'forever') return undefined;
  if (
    transaction.outcome?.verificationStatus === 'DENIED_FRAUD' &&
    !transaction.options.purgeFraudTransactions
  ) {
    return undefined;
  }
  return Date.parse(transaction.createdAt) + days * 24 * 60 * 60 * 1000 + RETENTION_TTL_GRACE_MS;
}
