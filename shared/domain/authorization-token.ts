import { randomBytes } from 'node:crypto';

/**
 * The journey's authorization token: the transaction's reference and 256 random bits, base64url
 * (16 + 32 bytes, 64 characters). The token names its own transaction, so initiate stores one item
 * and the token check reads that item by key; the random part is the secret, and the transaction
 * keeps only the SHA-256 digest of the whole token, compared in constant time (DESIGN.md).
 *
 * The reference inside is no secret: it grants nothing without the random part, and the integrator
 * shares the same reference with the user's browser through the journey anyway.
 */

const REFERENCE_BYTES = 16;
const SECRET_BYTES = 32;
/** 48 bytes in base64url. */
export const AUTHORIZATION_TOKEN_LENGTH = 64;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{64}$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A new token for the transaction `reference` (a lower-case UUID v4). */
export function issueAuthorizationToken(reference: string): string {
  if (!UUID_V4.test(reference)) throw new Error('a transaction reference is a lower-case UUID v4');
  const referenceBytes = Buffer.from(reference.replaceAll('-', ''), 'hex');
  return Buffer.concat([referenceBytes, randomBytes(SECRET_BYTES)]).toString('base64url');
}

/**
 * The transaction reference a token names, or undefined when the value cannot be a token we issued.
 * Says nothing about whether the token is valid: only the stored digest can.
 */
export function referenceOfAuthorizationToken(token: string): string | undefined {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  // 64 base64url characters are exactly 48 bytes: the reference, then the secret.
  const hex = Buffer.from(token, 'base64url').subarray(0, REFERENCE_BYTES).toString('hex');
  const reference = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return UUID_V4.test(reference) ? reference : undefined;
}
