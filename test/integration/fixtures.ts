import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { documentClient } from '#adapters/dynamodb';
import type { VerificationOutcome } from '#domain/callback';
import { sha256 } from '#domain/secrets';
import { DEFAULT_SETTINGS, resolveOptions } from '#domain/settings';
import type { Capture, Transaction } from '#domain/transaction';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';

/**
 * A fresh table on the run's DynamoDB Local, and a document client for it. TTL is off unless asked
 * for: DynamoDB Local deletes expired items by the real clock, in the background, which would make
 * fixtures dated in the past vanish at some moment of a run. The adapters never rely on TTL deletion
 * (they read a record past its time as gone themselves), so the tests lose nothing.
 */
export async function freshTable({ ttl = false }: { ttl?: boolean } = {}) {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `test-${randomUUID()}`;
  await ensureTable(endpoint, tableName, { ttl });
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  const db = documentClient({ AWS_REGION: LOCAL_REGION, DYNAMODB_ENDPOINT: endpoint });
  return { endpoint, tableName, db };
}

/**
 * A clock the test moves by hand. It starts at a fixed instant, whatever the machine's clock says:
 * the fixtures are dated 2026-11-22, and a stored time is only ever compared with this clock.
 */
export function manualClock(start = new Date('2026-11-22T10:00:00.000Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
    set(epochMs: number) {
      now = epochMs;
    },
  };
}

// ---- stored transactions -----------------------------------------------------------------------

export const MINUTE = 60_000;
/** When the fixtures' transactions were created, the manual clock's start. */
export const CREATED = Date.parse('2026-11-22T10:00:00.000Z');
export const at = (ms: number) => new Date(ms).toISOString();

/** A new transaction (INITIATED, ID only, a 30-minute token) as initiate stores it. */
export function transaction(overrides: Partial<Transaction> = {}): Transaction {
  return {
    reference: randomUUID(),
    customerId: 'c1',
    state: 'INITIATED',
    createdAt: at(CREATED),
    customerInternalReference: 'transaction_1234',
    userReference: 'user_1234',
    options: resolveOptions(DEFAULT_SETTINGS, {
      customerInternalReference: 'transaction_1234',
      userReference: 'user_1234',
      workflowId: 100,
    }),
    tokenHash: sha256(randomUUID()),
    tokenExpiresAt: CREATED + 30 * MINUTE,
    ...overrides,
  };
}

/** An accepted camera image of `side`, under a key of its own. */
export const capture = (reference: string, side: string, acceptedAt: number): Capture => ({
  key: `tx/${reference}/${side}/${randomUUID()}`,
  contentType: 'image/jpeg',
  source: 'camera',
  acceptedAt: at(acceptedAt),
});

export const APPROVED: VerificationOutcome = {
  verificationStatus: 'APPROVED_VERIFIED',
  idType: 'PASSPORT',
  idCountry: 'AUT',
  idNumber: 'P1234567',
  idFirstName: 'ANNA',
  idLastName: 'MUSTER',
  idDob: '1990-01-01',
  mrzCheck: 'OK',
};
