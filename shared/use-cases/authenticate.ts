import type { Customer, StoredCredential } from '#domain/customer';
import { Unauthorized } from '#domain/errors';
import { digestsEqual, sha256 } from '#domain/secrets';
import type { Clock, CustomerRepository } from './ports.ts';

export interface AuthenticateDeps {
  customers: CustomerRepository;
  clock: Clock;
}

export interface BasicCredentials {
  apiToken: string;
  apiSecret: string;
}

export type Authenticate = (credentials: BasicCredentials | undefined) => Promise<Customer>;

interface CacheEntry {
  credential: StoredCredential;
  customer: Customer;
  cachedUntil: number;
}

/**
 * Checks an API token and secret against their stored digests. Verified credentials and their
 * customer are kept in memory for `cacheTtlMs`, so a warm function does no lookup per call; a
 * rotation takes effect everywhere within that time. The secret is still hashed and compared (in
 * constant time) on every call.
 */
export function createAuthenticator(deps: AuthenticateDeps, cacheTtlMs = 60_000): Authenticate {
  const cache = new Map<string, CacheEntry>();

  return async (credentials) => {
    if (credentials === undefined || !plausible(credentials)) {
      throw new Unauthorized('Missing or invalid API credentials.');
    }
    const now = deps.clock.now().getTime();
    const tokenHash = sha256(credentials.apiToken);
    let entry = cache.get(tokenHash);
    if (entry === undefined || entry.cachedUntil <= now) {
      entry = await load(deps, tokenHash, now + cacheTtlMs);
      if (entry === undefined) {
        cache.delete(tokenHash);
        throw new Unauthorized('Missing or invalid API credentials.');
      }
      cache.set(tokenHash, entry);
    }
    const { credential, customer } = entry;
    const expired = credential.expiresAt !== undefined && credential.expiresAt <= now;
    if (expired || !digestsEqual(sha256(credentials.apiSecret), credential.secretHash)) {
      throw new Unauthorized('Missing or invalid API credentials.');
    }
    return customer;
  };
}

/** Refuses junk before any lookup. Issued tokens are `ovk_…`, but an operator may fix its own. */
function plausible({ apiToken, apiSecret }: BasicCredentials): boolean {
  return apiToken.length > 0 && apiToken.length <= 256 && apiSecret.length > 0 && apiSecret.length <= 256;
}

async function load(
  deps: AuthenticateDeps,
  tokenHash: string,
  cachedUntil: number,
): Promise<CacheEntry | undefined> {
  const credential = await deps.customers.findCredential(tokenHash);
  if (credential === undefined) return undefined;
  const customer = await deps.customers.get(credential.customerId);
  if (customer === undefined) return undefined;
  const until =
    credential.expiresAt !== undefined ? Math.min(cachedUntil, credential.expiresAt) : cachedUntil;
  return { credential, customer, cachedUntil: until };
}
