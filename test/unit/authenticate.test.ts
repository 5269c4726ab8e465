import { beforeEach, describe, expect, it } from 'vitest';
import type { Customer, IssuedCredential } from '#domain/customer';
import { Unauthorized } from '#domain/errors';
import { sha256 } from '#domain/secrets';
import { createAuthenticator } from '#use-cases/authenticate';
import { createCustomer, rotateCredentials } from '#use-cases/manage-customers';
import { FakeClock, InMemoryCustomers, MINUTE } from './in-memory-ports.ts';

const TTL = 60_000;

let clock: FakeClock;
let customers: InMemoryCustomers;
let customer: Customer;
let credential: IssuedCredential;

beforeEach(async () => {
  clock = new FakeClock();
  customers = new InMemoryCustomers(clock);
  ({ customer, credential } = await createCustomer({ customers, clock }, { name: 'Example Corp' }));
  customers.calls.findCredential = 0;
  customers.calls.get = 0;
});

const authenticator = (ttl = TTL, limits = {}) => createAuthenticator({ customers, clock }, ttl, limits);
const calls = () => ({ ...customers.calls });

describe('authenticate', () => {
  it('the right token and secret give the customer', async () => {
    expect(await authenticator()(credential)).toEqual(customer);
  });

  it('a wrong secret → Unauthorized', async () => {
    await expect(
      authenticator()({ ...credential, apiSecret: `${credential.apiSecret}x` }),
    ).rejects.toBeInstanceOf(Unauthorized);
  });

  it("another customer's secret → Unauthorized", async () => {
    const other = await createCustomer({ customers, clock }, { name: 'Other' });
    await expect(
      authenticator()({ ...credential, apiSecret: other.credential.apiSecret }),
    ).rejects.toBeInstanceOf(Unauthorized);
  });

  it('an unknown token → Unauthorized', async () => {
    await expect(
      authenticator()({ apiToken: 'ovk_unknown', apiSecret: credential.apiSecret }),
    ).rejects.toBeInstanceOf(Unauthorized);
  });

  it('no credentials → Unauthorized, without a lookup', async () => {
    await expect(authenticator()(undefined)).rejects.toBeInstanceOf(Unauthorized);
    expect(customers.calls.findCredential).toBe(0);
  });

  it.each([
    ['an empty token', { apiToken: '', apiSecret: 's' }],
    ['an empty secret', { apiToken: 't', apiSecret: '' }],
    ['a 257-character token', { apiToken: 't'.repeat(257), apiSecret: 's' }],
    ['a 257-character secret', { apiToken: 't', apiSecret: 's'.repeat(257) }],
  ])('%s → Unauthorized, without a lookup', async (_name, junk) => {
    await expect(authenticator()(junk)).rejects.toBeInstanceOf(Unauthorized);
    expect(customers.calls.findCredential).toBe(0);
  });

  it('a credential whose customer is gone → Unauthorized', async () => {
    customers.customers.delete(customer.customerId);
    await expect(authenticator()(credential)).rejects.toBeInstanceOf(Unauthorized);
  });

  it('the same message for every refusal, so none tells which part was wrong', async () => {
    const messages = await Promise.all(
      [undefined, { apiToken: 'ovk_unknown', apiSecret: 'x' }, { ...credential, apiSecret: 'wrong' }].map(
        (c) =>
          authenticator()(c).then(
            () => 'accepted',
            (error: Error) => error.message,
          ),
      ),
    );
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).not.toBe('accepted');
  });

  it('an expired credential is refused', async () => {
    const stored = customers.credentials.get(sha256(credential.apiToken));
    if (stored === undefined) throw new Error('credential not stored');
    customers.credentials.set(stored.tokenHash, { ...stored, expiresAt: clock.now().getTime() - 1 });
    await expect(authenticator()(credential)).rejects.toBeInstanceOf(Unauthorized);
  });

  it('a rotated-out credential works during its grace period and not after', async () => {
    await rotateCredentials({ customers, clock }, customer.customerId, { graceMinutes: 10 });
    const auth = authenticator();
    clock.advance(9 * MINUTE);
    expect((await auth(credential)).customerId).toBe(customer.customerId);
    clock.advance(MINUTE);
    await expect(auth(credential)).rejects.toBeInstanceOf(Unauthorized);
  });

  it('a cached credential stops at its expiry even within the cache TTL', async () => {
    await rotateCredentials({ customers, clock }, customer.customerId, { graceMinutes: 10 });
    const auth = authenticator(60 * MINUTE);
    await auth(credential);
    clock.advance(10 * MINUTE);
    await expect(auth(credential)).rejects.toBeInstanceOf(Unauthorized);
  });
});

describe('the credential cache', () => {
  it('a second call within the TTL does not look the credential up again', async () => {
    const auth = authenticator();
    await auth(credential);
    clock.advance(TTL - 1);
    await auth(credential);
    expect(customers.calls.findCredential).toBe(1);
    expect(customers.calls.get).toBe(1);
  });

  it('looks up again once the TTL has passed', async () => {
    const auth = authenticator();
    await auth(credential);
    clock.advance(TTL);
    await auth(credential);
    expect(customers.calls.findCredential).toBe(2);
  });

  it('a cached entry still rejects a wrong secret', async () => {
    const auth = authenticator();
    await auth(credential);
    await expect(auth({ ...credential, apiSecret: 'ovs_wrong' })).rejects.toBeInstanceOf(Unauthorized);
    expect((await auth(credential)).customerId).toBe(customer.customerId);
  });

  it('remembers a refused pair for the TTL, then looks it up again', async () => {
    const auth = authenticator();
    const unknown = { apiToken: 'ovk_unknown', apiSecret: 'x' };
    await expect(auth(unknown)).rejects.toBeInstanceOf(Unauthorized);
    clock.advance(TTL - 1);
    await expect(auth(unknown)).rejects.toBeInstanceOf(Unauthorized);
    expect(customers.calls.findCredential).toBe(1);
    clock.advance(1);
    await expect(auth(unknown)).rejects.toBeInstanceOf(Unauthorized);
    expect(customers.calls.findCredential).toBe(2);
  });

  it('a refused pair is refused again even once its token became good (until the TTL)', async () => {
    const auth = authenticator();
    const early = { apiToken: 'ovk_not-yet', apiSecret: credential.apiSecret };
    await expect(auth(early)).rejects.toBeInstanceOf(Unauthorized);
    const stored = customers.credentials.get(sha256(credential.apiToken));
    if (stored === undefined) throw new Error('credential not stored');
    customers.credentials.set(sha256(early.apiToken), { ...stored, tokenHash: sha256(early.apiToken) });
    await expect(auth(early)).rejects.toBeInstanceOf(Unauthorized);
    clock.advance(TTL);
    expect((await auth(early)).customerId).toBe(customer.customerId);
  });

  it('an immediate rotation takes effect once the TTL has passed', async () => {
    const auth = authenticator();
    await auth(credential);
    const next = await rotateCredentials({ customers, clock }, customer.customerId);
    clock.advance(TTL);
    await expect(auth(credential)).rejects.toBeInstanceOf(Unauthorized);
    expect((await auth(next)).customerId).toBe(customer.customerId);
  });

  it('keeps entries per token', async () => {
    const other = await createCustomer({ customers, clock }, { name: 'Other' });
    customers.calls.findCredential = 0;
    const auth = authenticator();
    expect((await auth(credential)).customerId).toBe(customer.customerId);
    expect((await auth(other.credential)).customerId).toBe(other.customer.customerId);
    expect((await auth(credential)).customerId).toBe(customer.customerId);
    expect(customers.calls.findCredential).toBe(2);
  });
});

/**
 * Whether an API token exists must not show in a 401: not in its answer (above), and not in the work
 * done for it, which is what its time follows. Counted in repository calls, not timed.
 */
describe('a 401 does the same work whether or not the token exists', () => {
  const wrongSecret = () => ({ ...credential, apiSecret: 'ovs_wrong' });
  const unknownToken = () => ({ apiToken: 'ovk_unknown', apiSecret: 'ovs_wrong' });

  async function workFor(credentials: { apiToken: string; apiSecret: string }, auth = authenticator()) {
    const before = calls();
    await expect(auth(credentials)).rejects.toBeInstanceOf(Unauthorized);
    const after = calls();
    return { findCredential: after.findCredential - before.findCredential, get: after.get - before.get };
  }

  it('first refusal: one credential lookup each, and no customer read', async () => {
    expect(await workFor(wrongSecret())).toEqual({ findCredential: 1, get: 0 });
    expect(await workFor(unknownToken())).toEqual({ findCredential: 1, get: 0 });
  });

  it('a token its owner keeps warm in the cache: a wrong secret still takes the lookup, as an unknown token does', async () => {
    const auth = authenticator();
    await auth(credential);
    expect(await workFor(wrongSecret(), auth)).toEqual({ findCredential: 1, get: 0 });
    expect(await workFor(unknownToken(), auth)).toEqual({ findCredential: 1, get: 0 });
  });

  it('the same refused pair again: no lookup, for an existing and for an unknown token alike', async () => {
    const auth = authenticator();
    await workFor(wrongSecret(), auth);
    await workFor(unknownToken(), auth);
    expect(await workFor(wrongSecret(), auth)).toEqual({ findCredential: 0, get: 0 });
    expect(await workFor(unknownToken(), auth)).toEqual({ findCredential: 0, get: 0 });
  });

  it('an expired credential with its right secret is refused with the same single lookup', async () => {
    const stored = customers.credentials.get(sha256(credential.apiToken));
    if (stored === undefined) throw new Error('credential not stored');
    customers.credentials.set(stored.tokenHash, { ...stored, expiresAt: clock.now().getTime() });
    expect(await workFor(credential)).toEqual({ findCredential: 1, get: 0 });
  });

  it('the good case keeps the cache: one lookup and one customer read, then none within the TTL', async () => {
    const auth = authenticator();
    await auth(credential);
    await auth(credential);
    expect(calls()).toMatchObject({ findCredential: 1, get: 1 });
  });
});

describe('the caches are bounded', () => {
  const guess = (n: number) => ({ apiToken: `ovk_guess-${n}`, apiSecret: 'x' });

  it('refused pairs: the least recently used goes first', async () => {
    const auth = authenticator(TTL, { maxRefused: 2 });
    for (const n of [1, 2]) await expect(auth(guess(n))).rejects.toBeInstanceOf(Unauthorized);
    await expect(auth(guess(1))).rejects.toBeInstanceOf(Unauthorized); // 1 is now the most recent
    await expect(auth(guess(3))).rejects.toBeInstanceOf(Unauthorized); // pushes 2 out
    customers.calls.findCredential = 0;
    await expect(auth(guess(1))).rejects.toBeInstanceOf(Unauthorized);
    await expect(auth(guess(3))).rejects.toBeInstanceOf(Unauthorized);
    expect(customers.calls.findCredential).toBe(0);
    await expect(auth(guess(2))).rejects.toBeInstanceOf(Unauthorized);
    expect(customers.calls.findCredential).toBe(1);
  });

  it('a flood of refused guesses does not push a verified pair out', async () => {
    const auth = authenticator(TTL, { maxRefused: 3 });
    await auth(credential);
    for (let n = 0; n < 50; n++) await expect(auth(guess(n))).rejects.toBeInstanceOf(Unauthorized);
    customers.calls.findCredential = 0;
    expect((await auth(credential)).customerId).toBe(customer.customerId);
    expect(customers.calls.findCredential).toBe(0);
  });

  it('verified pairs: the least recently used goes first', async () => {
    const other = await createCustomer({ customers, clock }, { name: 'Other' });
    const auth = authenticator(TTL, { maxVerified: 1 });
    await auth(credential);
    await auth(other.credential);
    customers.calls.findCredential = 0;
    await auth(other.credential);
    expect(customers.calls.findCredential).toBe(0);
    await auth(credential);
    expect(customers.calls.findCredential).toBe(1);
  });
});
