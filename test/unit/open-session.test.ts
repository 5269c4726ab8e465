import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { issueAuthorizationToken } from '#domain/authorization-token';
import { JourneyErrorCode, SessionRejected } from '#domain/errors';
import { InitiateRequest } from '#domain/initiate-request';
import { ALL_DOCUMENTS } from '#domain/journey';
import { CustomerSettings } from '#domain/settings';
import { DEFAULT_RETENTION_DAYS } from '#domain/transaction';
import { initiate } from '#use-cases/initiate';
import { openSession } from '#use-cases/open-session';
import { FakeClock, InMemoryTransactions, MINUTE } from './in-memory-ports.ts';

let clock: FakeClock;
let transactions: InMemoryTransactions;
let token: string;
let reference: string;

beforeEach(async () => {
  clock = new FakeClock('2018-07-03T08:23:12.494Z');
  transactions = new InMemoryTransactions(clock);
  const response = await initiate(
    { transactions, clock, hosts: { baseUrl: 'https://verify.example.com' } },
    {
      customerId: 'c-1',
      name: 'Example Corp',
      settings: CustomerSettings.parse({}),
      createdAt: clock.now().toISOString(),
    },
    InitiateRequest.parse({
      customerInternalReference: 'transaction_1234',
      userReference: 'user_1234',
      workflowId: 200,
      locale: 'fr',
      presets: [{ index: 2, phrase: 'MY CUSTOM PHRASE' }],
    }),
  );
  token = new URL(response.redirectUrl).searchParams.get('authorizationToken') ?? '';
  reference = response.transactionReference;
});

/** Opens with the transaction's token unless given another (an explicit `undefined` is sent as such). */
const open = (...value: [string | undefined] | []) =>
  openSession({ transactions, clock }, value.length === 0 ? token : value[0]);

async function rejectedWith(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SessionRejected);
    return (error as SessionRejected).errorCode;
  }
  throw new Error('expected a SessionRejected');
}

describe('openSession', () => {
  it('a valid token opens the session of its transaction', async () => {
    expect(await open()).toEqual({
      transactionReference: reference,
      customerInternalReference: 'transaction_1234',
      workflowId: 200,
      verificationType: 'ID_AND_IDENTITY',
      captureMethod: 'CAMERA_AND_UPLOAD',
      locale: 'fr',
      skipIntro: false,
      presets: [{ index: 2, phrase: 'MY CUSTOM PHRASE' }],
      expiresAt: new Date(clock.now().getTime() + 30 * MINUTE).toISOString(),
      acceptedDocuments: ALL_DOCUMENTS,
      branding: {},
    });
  });

  it('a missing token → 9200, without a lookup', async () => {
    expect(await rejectedWith(open(undefined))).toBe(JourneyErrorCode.tokenInvalid);
    expect(transactions.calls.get).toBe(0);
  });

  it.each([
    '',
    'abc',
    'a'.repeat(43),
    'A'.repeat(64),
    `${'a'.repeat(63)}!`,
    `ovk_${'a'.repeat(60)}`,
    'a'.repeat(65),
  ])('a malformed token %j → 9200, without a lookup', async (value) => {
    expect(await rejectedWith(open(value))).toBe(9200);
    expect(transactions.calls.get).toBe(0);
  });

  it('a well-formed token for an unknown transaction → 9200', async () => {
    expect(await rejectedWith(open(issueAuthorizationToken(crypto.randomUUID())))).toBe(9200);
    expect(transactions.calls.get).toBe(1);
  });

  it('a token naming this transaction but not its secret → 9200, and the journey is not started', async () => {
    expect(await rejectedWith(open(issueAuthorizationToken(reference)))).toBe(9200);
    const forged = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41);
    expect(await rejectedWith(open(forged))).toBe(9200);
    expect(transactions.calls.markStarted).toBe(0);
  });

  it("any other value, random or with this transaction's reference, is refused with 9200 and nothing else", async () => {
    const base64url = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    const tokens = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: base64url, minLength: 64, maxLength: 64 }),
      fc
        .string({ unit: base64url, minLength: 43, maxLength: 43 })
        .map((secret) => token.slice(0, 21) + secret),
    );
    await fc.assert(
      fc.asyncProperty(tokens, async (value) => {
        fc.pre(value !== token);
        expect(await rejectedWith(open(value))).toBe(JourneyErrorCode.tokenInvalid);
      }),
    );
    expect(transactions.calls.markStarted).toBe(0);
  });

  it('the first call marks the journey started, at the time of the call', async () => {
    clock.advance(2 * MINUTE);
    await open();
    expect(transactions.calls.markStarted).toBe(1);
    expect(transactions.transactions.get(reference)).toMatchObject({
      state: 'STARTED',
      startedAt: clock.now().toISOString(),
    });
  });

  it('once started, the record is kept for the retention period from creation instead of the token', async () => {
    const createdAt = clock.now().getTime();
    clock.advance(2 * MINUTE);
    await open();
    expect(transactions.keptUntil.get(reference)).toBe(
      createdAt + (DEFAULT_RETENTION_DAYS + 1) * 24 * 60 * MINUTE,
    );
  });

  it('a second call reopens the session without marking it started again', async () => {
    const first = await open();
    clock.advance(MINUTE);
    const second = await open();
    expect(second).toEqual(first);
    expect(transactions.calls.markStarted).toBe(1);
  });

  it('expired and never started → 9200, and nothing is marked', async () => {
    clock.advance(30 * MINUTE);
    expect(await rejectedWith(open())).toBe(JourneyErrorCode.tokenInvalid);
    expect(transactions.calls.markStarted).toBe(0);
  });

  it('expired after the journey started → 9210', async () => {
    await open();
    clock.advance(30 * MINUTE);
    expect(await rejectedWith(open())).toBe(JourneyErrorCode.sessionExpired);
  });

  it('still opens one millisecond before expiry', async () => {
    clock.advance(30 * MINUTE - 1);
    await expect(open()).resolves.toMatchObject({ transactionReference: reference });
  });

  // The journey began and moved past capture: its session is over, though the token has not expired.
  it.each(['SUBMITTED', 'PROCESSING', 'DONE', 'FAILED'] as const)(
    'a %s transaction is refused with 9210',
    async (state) => {
      await open();
      transactions.update(reference, { state });
      expect(await rejectedWith(open())).toBe(JourneyErrorCode.sessionExpired);
    },
  );
});
