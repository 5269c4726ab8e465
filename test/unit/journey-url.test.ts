import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueAuthorizationToken } from '#domain/authorization-token';
import { JOURNEY_PATH, journeyUrl, REDIRECT_URL_MAX_LENGTH } from '#domain/journey-url';

const TOKEN = issueAuthorizationToken(randomUUID());
const HOSTS = {
  baseUrl: 'https://verify.example.com',
  prefixedBaseUrl: 'https://{prefix}.verify.example.com',
};

describe('journeyUrl', () => {
  it('has the shape …/web/v4/app?locale=…&authorizationToken=…', () => {
    expect(JOURNEY_PATH).toBe('/web/v4/app');
    expect(journeyUrl(HOSTS, undefined, 'en-GB', TOKEN)).toBe(
      `https://verify.example.com/web/v4/app?locale=en-GB&authorizationToken=${TOKEN}`,
    );
  });

  it('parses as a URL with exactly the two parameters', () => {
    const url = new URL(journeyUrl(HOSTS, undefined, 'zh-HK', TOKEN));
    expect(url.pathname).toBe('/web/v4/app');
    expect([...url.searchParams.entries()]).toEqual([
      ['locale', 'zh-HK'],
      ['authorizationToken', TOKEN],
    ]);
  });

  it('drops a trailing slash of the base URL', () => {
    expect(journeyUrl({ baseUrl: 'https://verify.example.com/' }, undefined, 'en', TOKEN)).toMatch(
      /^https:\/\/verify\.example\.com\/web\/v4\/app\?/,
    );
  });

  it('uses the domain prefix when a prefixed pattern is configured', () => {
    expect(journeyUrl(HOSTS, 'yourcompany', 'en', TOKEN)).toMatch(
      /^https:\/\/yourcompany\.verify\.example\.com\/web\/v4\/app\?locale=en&authorizationToken=/,
    );
  });

  it('ignores the domain prefix when no prefixed pattern is configured', () => {
    expect(journeyUrl({ baseUrl: HOSTS.baseUrl }, 'yourcompany', 'en', TOKEN)).toMatch(
      /^https:\/\/verify\.example\.com\/web\/v4\/app\?/,
    );
  });

  it('uses the plain base when the customer has no prefix', () => {
    expect(journeyUrl(HOSTS, undefined, 'en', TOKEN)).not.toContain('{prefix}');
    expect(journeyUrl(HOSTS, undefined, 'en', TOKEN)).toMatch(/^https:\/\/verify\.example\.com\//);
  });

  describe('at most 255 characters', () => {
    // base + '/web/v4/app' + '?locale=' + 'en' + '&authorizationToken=' + 64
    const fixed = JOURNEY_PATH.length + '?locale=en&authorizationToken='.length + TOKEN.length;
    const baseOfLength = (length: number) => {
      const start = 'https://';
      const end = '.example.com';
      return start + 'a'.repeat(length - start.length - end.length) + end;
    };

    it('a URL of exactly 255 characters is given', () => {
      const url = journeyUrl(
        { baseUrl: baseOfLength(REDIRECT_URL_MAX_LENGTH - fixed) },
        undefined,
        'en',
        TOKEN,
      );
      expect(url).toHaveLength(255);
    });

    it('throws rather than answer a longer URL', () => {
      expect(() =>
        journeyUrl({ baseUrl: baseOfLength(REDIRECT_URL_MAX_LENGTH - fixed + 1) }, undefined, 'en', TOKEN),
      ).toThrow(/256 characters/);
    });

    it('counts the prefix too', () => {
      const pattern = `https://{prefix}.${'b'.repeat(120)}.example.com`;
      expect(() =>
        journeyUrl({ baseUrl: HOSTS.baseUrl, prefixedBaseUrl: pattern }, 'a'.repeat(63), 'en', TOKEN),
      ).toThrow();
      expect(
        journeyUrl({ baseUrl: HOSTS.baseUrl, prefixedBaseUrl: pattern }, 'a', 'en', TOKEN).length,
      ).toBeLessThanOrEqual(255);
    });
  });
});
