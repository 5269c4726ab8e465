import { beforeEach, describe, expect, it } from 'vitest';
import type { Customer, IssuedCredential } from '#domain/customer';
import { NotFound, Unauthorized, ValidationError } from '#domain/errors';
import { sha256 } from '#domain/secrets';
import { DEFAULT_SETTINGS } from '#domain/settings';
import { createAuthenticator } from '#use-cases/authenticate';
import { createCustomer, issueCredential, rotateCredentials } from '#use-cases/manage-customers';
import { FakeClock, InMemoryCustomers, MINUTE } from './in-memory-ports.ts';

let clock: FakeClock;
let customers: InMemoryCustomers;

beforeEach(() => {
  clock = new FakeClock('2018-07-03T08:23:12.494Z');
  customers = new InMemoryCustomers(clock);
});

const deps = () => ({ customers, clock });
/** A fresh authenticator per check, with no cache to hide a change. */
const authenticates = (credential: IssuedCredential) =>
  createAuthenticator(
    deps(),
    0,
  )(credential).then(
    (customer) => customer.customerId,
    (error: unknown) => {
      if (error instanceof Unauthorized) return 'refused';
      throw error;
    },
  );

const FIXED: IssuedCredential = { apiToken: 'demo-token', apiSecret: 'demo-secret' };

describe('createCustomer', () => {
  it('creates a customer with default settings and issues ovk_/ovs_ credentials', async () => {
    const { customer, credential } = await createCustomer(deps(), { name: 'Example Corp' });
    expect(customer).toMatchObject({
      name: 'Example Corp',
      settings: DEFAULT_SETTINGS,
      createdAt: clock.now().toISOString(),
    });
    expect(customer.customerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(credential.apiToken).toMatch(/^ovk_[A-Za-z0-9_-]{43}$/);
    expect(credential.apiSecret).toMatch(/^ovs_[A-Za-z0-9_-]{43}$/);
    expect(customers.customers.get(customer.customerId)).toEqual(customer);
  });

  it('stores only the digests of the credential, with a short hint', async () => {
    const { customer, credential } = await createCustomer(deps(), { name: 'Example Corp' });
    const stored = customers.credentials.get(sha256(credential.apiToken));
    expect(stored).toEqual({
      tokenHash: sha256(credential.apiToken),
      secretHash: sha256(credential.apiSecret),
      customerId: customer.customerId,
      tokenHint: credential.apiToken.slice(0, 10),
      createdAt: clock.now().toISOString(),
    });
    const everything = JSON.stringify([...customers.credentials.values(), ...customers.customers.values()]);
    expect(everything).not.toContain(credential.apiToken);
    expect(everything).not.toContain(credential.apiSecret);
  });

  it('the issued credential authenticates', async () => {
    const { customer, credential } = await createCustomer(deps(), { name: 'Example Corp' });
    expect(await authenticates(credential)).toBe(customer.customerId);
  });

  it('uses a fixed credential when given one', async () => {
    const { customer, credential } = await createCustomer(deps(), { name: 'Demo', credential: FIXED });
    expect(credential).toEqual(FIXED);
    expect(await authenticates(FIXED)).toBe(customer.customerId);
  });

  it('validates and keeps the settings given', async () => {
    const { customer } = await createCustomer(deps(), {
      name: 'Example Corp',
      settings: { defaultLocale: 'en-gb', tokenLifetimeInMinutes: 60, domainPrefix: 'yourcompany' },
    });
    expect(customer.settings).toMatchObject({
      defaultLocale: 'en-GB',
      tokenLifetimeInMinutes: 60,
      domainPrefix: 'yourcompany',
    });
  });

  it('invalid settings → ValidationError naming settings.<field>, and nothing is created', async () => {
    const error = await createCustomer(deps(), {
      name: 'Example Corp',
      settings: {
        tokenLifetimeInMinutes: 1,
        callbackUrl: 'http://www.yourcompany.com/cb',
        defaultLocale: 'xx',
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => [issue.field, issue.rule])).toEqual(
      expect.arrayContaining([
        ['settings.tokenLifetimeInMinutes', 'minimum'],
        ['settings.callbackUrl', 'https-only'],
        ['settings.defaultLocale', 'one-of'],
      ]),
    );
    expect(customers.calls.create).toBe(0);
  });
});

describe('issueCredential', () => {
  it('is new every time', () => {
    const a = issueCredential();
    const b = issueCredential();
    expect(a.apiToken).not.toBe(b.apiToken);
    expect(a.apiSecret).not.toBe(b.apiSecret);
  });
});

describe('rotateCredentials', () => {
  let customer: Customer;
  let old: IssuedCredential;

  beforeEach(async () => {
    ({ customer, credential: old } = await createCustomer(deps(), { name: 'Example Corp' }));
  });

  it('an unknown customer → NotFound', async () => {
    await expect(rotateCredentials(deps(), 'nobody')).rejects.toBeInstanceOf(NotFound);
    expect(customers.calls.rotateCredentials).toBe(0);
  });

  it('without grace, retires the old credential at once', async () => {
    const next = await rotateCredentials(deps(), customer.customerId);
    expect(next.apiToken).toMatch(/^ovk_/);
    expect(await authenticates(old)).toBe('refused');
    expect(await authenticates(next)).toBe(customer.customerId);
    expect(customers.credentials.has(sha256(old.apiToken))).toBe(false);
  });

  it('with grace, keeps the old credential until now + grace', async () => {
    const next = await rotateCredentials(deps(), customer.customerId, { graceMinutes: 15 });
    expect(customers.credentials.get(sha256(old.apiToken))?.expiresAt).toBe(
      clock.now().getTime() + 15 * MINUTE,
    );
    expect(customers.credentials.get(sha256(next.apiToken))?.expiresAt).toBeUndefined();
    clock.advance(15 * MINUTE - 1);
    expect(await authenticates(old)).toBe(customer.customerId);
    clock.advance(1);
    expect(await authenticates(old)).toBe('refused');
    expect(await authenticates(next)).toBe(customer.customerId);
  });

  it('uses a fixed credential when given one', async () => {
    const next = await rotateCredentials(deps(), customer.customerId, { credential: FIXED });
    expect(next).toEqual(FIXED);
    expect(await authenticates(FIXED)).toBe(customer.customerId);
    expect(await authenticates(old)).toBe('refused');
  });

  it('rotating to the credential already in use does not retire it', async () => {
    await rotateCredentials(deps(), customer.customerId, { credential: FIXED });
    await rotateCredentials(deps(), customer.customerId, { credential: FIXED, graceMinutes: 5 });
    clock.advance(10 * MINUTE);
    expect(await authenticates(FIXED)).toBe(customer.customerId);
  });

  it("leaves other customers' credentials alone", async () => {
    const other = await createCustomer(deps(), { name: 'Other' });
    await rotateCredentials(deps(), customer.customerId);
    expect(await authenticates(other.credential)).toBe(other.customer.customerId);
  });

  /**
   * A second rotation must not move the end of a credential already in its grace period: one rotated
   * out because it leaked must not outlive the grace period the operator set.
   */
  it('a later rotation does not extend the grace period of an already rotated-out credential', async () => {
    await rotateCredentials(deps(), customer.customerId, { graceMinutes: 60 });
    clock.advance(30 * MINUTE);
    await rotateCredentials(deps(), customer.customerId, { graceMinutes: 60 });
    clock.advance(30 * MINUTE);
    expect(await authenticates(old)).toBe('refused');
  });
});
