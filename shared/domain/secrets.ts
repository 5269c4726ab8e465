import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets the system generates (API tokens and secrets, authorization tokens) carry 256 bits of
 * randomness and are stored only as SHA-256 digests: at that entropy a fast hash is enough, and a
 * slow one would cost every API call tens of milliseconds (DESIGN.md, security rules).
 */

const SECRET_BYTES = 32;

/** 256 random bits, base64url (43 characters), with an optional recognisable prefix. */
export function generateSecret(prefix = ''): string {
  return prefix + randomBytes(SECRET_BYTES).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Constant-time comparison of two SHA-256 hex digests; anything else is never equal. */
export function digestsEqual(a: string, b: string): boolean {
  if (!SHA256_HEX.test(a) || !SHA256_HEX.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/**
 * A callback signing secret (Standard Webhooks: `whsec_` and the base64 of the key). Unlike the
 * others it must be kept readable, to sign with: it lives in the customer's record, which the
 * table's encryption at rest covers, and is never logged.
 */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** A Standard Webhooks secret: `whsec_` and base64 of 24 to 64 bytes. */
export function isWebhookSecret(value: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!match?.[1]) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

export const API_TOKEN_PREFIX = 'ovk_';
export const API_SECRET_PREFIX = 'ovs_';
