import { beforeEach, describe, expect, it } from 'vitest';
import { referenceOfAuthorizationToken } from '#domain/authorization-token';
import type { Customer } from '#domain/customer';
import { ValidationError } from '#domain/errors';
import { InitiateRequest, InitiateResponse } from '#domain/initiate-request';
import type { JourneyHosts } from '#domain/journey-url';
import { sha256 } from '#domain/secrets';
import { CustomerSettings } from '#domain/settings';
import { ABANDONED_RECORD_GRACE_MS } from '#domain/transaction';
import { initiate } from '#use-cases/initiate';
import { FakeClock, InMemoryTransactions, MINUTE } from './in-memory-ports.ts';

const HOSTS: JourneyHosts = {
  baseUrl: 'https://verify.example.com',
  prefixedBaseUrl: 'https://{prefix}.verify.example.com',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let clock: FakeClock;
let transactions: InMemoryTransactions;

beforeEach(() => {
  clock = new FakeClock('2018-07-03T08:23:12.494Z');
  transactions = new InMemoryTransactions(clock);
});

function customer(settings: Record<string, unknown> = {}): Customer {
  return {
    customerId: 'customer-1',
    name: 'Example Corp',
    settings: CustomerSettings.parse(settings),
    createdAt: '2018-01-01T00:00:00.000Z',
  };
}

const request = (fields: Record<string, unknown> = {}) =>
  InitiateRequest.parse({
    customerInternalReference: 'transaction_1234',
    userReference: 'user_1234',
    ...fields,
  });

const run = (fields: Record<string, unknown> = {}, settings: Record<string, unknown> = {}, hosts = HOSTS) =>
  initiate({ transactions, clock, hosts }, customer(settings), request(fields));

function tokenOf(redirectUrl: string): string {
  const token = new URL(redirectUrl).searchParams.get('authorizationToken');
  if (token === null) throw new Error('no token in the redirect URL');
  return token;
}

function onlyStored() {
  expect(transactions.created).toHaveLength(1);
  const [transaction] = transactions.created;
  if (transaction === undefined) throw new Error('nothing stored');
  return { transaction };
}

describe('initiate', () => {
  it('answers timestamp, transactionReference and redirectUrl, in the response schema', async () => {
    const response = await run();
    expect(InitiateResponse.parse(response)).toEqual(response);
    expect(Object.keys(response).sort()).toEqual(['redirectUrl', 'timestamp', 'transactionReference']);
  });

  it('timestamps the response in UTC as YYYY-MM-DDThh:mm:ss.SSSZ, from the clock', async () => {
    const { timestamp } = await run();
    expect(timestamp).toMatch(TIMESTAMP);
    expect(timestamp).toHaveLength(24);
    expect(timestamp).toBe('2018-07-03T08:23:12.494Z');
  });

  it('gives a UUID as transactionReference, and a new one per call', async () => {
    const first = await run();
    const second = await run();
    expect(first.transactionReference).toMatch(UUID);
    expect(first.transactionReference).toHaveLength(36);
    expect(second.transactionReference).not.toBe(first.transactionReference);
  });

  it('answers the journey URL with the locale and a fresh token that names the transaction', async () => {
    const { redirectUrl, transactionReference } = await run({ locale: 'en-gb' });
    expect(redirectUrl).toMatch(
      /^https:\/\/verify\.example\.com\/web\/v4\/app\?locale=en-GB&authorizationToken=[A-Za-z0-9_-]{64}$/,
    );
    expect(redirectUrl.length).toBeLessThanOrEqual(255);
    expect(referenceOfAuthorizationToken(tokenOf(redirectUrl))).toBe(transactionReference);
    expect(tokenOf((await run()).redirectUrl)).not.toBe(tokenOf(redirectUrl));
  });

  it("uses the customer's default locale and domain prefix", async () => {
    const { redirectUrl } = await run({}, { defaultLocale: 'de', domainPrefix: 'yourcompany' });
    expect(redirectUrl).toMatch(/^https:\/\/yourcompany\.verify\.example\.com\/web\/v4\/app\?locale=de&/);
  });

  it('stores an INITIATED transaction under the answered reference', async () => {
    const response = await run({ reportingCriteria: 'myReport1234', workflowId: 201 });
    const { transaction } = onlyStored();
    expect(transaction).toMatchObject({
      reference: response.transactionReference,
      customerId: 'customer-1',
      state: 'INITIATED',
      createdAt: response.timestamp,
      customerInternalReference: 'transaction_1234',
      userReference: 'user_1234',
      reportingCriteria: 'myReport1234',
    });
    expect(transaction.options).toMatchObject({
      workflowId: 201,
      verificationType: 'ID_AND_IDENTITY',
      captureMethod: 'CAMERA_ONLY',
    });
    expect(transaction.startedAt).toBeUndefined();
  });

  it('stores no reportingCriteria key when the request has none', async () => {
    await run();
    expect('reportingCriteria' in onlyStored().transaction).toBe(false);
  });

  it.each([
    [{}, {}, 30],
    [{ tokenLifetimeInMinutes: 5 }, {}, 5],
    [{ tokenLifetimeInMinutes: 86400 }, {}, 86400],
    [{}, { tokenLifetimeInMinutes: 120 }, 120],
    [{ tokenLifetimeInMinutes: 10 }, { tokenLifetimeInMinutes: 120 }, 10],
  ])('request %j with settings %j: the token expires after %i minutes', async (fields, settings, minutes) => {
    await run(fields, settings);
    expect(onlyStored().transaction.tokenExpiresAt).toBe(clock.now().getTime() + minutes * MINUTE);
  });

  it("stores the token's SHA-256 and never the token", async () => {
    const { redirectUrl } = await run({ successUrl: 'https://www.yourcompany.com/success' });
    const token = tokenOf(redirectUrl);
    const stored = onlyStored();
    expect(stored.transaction.tokenHash).toBe(sha256(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(JSON.stringify(stored)).not.toContain(redirectUrl);
  });

  it('keeps the record of a journey that never starts for a day past its token, as its TTL', async () => {
    const { transactionReference } = await run({ tokenLifetimeInMinutes: 10 });
    expect(transactions.keptUntil.get(transactionReference)).toBe(
      clock.now().getTime() + 10 * MINUTE + ABANDONED_RECORD_GRACE_MS,
    );
  });

  it('stores nothing when the options are refused', async () => {
    await expect(run({ workflowId: 200 }, { identityVerificationEnabled: false })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(run({ workflowId: 100, presets: [{ index: 2, phrase: 'HELLO' }] })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(transactions.calls.create).toBe(0);
  });

  it('stores nothing when the journey URL would be longer than 255 characters', async () => {
    const longHost = { baseUrl: `https://${'a'.repeat(200)}.example.com` };
    await expect(run({}, {}, longHost)).rejects.toThrow(/too long/);
    expect(transactions.calls.create).toBe(0);
  });
});
