import { JourneyErrorCode, SessionRejected } from './errors.ts';
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
  /** Epoch milliseconds after which the authorization token no longer opens the journey. */
  tokenExpiresAt: number;
  /** ISO-8601 UTC of the first successful session check. */
  startedAt?: string;
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
