import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsEmailAddress } from '#domain/pii';
import { checkUrl, RESERVED_QUERY_PARAMETERS, type UrlRule } from '#domain/url-policy';

/** The URL constraints for callback, success and error URLs (seed 000, "URL constraints"). */

const MAX = 255;
const rules = (url: string, max = MAX): UrlRule[] => checkUrl(url, max).map((violation) => violation.rule);

describe('acceptable URLs', () => {
  it.each([
    'https://www.yourcompany.com/success',
    'https://www.yourcompany.com',
    'https://yourcompany.com/path/to/page?ref=abc&lang=en',
    'https://sub.domain.example.co.uk/a-b_c~d.html',
    'https://example.com./trailing-dot-host',
    'HTTPS://WWW.YOURCOMPANY.COM/Success',
    'https://xn--bcher-kva.de/punycode',
    'https://a1-b2.example/x?status=ok',
    'https://example.com/%20encoded%2Fpath',
  ])('%s passes', (url) => {
    expect(checkUrl(url, MAX)).toEqual([]);
  });
});

describe('https-only', () => {
  it('https passes', () => expect(rules('https://www.yourcompany.com/')).toEqual([]));
  it.each([
    'http://www.yourcompany.com/',
    'ftp://www.yourcompany.com/',
    'wss://www.yourcompany.com/',
    'javascript:alert(1)',
    'https:www.yourcompany.com/',
    'https:/www.yourcompany.com/',
  ])('%s fails', (url) => {
    expect(rules(url)).toContain('https-only');
  });
});

describe('url', () => {
  it.each(['www.yourcompany.com', '/relative/path', 'https://', 'https://exa[mple.com/'])(
    '%s is not an absolute URL',
    (url) => {
      expect(rules(url)).toEqual(['url']);
    },
  );
});

describe('no-ip-address', () => {
  it('a host name passes', () => expect(rules('https://ten.example.com/')).toEqual([]));
  it.each([
    'https://127.0.0.1/',
    'https://192.168.1.10/callback',
    'https://[::1]/',
    'https://[2001:db8::1]/callback',
    'https://[::ffff:127.0.0.1]/',
    'https://0x7f.1/',
    'https://0x7f000001/',
    'https://2130706433/',
    'https://0177.0.0.1/',
    'https://127.1/',
    'https://%31%32%37.0.0.1/',
  ])('%s fails', (url) => {
    expect(rules(url)).toContain('no-ip-address');
  });
});

describe('no-port', () => {
  it('no port passes', () => expect(rules('https://www.yourcompany.com/a')).toEqual([]));
  it.each([
    'https://www.yourcompany.com:8443/',
    'https://www.yourcompany.com:443/',
    'https://www.yourcompany.com:443',
    'https://www.yourcompany.com:/',
    'https://www.yourcompany.com:0/x',
  ])('%s fails', (url) => {
    expect(rules(url)).toEqual(['no-port']);
  });
});

describe('no-fragment', () => {
  it('an encoded # in the path passes', () => expect(rules('https://www.yourcompany.com/a%23b')).toEqual([]));
  it.each([
    'https://www.yourcompany.com/#',
    'https://www.yourcompany.com/page#top',
    'https://www.yourcompany.com/?a=1#x',
  ])('%s fails', (url) => {
    expect(rules(url)).toEqual(['no-fragment']);
  });
});

describe('reserved-query-parameter', () => {
  it('has the four names the journey appends (seed 000)', () => {
    expect([...RESERVED_QUERY_PARAMETERS].sort()).toEqual(
      ['customerInternalReference', 'errorCode', 'transactionReference', 'transactionStatus'].sort(),
    );
  });

  it('other parameters pass, including names that merely contain a reserved one', () => {
    expect(rules('https://www.yourcompany.com/done?status=1&myErrorCode=2&transactionStatusX=3')).toEqual([]);
  });

  it.each(RESERVED_QUERY_PARAMETERS)('%s fails', (name) => {
    expect(rules(`https://www.yourcompany.com/done?${name}=x`)).toEqual(['reserved-query-parameter']);
    expect(rules(`https://www.yourcompany.com/done?a=1&${name}`)).toEqual(['reserved-query-parameter']);
  });

  it.each(RESERVED_QUERY_PARAMETERS.flatMap((name) => [name.toLowerCase(), name.toUpperCase()]))(
    'case variant %s fails',
    (name) => {
      expect(rules(`https://www.yourcompany.com/done?${name}=x`)).toEqual(['reserved-query-parameter']);
    },
  );

  it('a percent-encoded reserved name fails', () => {
    expect(rules('https://www.yourcompany.com/done?error%43ode=1')).toEqual(['reserved-query-parameter']);
  });

  it('the message names the parameter once', () => {
    const [violation] = checkUrl('https://www.yourcompany.com/?errorCode=1&errorCode=2', MAX);
    expect(violation?.message).toContain('errorCode');
    expect(violation?.message.match(/errorCode/g)).toHaveLength(1);
  });
});

describe('no-credentials', () => {
  it.each([
    'https://user@www.yourcompany.com/',
    'https://user:secret@www.yourcompany.com/',
    'https://:secret@www.yourcompany.com/',
    'https://@www.yourcompany.com/',
  ])('%s fails', (url) => {
    expect(rules(url)).toContain('no-credentials');
  });
});

describe('no-pii', () => {
  it.each([
    'https://www.yourcompany.com/users/john.doe@example.com',
    'https://www.yourcompany.com/done?email=john.doe@example.com',
    'https://www.yourcompany.com/done?email=john.doe%40example.com',
    'https://www.yourcompany.com/users/john.doe%40example.com/profile',
    'https://www.yourcompany.com/done?u=jane%2Bkyc%40mail.example.org',
  ])('%s fails', (url) => {
    expect(rules(url)).toEqual(['no-pii']);
  });

  it('a path with an @ that is no e-mail address passes', () => {
    expect(rules('https://www.yourcompany.com/@handle/posts')).toEqual([]);
  });
});

describe('ascii-only', () => {
  it('a punycode host passes', () => expect(rules('https://xn--mnchen-3ya.de/')).toEqual([]));
  it.each([
    'https://bücher.de/',
    'https://münchen.example.com/',
    'https://www.yourcompany.com/ü',
    'https://www.yourcompany.com/a b',
    ' https://www.yourcompany.com/',
    'https://www.yourcompany.com/\t',
    'https://www.yourcompany.com/\n',
    'https://www.yourcompany.com/\u0000',
  ])('%j fails', (url) => {
    expect(rules(url)).toEqual(['ascii-only']);
  });
  it('an empty string is no URL at all', () => expect(rules('')).toEqual(['url']));
});

describe('hostname', () => {
  it.each([
    'https://localhost/',
    'https://intranet/callback',
    'https://-leading.example.com/',
    'https://trailing-.example.com/',
    'https://under_score.example.com/',
    'https://a..example.com/',
    `https://${'a'.repeat(64)}.example.com/`,
  ])('%s fails', (url) => {
    expect(rules(url, 2047)).toContain('hostname');
  });

  it('a numeric top-level label is refused (WHATWG reads it as an IPv4 address)', () => {
    expect(rules('https://example.123/').length).toBeGreaterThan(0);
  });

  it('a 63-character label passes', () => {
    expect(rules(`https://${'a'.repeat(63)}.example.com/`)).toEqual([]);
  });

  it('an IDNA punycode host passes', () => {
    expect(rules('https://xn--bcher-kva.xn--tckwe/')).toEqual([]);
  });
});

describe('max-length', () => {
  const urlOfLength = (length: number) => {
    const prefix = 'https://www.yourcompany.com/';
    return prefix + 'a'.repeat(length - prefix.length);
  };

  it.each([255, 2047])('a URL of exactly %i characters passes', (max) => {
    expect(rules(urlOfLength(max), max)).toEqual([]);
  });

  it.each([255, 2047])('one character past %i fails with max-length alone', (max) => {
    expect(checkUrl(urlOfLength(max + 1), max)).toEqual([
      { rule: 'max-length', message: `must be at most ${max} characters` },
    ]);
  });

  it('an overlong URL is refused before it is parsed', () => {
    expect(rules(`http://127.0.0.1:80/${'a'.repeat(300)}#x`)).toEqual(['max-length']);
  });
});

describe('every violation at once', () => {
  it('reports each rule a URL breaks', () => {
    expect(rules('http://user@www.yourcompany.com:81/x?transactionStatus=1#f')).toEqual([
      'https-only',
      'no-credentials',
      'no-port',
      'no-fragment',
      'reserved-query-parameter',
    ]);
  });

  it('gives every violation a message', () => {
    for (const violation of checkUrl('http://user@127.0.0.1:81/?errorCode=1#f', MAX)) {
      expect(violation.message.length).toBeGreaterThan(0);
    }
  });
});

describe('properties', () => {
  /** Any UTF-16 string, lone surrogates included (fc.string's binary unit and fc.webUrl are slow to generate). */
  const anyUtf16 = fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 60 })
    .map((codes) => String.fromCharCode(...codes));

  it('checkUrl never throws, for any string and any limit', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyUtf16,
          fc.string(),
          fc.string().map((rest) => `https://${rest}`),
        ),
        fc.integer({ min: 0, max: 3000 }),
        (raw, max) => {
          const violations = checkUrl(raw, max);
          expect(Array.isArray(violations)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('checkUrl never throws for strings built from URL punctuation', () => {
    const piece = fc.constantFrom(
      'https:',
      '//',
      '/',
      '\\',
      '@',
      ':',
      '443',
      '[',
      ']',
      '::1',
      '.',
      'example',
      'com',
      '?',
      '#',
      '&',
      '=',
      '%',
      '%40',
      'xn--',
      '0x7f',
      'errorCode',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
        expect(() => checkUrl(pieces.join(''), MAX)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  const label = fc
    .stringMatching(/^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$/)
    .filter((l) => !l.startsWith('xn--') && l.slice(2, 4) !== '--');
  const tld = fc.stringMatching(/^[a-z]{2,8}$/);
  const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);

  it('any https URL with a DNS host, a plain path and plain parameters passes', () => {
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 3 }),
        tld,
        fc.array(segment, { maxLength: 4 }),
        fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), segment), { maxLength: 3 }),
        (labels, top, path, query) => {
          const search = query.length > 0 ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
          const url = `https://${[...labels, top].join('.')}/${path.join('/')}${search}`;
          fc.pre(!query.some(([k]) => ['errorcode'].includes(k)));
          expect(checkUrl(url, 2047)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('adding a port to any acceptable URL makes it fail with no-port', () => {
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 3 }),
        tld,
        fc.integer({ min: 0, max: 65535 }),
        (labels, top, port) => {
          expect(rules(`https://${[...labels, top].join('.')}:${port}/x`)).toEqual(['no-port']);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/**
 * Inputs that once slipped past the rules: WHATWG parsing forgives extra slashes after `https:` (and
 * backslashes), so the authority the rules read must be plain in the raw text.
 */
describe('bypasses', () => {
  it.each([
    'https:///www.yourcompany.com:8080/x',
    'https:////www.yourcompany.com:8443',
    'https://www.yourcompany.com\\@evil.example/x',
  ])('%s is refused as a malformed URL', (url) => {
    expect(rules(url)).toContain('url');
  });

  // A stray `%` must not stop the decoding that finds an encoded address (decodeURIComponent would
  // throw on it); the stray `%` is refused in its own right.
  it('an encoded e-mail address after a stray % fails with no-pii (and the % with url)', () => {
    expect(rules('https://www.yourcompany.com/%zz/john.doe%40example.com')).toEqual(['url', 'no-pii']);
  });

  it('a twice-encoded e-mail address fails with no-pii', () => {
    expect(rules('https://www.yourcompany.com/u/john.doe%2540example.com')).toEqual(['no-pii']);
  });

  it('containsEmailAddress("100% john%40example.com") should be true', () => {
    expect(containsEmailAddress('100% john%40example.com')).toBe(true);
  });
});
