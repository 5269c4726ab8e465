import { describe, expect, it } from 'vitest';
import { JourneyErrorCode, SessionRejected } from '#domain/errors';
import { ALL_DOCUMENTS } from '#domain/journey';
import { JourneySession, journeySession } from '#domain/session';
import { DEFAULT_SETTINGS, resolveOptions } from '#domain/settings';
import {
  ABANDONED_RECORD_GRACE_MS,
  assertSessionOpen,
  canTransition,
  DEFAULT_RETENTION_DAYS,
  recordExpiresAt,
  scanStatus,
  TRANSACTION_STATES,
  type Transaction,
  type TransactionState,
} from '#domain/transaction';

const NOW = new Date('2018-07-03T08:23:12.494Z');
const MINUTE = 60_000;

function transaction(change: Partial<Transaction> = {}): Transaction {
  return {
    reference: '7c3e9a2d-6f41-4a57-9d0e-2b1f8c4d5e60',
    customerId: 'customer-1',
    state: 'INITIATED',
    createdAt: NOW.toISOString(),
    customerInternalReference: 'transaction_1234',
    userReference: 'user_1234',
    options: resolveOptions(DEFAULT_SETTINGS, {
      customerInternalReference: 'transaction_1234',
      userReference: 'user_1234',
    }),
    tokenHash: 'a'.repeat(64),
    tokenExpiresAt: NOW.getTime() + 30 * MINUTE,
    ...change,
  };
}

function rejection(run: () => void): SessionRejected {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionRejected);
    return error as SessionRejected;
  }
  throw new Error('expected a SessionRejected');
}

describe('canTransition', () => {
  const ALLOWED: [TransactionState, TransactionState][] = [
    ['INITIATED', 'STARTED'],
    ['INITIATED', 'FAILED'],
    ['STARTED', 'SUBMITTED'],
    ['STARTED', 'FAILED'],
    ['SUBMITTED', 'PROCESSING'],
    ['SUBMITTED', 'STARTED'],
    ['SUBMITTED', 'FAILED'],
    ['PROCESSING', 'DONE'],
    ['PROCESSING', 'FAILED'],
  ];
  const allowed = new Set(ALLOWED.map(([from, to]) => `${from}→${to}`));
  const ALL = TRANSACTION_STATES.flatMap((from) => TRANSACTION_STATES.map((to) => [from, to] as const));

  it.each(ALL)('%s → %s follows the state diagram', (from, to) => {
    expect(canTransition(from, to)).toBe(allowed.has(`${from}→${to}`));
  });

  it('DONE and FAILED are final', () => {
    for (const to of TRANSACTION_STATES) {
      expect(canTransition('DONE', to)).toBe(false);
      expect(canTransition('FAILED', to)).toBe(false);
    }
  });

  it('no state moves to itself', () => {
    for (const state of TRANSACTION_STATES) expect(canTransition(state, state)).toBe(false);
  });
});

describe('scanStatus', () => {
  it.each([
    ['INITIATED', 'PENDING'],
    ['STARTED', 'PENDING'],
    ['SUBMITTED', 'PENDING'],
    ['PROCESSING', 'PENDING'],
    ['DONE', 'DONE'],
    ['FAILED', 'FAILED'],
  ] as const)('%s reads as %s', (state, status) => {
    expect(scanStatus(state)).toBe(status);
  });
});

describe('assertSessionOpen', () => {
  it('opens a valid INITIATED or STARTED transaction', () => {
    expect(() => assertSessionOpen(transaction(), NOW)).not.toThrow();
    expect(() =>
      assertSessionOpen(
        transaction({ state: 'STARTED', startedAt: NOW.toISOString() }),
        new Date(NOW.getTime() + MINUTE),
      ),
    ).not.toThrow();
  });

  it('opens until the last millisecond before expiry', () => {
    const tx = transaction();
    expect(() => assertSessionOpen(tx, new Date(tx.tokenExpiresAt - 1))).not.toThrow();
  });

  it('refuses at the expiry instant', () => {
    const tx = transaction();
    expect(rejection(() => assertSessionOpen(tx, new Date(tx.tokenExpiresAt))).errorCode).toBe(9200);
  });

  it('expired and never started → 9200', () => {
    const tx = transaction();
    const error = rejection(() => assertSessionOpen(tx, new Date(tx.tokenExpiresAt + MINUTE)));
    expect(error.errorCode).toBe(JourneyErrorCode.tokenInvalid);
    expect(error.status).toBe(401);
    expect(error.code).toBe('session_rejected');
  });

  it('expired after the journey started → 9210', () => {
    const tx = transaction({ state: 'STARTED', startedAt: new Date(NOW.getTime() + MINUTE).toISOString() });
    const error = rejection(() => assertSessionOpen(tx, new Date(tx.tokenExpiresAt + MINUTE)));
    expect(error.errorCode).toBe(JourneyErrorCode.sessionExpired);
    expect(error.message).toMatch(/expired after the journey started/);
  });

  it.each(['SUBMITTED', 'PROCESSING', 'DONE', 'FAILED'] as const)(
    'refuses a %s transaction before expiry',
    (state) => {
      const tx = transaction({ state, startedAt: NOW.toISOString() });
      expect(rejection(() => assertSessionOpen(tx, NOW))).toBeInstanceOf(SessionRejected);
    },
  );

  it('refuses a FAILED transaction that never started with 9200', () => {
    expect(rejection(() => assertSessionOpen(transaction({ state: 'FAILED' }), NOW)).errorCode).toBe(9200);
  });
});

describe('recordExpiresAt', () => {
  const created = Date.parse('2018-07-03T08:23:12.494Z');
  const started = (options: Partial<Transaction['options']>, outcome?: Transaction['outcome']) =>
    transaction({
      state: outcome ? 'DONE' : 'STARTED',
      tokenExpiresAt: created + 30 * MINUTE,
      options: { ...transaction().options, ...options },
      ...(outcome ? { outcome } : {}),
    });

  it("follows the customer's retention, and keeps for good what the customer keeps forever", () => {
    expect(recordExpiresAt(started({ retentionDays: 30 }))).toBe(created + 31 * 24 * 60 * MINUTE);
    expect(recordExpiresAt(started({ retentionDays: 'forever' }))).toBeUndefined();
  });

  it('keeps fraud for good unless the customer purges it too', () => {
    const fraud = { verificationStatus: 'DENIED_FRAUD' as const };
    expect(recordExpiresAt(started({ retentionDays: 30 }, fraud))).toBeUndefined();
    expect(recordExpiresAt(started({ retentionDays: 30, purgeFraudTransactions: true }, fraud))).toBe(
      created + 31 * 24 * 60 * MINUTE,
    );
    expect(recordExpiresAt(started({ retentionDays: 30 }, { verificationStatus: 'APPROVED_VERIFIED' }))).toBe(
      created + 31 * 24 * 60 * MINUTE,
    );
  });

  it('an INITIATED transaction lives a day past its token', () => {
    expect(recordExpiresAt(transaction({ tokenExpiresAt: NOW.getTime() + 5 * MINUTE }))).toBe(
      NOW.getTime() + 5 * MINUTE + ABANDONED_RECORD_GRACE_MS,
    );
    expect(ABANDONED_RECORD_GRACE_MS).toBe(24 * 60 * MINUTE);
  });

  it.each(TRANSACTION_STATES.filter((state) => state !== 'INITIATED'))(
    'a %s transaction is kept for the retention period (360 days by default) from its creation, and a day for the job',
    (state) => {
      const created = Date.parse('2018-07-03T08:23:12.494Z');
      expect(recordExpiresAt(transaction({ state, tokenExpiresAt: created + 86_400 * MINUTE }))).toBe(
        created + (DEFAULT_RETENTION_DAYS + 1) * 24 * 60 * MINUTE,
      );
      expect(DEFAULT_RETENTION_DAYS).toBe(360);
    },
  );
});

describe('journeySession', () => {
  it('tells the journey what it runs with, and validates against its schema', () => {
    const tx = transaction();
    const session = journeySession(tx);
    expect(session).toEqual({
      transactionReference: tx.reference,
      customerInternalReference: 'transaction_1234',
      workflowId: 100,
      verificationType: 'ID_ONLY',
      captureMethod: 'CAMERA_AND_UPLOAD',
      locale: 'en',
      skipIntro: false,
      expiresAt: new Date(tx.tokenExpiresAt).toISOString(),
      acceptedDocuments: ALL_DOCUMENTS,
      branding: {},
    });
    expect(JourneySession.parse(session)).toEqual(session);
  });

  it('includes presets only when the transaction has them', () => {
    const presets = [{ index: 1 as const, country: 'AUT', type: 'PASSPORT' as const }];
    const tx = transaction();
    expect(journeySession({ ...tx, options: { ...tx.options, presets } }).presets).toEqual(presets);
    expect('presets' in journeySession(tx)).toBe(false);
  });

  it('does not reveal the user reference', () => {
    expect(JSON.stringify(journeySession(transaction()))).not.toContain('user_1234');
  });
});
