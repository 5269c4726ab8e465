import type { Customer } from '#domain/customer';
import { Unauthorized } from '#domain/errors';
import { Lru } from '#domain/lru';
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

export interface CacheLimits {
  /** At most this many verified pairs are remembered (the least recently used goes first). */
  maxVerified?: number;
  /** At most this many refused pairs: an attacker's stream of guesses cannot grow memory. */
  maxRefused?: number;
}

/**
 * Checks an API token and secret against their stored digests. A pair is remembered for
 * `cacheTtlMs`, so a warm function does no lookup per call; a rotation takes effect within that time.
 *
 * A refusal must not tell whether the token exists, by its answer or by its time. So the cache is
 * keyed by the token and the secret together: a wrong secret never finds the entry its token's
 * rightful owner keeps warm. A pair not in the cache costs one `findCredential`, whether the token
 * exists or not, and the secret is then compared in constant time, with the stored digest or with a
 * stand-in; the customer is read only once the secret matched. A refused pair is remembered like a
 * verified one (same TTL), so a client retrying bad credentials costs no lookup, again whether or not
 * its token exists. Both caches are bounded LRUs, and separate, so a flood of refused guesses cannot
 * push the verified pairs out.
 */
export function createAuthenticator(
  deps: AuthenticateDeps,
  cacheTtlMs = 60_000,
  { maxVerified = 1_000, maxRefused = 4_096 }: CacheLimits = {},
): Authenticate {
  const verified = new Lru<{ customer: Customer; cachedUntil: number }>(maxVerified);
  const refused = new Lru<{ cachedUntil: number }>(maxRefused);

  return async (credentials) => {
    if (credentials === undefined || !plausible(credentials)) throw refusal();
    const now = deps.clock.now().getTime();
    const pair = pairKey(credentials);

    const known = verified.get(pair, now);
    if (known !== undefined) return known.customer;
    if (refused.get(pair, now) !== undefined) throw refusal();

    const credential = await deps.customers.findCredential(sha256(credentials.apiToken));
    const secretMatches = digestsEqual(
      sha256(credentials.apiSecret),
      credential?.secretHash ?? STAND_IN_DIGEST,
    );
    const live = credential?.expiresAt === undefined || credential.expiresAt > now;
    const customer =
      credential !== undefined && secretMatches && live
        ? await deps.customers.get(credential.customerId)
        : undefined;
    if (credential === undefined || customer === undefined) {
      refused.set(pair, { cachedUntil: now + cacheTtlMs });
      throw refusal();
    }
    const until =
      credential.expiresAt === undefined
        ? now + cacheTtlMs
        : Math.min(now + cacheTtlMs, credential.expiresAt);
    verified.set(pair, { customer, cachedUntil: until });
    return customer;
  };
}

const refusal = () => new Unauthorized('Missing or invalid API credentials.');

/** Compared with when no credential was found, so that both refusals do the same work. */
const STAND_IN_DIGEST = sha256('openverify: no such credential');

/** The token's length first, so that no other split of the same characters gives the same key. */
function pairKey({ apiToken, apiSecret }: BasicCredentials): string {
  return sha256(`${apiToken.length}:${apiToken}:${apiSecret}`);
}

/** Refuses junk before any lookup. Issued tokens are `ovk_…`, but an operator may fix its own. */
function plausible({ apiToken, apiSecret }: BasicCredentials): boolean {
  return apiToken.length > 0 && apiToken.length <= 256 && apiSecret.length > 0 && apiSecret.length <= 256;
}
