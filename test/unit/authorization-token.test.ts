import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueAuthorizationToken, referenceOfAuthorizationToken } from '#domain/authorization-token';

describe('issueAuthorizationToken', () => {
  it('is 64 base64url characters: the 16 bytes of the reference, then 32 random bytes', () => {
    const reference = randomUUID();
    const token = issueAuthorizationToken(reference);
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const bytes = Buffer.from(token, 'base64url');
    expect(bytes).toHaveLength(48);
    expect(bytes.subarray(0, 16).toString('hex')).toBe(reference.replaceAll('-', ''));
  });

  it('gives a different secret each time for the same reference', () => {
    const reference = randomUUID();
    const secrets = new Set(Array.from({ length: 500 }, () => issueAuthorizationToken(reference).slice(22)));
    expect(secrets.size).toBe(500);
  });

  it.each(['', 'not-a-uuid', randomUUID().toUpperCase(), '00000000-0000-1000-8000-000000000000'])(
    'refuses to issue a token for %j, which is no lower-case UUID v4',
    (reference) => {
      expect(() => issueAuthorizationToken(reference)).toThrow(/UUID v4/);
    },
  );
});

describe('referenceOfAuthorizationToken', () => {
  it('reads back the reference of every token issued', () => {
    fc.assert(
      fc.property(fc.uuid({ version: 4 }), (reference) => {
        expect(referenceOfAuthorizationToken(issueAuthorizationToken(reference))).toBe(reference);
      }),
    );
  });

  it.each([
    ['empty', ''],
    ['too short', 'a'.repeat(63)],
    ['too long', 'a'.repeat(65)],
    ['a character outside base64url', `${'a'.repeat(63)}+`],
    ['padding', `${'a'.repeat(62)}==`],
    ['a space', `${'a'.repeat(63)} `],
    ['a non-ASCII letter', `${'a'.repeat(63)}é`],
  ])('refuses a value that is %s', (_, value) => {
    expect(referenceOfAuthorizationToken(value)).toBeUndefined();
  });

  it('refuses 64 characters whose first 16 bytes are no UUID v4', () => {
    expect(referenceOfAuthorizationToken('A'.repeat(64))).toBeUndefined();
    const v1 = Buffer.concat([Buffer.from('00000000000010008000000000000000', 'hex'), Buffer.alloc(32)]);
    expect(referenceOfAuthorizationToken(v1.toString('base64url'))).toBeUndefined();
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (value) => {
        const reference = referenceOfAuthorizationToken(value);
        expect(reference === undefined || /^[0-9a-f-]{36}$/.test(reference)).toBe(true);
      }),
    );
  });
});
