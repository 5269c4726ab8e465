import { describe, expect, it } from 'vitest';
import { canonicalLocale, DEFAULT_LOCALE, LOCALES, localeFallbackChain } from '#domain/locales';

/** The seed's locale table for the initiate API (seed 000), in its order. */
const SEED_API_LOCALES = [
  'ar',
  'bg',
  'cs',
  'da',
  'de',
  'el',
  'en',
  'en-GB',
  'es',
  'es-MX',
  'et',
  'fi',
  'fr',
  'he',
  'hu',
  'hy',
  'id',
  'it',
  'ja',
  'ka',
  'km',
  'ko',
  'lt',
  'ms',
  'nl',
  'no',
  'pl',
  'pt',
  'pt-BR',
  'ro',
  'ru',
  'sk',
  'sv',
  'th',
  'tr',
  'vi',
  'zh-CN',
  'zh-HK',
];

describe('LOCALES', () => {
  it('is the seed API table (38) plus hr from the portal list', () => {
    expect(SEED_API_LOCALES).toHaveLength(38);
    expect(LOCALES).toHaveLength(39);
    expect([...LOCALES].sort()).toEqual([...SEED_API_LOCALES, 'hr'].sort());
  });

  it('has no duplicates, even ignoring case', () => {
    expect(new Set(LOCALES.map((l) => l.toLowerCase())).size).toBe(LOCALES.length);
  });

  it('defaults to en (American English)', () => {
    expect(DEFAULT_LOCALE).toBe('en');
  });

  it.each(LOCALES)('%s fits the 5-character limit and the language[-COUNTRY] form', (locale) => {
    expect(locale.length).toBeLessThanOrEqual(5);
    expect(locale).toMatch(/^[a-z]{2}(-[A-Z]{2})?$/);
  });
});

describe('canonicalLocale', () => {
  it.each([
    ['en-gb', 'en-GB'],
    ['EN-GB', 'en-GB'],
    ['En-Gb', 'en-GB'],
    ['PT-br', 'pt-BR'],
    ['zh-cn', 'zh-CN'],
    ['DE', 'de'],
    ['hr', 'hr'],
  ])('%s → %s', (input, canonical) => {
    expect(canonicalLocale(input)).toBe(canonical);
  });

  it.each(['', 'xx', 'en-US', 'en_GB', 'zh', 'de-DE', ' en'])('%j is not supported', (input) => {
    expect(canonicalLocale(input)).toBeUndefined();
  });
});

describe('localeFallbackChain', () => {
  it.each([
    ['en-GB', 'de', ['en-GB', 'en', 'de']],
    ['pt-BR', 'fr', ['pt-BR', 'pt', 'fr', 'en']],
    ['es-MX', 'es', ['es-MX', 'es', 'en']],
    ['de', 'fr', ['de', 'fr', 'en']],
    ['de', 'de', ['de', 'en']],
    ['en', 'en', ['en']],
    ['en-GB', 'en', ['en-GB', 'en']],
    // No plain `zh` locale exists, so the root step is skipped.
    ['zh-CN', 'fr', ['zh-CN', 'fr', 'en']],
    ['zh-HK', 'zh-CN', ['zh-HK', 'zh-CN', 'en']],
  ] as const)('(%s, %s) → %j', (locale, customerDefault, chain) => {
    expect(localeFallbackChain(locale, customerDefault)).toEqual(chain);
  });

  it.each(LOCALES)(
    'for %s: starts with the locale, then the customer default and en, repeating nothing',
    (locale) => {
      const chain = localeFallbackChain(locale, 'fr');
      expect(chain[0]).toBe(locale);
      expect(chain).toContain('fr');
      expect(chain).toContain('en');
      expect(new Set(chain).size).toBe(chain.length);
      if (!locale.startsWith('en')) expect(chain.at(-1)).toBe('en');
    },
  );
});
