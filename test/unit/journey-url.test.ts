import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueAuthorizationToken } from '#domain/authorization-token';
import { JOURNEY_PATH, journeyHostsProblems, journeyUrl, REDIRECT_URL_MAX_LENGTH } from '#domain/journey-url';
import { JourneyHostsConfig, readConfig } from '#shared/config';

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

describe('journeyHostsProblems: the deployment’s hosts, checked at cold start', () => {
  it('accepts HTTPS origins, and plain HTTP on loopback only (the local runner)', () => {
    expect(journeyHostsProblems(HOSTS)).toEqual([]);
    expect(journeyHostsProblems({ baseUrl: 'http://127.0.0.1:3000' })).toEqual([]);
    expect(journeyHostsProblems({ baseUrl: 'http://verify.example.com' })).toEqual([
      { host: 'baseUrl', message: 'must use https:// (http:// only on loopback)' },
    ]);
  });

  it('refuses a base with a query or a fragment', () => {
    expect(journeyHostsProblems({ baseUrl: 'https://verify.example.com/?a=1' })).toEqual([
      { host: 'baseUrl', message: 'must not have a query or fragment' },
    ]);
    expect(journeyHostsProblems({ baseUrl: 'https://verify.example.com#top' })).toHaveLength(1);
  });

  it('refuses a prefixed pattern that is no URL once the longest prefix is in it', () => {
    expect(
      journeyHostsProblems({ baseUrl: HOSTS.baseUrl, prefixedBaseUrl: 'verify.example.com/{prefix}' }),
    ).toEqual([{ host: 'prefixedBaseUrl', message: 'must be an absolute URL' }]);
    expect(
      journeyHostsProblems({ baseUrl: HOSTS.baseUrl, prefixedBaseUrl: 'https://verify.example.com' }),
    ).toEqual([{ host: 'prefixedBaseUrl', message: 'must contain {prefix}' }]);
  });

  it('refuses hosts whose longest redirectUrl (63-character prefix, zh-HK, token) passes 255', () => {
    // The fixed part: '/web/v4/app?locale=zh-HK&authorizationToken=' (44) and the token (64).
    const fits = `https://${'v'.repeat(255 - 44 - 64 - 'https://'.length - '.example.com'.length)}.example.com`;
    expect(journeyHostsProblems({ baseUrl: fits })).toEqual([]);
    expect(journeyHostsProblems({ baseUrl: fits.replace('https://', 'https://v') })).toEqual([
      { host: 'baseUrl', message: expect.stringMatching(/longest redirectUrl would be 256 characters/) },
    ]);
    const prefixed = {
      baseUrl: HOSTS.baseUrl,
      prefixedBaseUrl: `https://{prefix}.${'p'.repeat(110)}.example`,
    };
    expect(journeyHostsProblems(prefixed)).toEqual([
      { host: 'prefixedBaseUrl', message: expect.stringMatching(/longest redirectUrl/) },
    ]);
    expect(() => journeyUrl(prefixed, 'a'.repeat(63), 'zh-HK', TOKEN)).toThrow();
  });

  it('fails the cold start naming the variable', () => {
    expect(() => readConfig(JourneyHostsConfig, { PUBLIC_BASE_URL: 'http://verify.example.com' })).toThrow(
      /PUBLIC_BASE_URL: must use https/,
    );
    expect(() =>
      readConfig(JourneyHostsConfig, {
        PUBLIC_BASE_URL: 'https://verify.example.com',
        PREFIXED_BASE_URL: 'https://{prefix}.verify.example.com/?x',
      }),
    ).toThrow(/PREFIXED_BASE_URL: must not have a query/);
    expect(() =>
      readConfig(JourneyHostsConfig, {
        PUBLIC_BASE_URL: 'https://verify.example.com',
        PREFIXED_BASE_URL: `https://{prefix}.${'p'.repeat(110)}.example`,
      }),
    ).toThrow(/^Invalid configuration: PREFIXED_BASE_URL: is too long/);
    expect(() => readConfig(JourneyHostsConfig, { PUBLIC_BASE_URL: 'notaurl' })).toThrow(
      /^Invalid configuration: PUBLIC_BASE_URL: must be an absolute URL$/,
    );
  });
});
