import { randomUUID } from 'node:crypto';
import type { Customer, IssuedCredential, StoredCredential } from '#domain/customer';
import { NotFound, ValidationError } from '#domain/errors';
import {
  API_SECRET_PREFIX,
  API_TOKEN_PREFIX,
  generateSecret,
  generateWebhookSecret,
  isWebhookSecret,
  sha256,
} from '#domain/secrets';
import { CustomerSettings } from '#domain/settings';
import { parseOrThrow } from '#domain/validation';
import type { Clock, CustomerRepository } from './ports.ts';

/** The operator's use cases behind the admin CLI: create a customer, rotate its credentials. */

export interface ManageCustomersDeps {
  customers: CustomerRepository;
  clock: Clock;
}

export interface CreateCustomerInput {
  name: string;
  settings?: unknown;
  /** Fixed credentials (the local demo uses them so scripts can); generated when absent. */
  credential?: IssuedCredential;
  /** A fixed callback signing secret (`whsec_…`, the local demo's); generated when absent. */
  webhookSecret?: string;
}

export async function createCustomer(
  deps: ManageCustomersDeps,
  input: CreateCustomerInput,
): Promise<{ customer: Customer; credential: IssuedCredential; webhookSecret: string }> {
  const now = deps.clock.now().toISOString();
  const webhookSecret = input.webhookSecret ?? generateWebhookSecret();
  assertWebhookSecret(webhookSecret);
  const customer: Customer = {
    customerId: randomUUID(),
    name: input.name,
    settings: parseOrThrow(CustomerSettings, input.settings ?? {}, 'settings.'),
    createdAt: now,
    webhookSecrets: [{ secret: webhookSecret, createdAt: now }],
  };
  const credential = input.credential ?? issueCredential();
  await deps.customers.create(customer, storedCredential(customer.customerId, credential, now));
  return { customer, credential, webhookSecret };
}

function assertWebhookSecret(secret: string): void {
  if (!isWebhookSecret(secret)) {
    throw new ValidationError([
      {
        field: 'webhookSecret',
        rule: 'whsec',
        message: 'must be whsec_ followed by the base64 of 24 to 64 random bytes',
      },
    ]);
  }
}

/**
 * A new callback signing secret; the current ones keep signing for `graceMinutes` (both signatures
 * go with every callback meanwhile), or stop at once without a grace period.
 */
export async function rotateWebhookSecret(
  deps: ManageCustomersDeps,
  customerId: string,
  { graceMinutes = 0, secret = generateWebhookSecret() }: { graceMinutes?: number; secret?: string } = {},
): Promise<string> {
  assertWebhookSecret(secret);
  const customer = await deps.customers.get(customerId);
  if (customer === undefined) throw new NotFound(`No customer ${customerId}.`);
  const now = deps.clock.now();
  const retireAt = now.getTime() + graceMinutes * 60_000;
  const kept = (customer.webhookSecrets ?? [])
    .filter((entry) => entry.secret !== secret && graceMinutes > 0)
    .map((entry) => ({ ...entry, expiresAt: Math.min(entry.expiresAt ?? retireAt, retireAt) }))
    .filter((entry) => entry.expiresAt > now.getTime());
  await deps.customers.setWebhookSecrets(customerId, [{ secret, createdAt: now.toISOString() }, ...kept]);
  return secret;
}

export interface RotateOptions {
  /** Keep the old credentials working this long, so integrations can switch without downtime. */
  graceMinutes?: number;
  /** A fixed new credential (the local demo's); generated when absent. */
  credential?: IssuedCredential;
}

/** Issues a new credential and retires the customer's others, at once or after a grace period. */
export async function rotateCredentials(
  deps: ManageCustomersDeps,
  customerId: string,
  { graceMinutes = 0, credential = issueCredential() }: RotateOptions = {},
): Promise<IssuedCredential> {
  const customer = await deps.customers.get(customerId);
  if (customer === undefined) throw new NotFound(`No customer ${customerId}.`);
  const now = deps.clock.now();
  const newHash = sha256(credential.apiToken);
  const current = (await deps.customers.listCredentials(customerId)).filter((c) => c.tokenHash !== newHash);
  const retireAt = graceMinutes > 0 ? now.getTime() + graceMinutes * 60_000 : undefined;
  // A credential already in its grace period keeps its end: a later rotation never extends it.
  const retired = current.map((c) => {
    const expiresAt = Math.min(c.expiresAt ?? Number.POSITIVE_INFINITY, retireAt ?? Number.POSITIVE_INFINITY);
    return { ...c, expiresAt: Number.isFinite(expiresAt) ? expiresAt : undefined };
  });
  await deps.customers.rotateCredentials(
    storedCredential(customerId, credential, now.toISOString()),
    retired,
  );
  return credential;
}

export function issueCredential(): IssuedCredential {
  return { apiToken: generateSecret(API_TOKEN_PREFIX), apiSecret: generateSecret(API_SECRET_PREFIX) };
}

function storedCredential(
  customerId: string,
  credential: IssuedCredential,
  createdAt: string,
): StoredCredential {
  return {
    tokenHash: sha256(credential.apiToken),
    secretHash: sha256(credential.apiSecret),
    customerId,
    tokenHint: credential.apiToken.slice(0, API_TOKEN_PREFIX.length + 6),
    createdAt,
  };
}
