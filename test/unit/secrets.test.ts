import { describe, expect, it } from 'vitest';
import { API_SECRET_PREFIX, API_TOKEN_PREFIX, digestsEqual, generateSecret, sha256 } from '#domain/secrets';

describe('generateSecret', () => {
  it('is 43 base64url characters (256 bits) without a prefix', () => {
    expect(generateSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([API_TOKEN_PREFIX, API_SECRET_PREFIX, 'x'])(
    'is 43 base64url characters after the prefix %s',
    (prefix) => {
      const secret = generateSecret(prefix);
      expect(secret.startsWith(prefix)).toBe(true);
      expect(secret.slice(prefix.length)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    },
  );

  it('decodes to 32 bytes', () => {
    expect(Buffer.from(generateSecret(), 'base64url')).toHaveLength(32);
  });

  it('is different every call', () => {
    const secrets = Array.from({ length: 1000 }, () => generateSecret());
    expect(new Set(secrets).size).toBe(1000);
  });

  it('uses the recognisable prefixes ovk_ and ovs_', () => {
    expect(API_TOKEN_PREFIX).toBe('ovk_');
    expect(API_SECRET_PREFIX).toBe('ovs_');
  });
});

describe('sha256', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'The quick brown fox jumps over the lazy dog',
      'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592',
    ],
  ])('sha256(%j) is the known vector', (input, digest) => {
    expect(sha256(input)).toBe(digest);
  });

  it('hashes the UTF-8 encoding', () => {
    expect(sha256('\u00e9')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
    expect(sha256('\u00e9')).not.toBe(sha256('e\u0301'));
  });
});

describe('digestsEqual', () => {
  const a = sha256('secret-a');
  const b = sha256('secret-b');

  it('equal digests → true', () => {
    expect(digestsEqual(a, sha256('secret-a'))).toBe(true);
  });

  it('different digests → false', () => {
    expect(digestsEqual(a, b)).toBe(false);
  });

  it('a digest that differs only in its last hex digit → false', () => {
    const last = a.at(-1) === '0' ? '1' : '0';
    expect(digestsEqual(a, a.slice(0, -1) + last)).toBe(false);
  });

  it('different lengths → false (no throw from timingSafeEqual)', () => {
    expect(digestsEqual(a, a.slice(0, 32))).toBe(false);
    expect(digestsEqual(a.slice(0, 32), a)).toBe(false);
  });

  it('empty → false, even against empty', () => {
    expect(digestsEqual('', '')).toBe(false);
    expect(digestsEqual(a, '')).toBe(false);
    expect(digestsEqual('', a)).toBe(false);
  });

  it('non-hex input decodes to nothing → false', () => {
    expect(digestsEqual('zz', 'zz')).toBe(false);
  });

  /**
   * Buffer.from(…, 'hex') stops at the first non-hex character and drops an odd last digit, so
   * anything but a well-formed digest must compare unequal.
   */
  it('two different strings are never equal (odd length or trailing non-hex)', () => {
    expect(digestsEqual('abc', 'abd')).toBe(false);
    expect(digestsEqual(`${a}zz`, `${a}yy`)).toBe(false);
  });
});
