import { describe, expect, it } from 'vitest';
import { InitiateRequest } from '#domain/initiate-request';
import { containsEmailAddress } from '#domain/pii';

/** The no-PII rule's e-mail detection: what it catches, disguised or not, and what it lets pass. */

describe('caught', () => {
  it.each([
    ['plain', 'john.doe@example.com'],
    ['internationalised', 'jürgen@bücher.example'],
    ['full-width at (U+FF20)', 'user＠example.com'],
    ['full-width at, dot and letters', 'ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ'],
    ['small commercial at (U+FE6B)', 'john﹫example.com'],
    ['(at)', 'john(at)example.com'],
    ['[at]', 'john[at]example.com'],
    ['{at} and <at>', 'a{at}example.com b<at>example.org'],
    ['[ AT ] with spaces and capitals', 'john [ AT ] example.com'],
    ['(at) and (dot)', 'john(at)example(dot)com'],
    ['[at] and [dot] with spaces', 'john [at] example [dot] co [dot] uk'],
    ['&#64;', 'john&#64;example.com'],
    ['&#064 without the semicolon', 'john&#064example.com'],
    ['&#x40;', 'john&#x40;example.com'],
    ['&commat;', 'john&commat;example.com'],
    ['&commat; and &period;', 'john&commat;example&period;com'],
    ['&amp;#64; (an entity, escaped again)', 'john&amp;#64;example.com'],
    ['percent-encoded once', 'john%40example.com'],
    ['percent-encoded twice', 'john%2540example.com'],
    ['percent-encoded three times', 'john%252540example.com'],
    ['percent-encoded eight times', `john%${'25'.repeat(7)}40example.com`],
    ['a percent-encoded full-width at (UTF-8 bytes)', 'john%EF%BC%A0example.com'],
    ['a percent-encoded entity', 'john%26%2364%3Bexample.com'],
    ['an entity of a percent-encoded at', 'john&#37;40example.com'],
    ['inside other text', 'order 17 for john(at)example.com, paid'],
  ])('%s: %s', (_name, value) => {
    expect(containsEmailAddress(value)).toBe(true);
  });
});

describe('not caught, as documented', () => {
  it.each([
    ['the at as a bare word', 'john at example dot com'],
    ['spaces around a plain at', 'john @ example.com'],
    ['a JavaScript escape', 'john\\u0040example.com'],
    ['an IP-literal domain', 'john@[192.0.2.1]'],
    ['percent-encoded nine times (past the bound)', `john%${'25'.repeat(8)}40example.com`],
  ])('%s: %s', (_name, value) => {
    expect(containsEmailAddress(value)).toBe(false);
  });
});

describe('not e-mail addresses, and passed', () => {
  it.each([
    'transaction_1234',
    '@channel',
    'team@home',
    'a@b',
    'price 5€ @ store',
    'price@1.99',
    'batch@2024.01.05',
    'meet at example.com',
    'R&D (at) home',
    '100% sure',
    '&#64;handle',
    'Ⅻ ＡＢＣ',
    '&#xFFFFFF; &#99999999;',
  ])('%s', (value) => {
    expect(containsEmailAddress(value)).toBe(false);
  });
});

describe('in a reference', () => {
  it.each(['user＠example.com', 'john(at)example.com', 'john﹫example.com', 'john&#64;example.com'])(
    '%s fails with no-pii',
    (value) => {
      const result = InitiateRequest.safeParse({ customerInternalReference: value, userReference: 'u' });
      expect(result.success).toBe(false);
      expect(JSON.stringify(result.error?.issues)).toContain('no-pii');
    },
  );

  it('a value nested far deeper than the bound is decoded no further than the bound', () => {
    const value = `%${'25'.repeat(1000)}40`;
    expect(containsEmailAddress(value)).toBe(false);
  });
});
