import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import { SessionRejected } from '#domain/errors';
import { createAuthenticator } from '#use-cases/authenticate';
import { initiate } from '#use-cases/initiate';
import { createCustomer, rotateCredentials } from '#use-cases/manage-customers';
import { openSession } from '#use-cases/open-session';
import { freshTable, manualClock } from './fixtures.ts';

/** The use cases end to end against DynamoDB Local: create a customer, initiate, open the session. */

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});

const hosts = {
  baseUrl: 'https://verify.example.com',
  prefixedBaseUrl: 'https://{prefix}.verify.example.com',
};

function system() {
  const clock = manualClock();
  const customers = dynamoCustomerRepository(table.db, table.tableName, clock);
  const transactions = dynamoTransactionRepository(table.db, table.tableName, clock);
  return { clock, customers, transactions, deps: { customers, transactions, clock, hosts } };
}

const tokenOf = (redirectUrl: string) =>
  new URL(redirectUrl).searchParams.get('authorizationToken') ?? undefined;

async function rejection(promise: Promise<unknown>): Promise<number | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof SessionRejected ? error.errorCode : undefined;
}

describe('initiate then open the session', () => {
  it('authenticates, creates the transaction and opens its session with the token', async () => {
    const { deps, clock } = system();
    const { customer, credential } = await createCustomer(deps, {
      name: 'Bank',
      settings: { domainPrefix: 'bank', defaultLocale: 'de', tokenLifetimeInMinutes: 15 },
    });
    const authenticated = await createAuthenticator(deps)(credential);
    expect(authenticated.customerId).toBe(customer.customerId);

    const response = await initiate(deps, authenticated, {
      customerInternalReference: 'transaction_1234',
      userReference: 'user_1234',
      workflowId: 201,
    });
    expect(response.redirectUrl).toMatch(
      /^https:\/\/bank\.verify\.example\.com\/web\/v4\/app\?locale=de&authorizationToken=/,
    );

    const session = await openSession(deps, tokenOf(response.redirectUrl));
    expect(session).toMatchObject({
      transactionReference: response.transactionReference,
      workflowId: 201,
      captureMethod: 'CAMERA_ONLY',
      locale: 'de',
      expiresAt: new Date(clock.now().getTime() + 15 * 60_000).toISOString(),
    });
    expect(await deps.transactions.get(response.transactionReference)).toMatchObject({ state: 'STARTED' });
  });

  it('answers 9200 for an unknown or never-started expired token and 9210 once the journey had started', async () => {
    const { deps, clock } = system();
    const { customer } = await createCustomer(deps, { name: 'Shop' });
    const request = { customerInternalReference: 'r', userReference: 'u', tokenLifetimeInMinutes: 5 };
    const neverStarted = await initiate(deps, customer, request);
    const started = await initiate(deps, customer, request);

    expect(await rejection(openSession(deps, 'A'.repeat(64)))).toBe(9200);
    await openSession(deps, tokenOf(started.redirectUrl));

    clock.advance(5 * 60_000);
    expect(await rejection(openSession(deps, tokenOf(neverStarted.redirectUrl)))).toBe(9200);
    expect(await rejection(openSession(deps, tokenOf(started.redirectUrl)))).toBe(9210);
  });

  it('opens the session one millisecond before the token expires, and not at the instant or after', async () => {
    const { deps, clock } = system();
    const { customer } = await createCustomer(deps, { name: 'Edge' });
    const request = { customerInternalReference: 'r', userReference: 'u', tokenLifetimeInMinutes: 5 };
    const started = await initiate(deps, customer, request);
    const neverStarted = await initiate(deps, customer, request);
    const expiry = clock.now().getTime() + 5 * 60_000;
    await openSession(deps, tokenOf(started.redirectUrl));

    clock.set(expiry - 1);
    await expect(openSession(deps, tokenOf(started.redirectUrl))).resolves.toBeDefined();
    for (const at of [expiry, expiry + 1]) {
      clock.set(at);
      expect(await rejection(openSession(deps, tokenOf(started.redirectUrl)))).toBe(9210);
      expect(await rejection(openSession(deps, tokenOf(neverStarted.redirectUrl)))).toBe(9200);
    }
  });

  it('refuses rotated-out credentials and accepts the new ones', async () => {
    const { deps } = system();
    const { customer, credential: old } = await createCustomer(deps, { name: 'Rotating' });
    const fresh = await rotateCredentials(deps, customer.customerId);
    const authenticate = createAuthenticator(deps, 0);
    await expect(authenticate(old)).rejects.toThrow('Missing or invalid API credentials.');
    expect((await authenticate(fresh)).customerId).toBe(customer.customerId);
  });

  it('keeps one customer out of another customer’s credentials', async () => {
    const { deps } = system();
    const a = await createCustomer(deps, { name: 'A' });
    const b = await createCustomer(deps, { name: 'B' });
    const authenticate = createAuthenticator(deps, 0);
    await expect(
      authenticate({ apiToken: a.credential.apiToken, apiSecret: b.credential.apiSecret }),
    ).rejects.toThrow();
    expect((await authenticate(b.credential)).customerId).toBe(b.customer.customerId);
  });
});
