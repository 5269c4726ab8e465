import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '#domain/locales';
import { buildJourneyClient } from '../../web/journey/build.ts';
import { en } from '../../web/journey/messages/en.ts';
import {
  CATALOGUES,
  directionOf,
  format,
  messagesFor,
  resolveLocale,
} from '../../web/journey/messages/index.ts';

/** The journey's catalogues: one per locale the API accepts, each complete against English. */

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('the message catalogues', () => {
  it.each(LOCALES)('%s has every English key, none empty, with the same placeholders', (locale) => {
    const catalogue = CATALOGUES[locale];
    expect(catalogue, `no catalogue for ${locale}`).toBeDefined();
    expect(Object.keys(catalogue ?? {}).sort()).toEqual(Object.keys(en).sort());
    for (const [key, english] of Object.entries(en)) {
      const text = catalogue?.[key as keyof typeof en] ?? '';
      expect(text.trim(), `${locale}.${key} is empty`).not.toBe('');
      expect(placeholders(text), `${locale}.${key} placeholders`).toEqual(placeholders(english));
    }
  });

  it('is translated: every language other than English differs from English in most messages', () => {
    for (const locale of LOCALES.filter((l) => !l.startsWith('en'))) {
      const catalogue = messagesFor(locale);
      const same = Object.entries(en).filter(([key, text]) => catalogue[key as keyof typeof en] === text);
      expect(same.length, `${locale} repeats English: ${same.map(([key]) => key).join(', ')}`).toBeLessThan(
        5,
      );
    }
  });

  it('falls back region → language → customer default → English', () => {
    expect(resolveLocale('en-GB')).toBe('en-GB');
    expect(resolveLocale('EN_gb')).toBe('en-GB');
    expect(resolveLocale('fr-CA')).toBe('fr');
    expect(resolveLocale('es-AR')).toBe('es');
    expect(resolveLocale('xx', 'de')).toBe('de');
    expect(resolveLocale('xx-YY', 'pt-BR')).toBe('pt-BR');
    expect(resolveLocale('xx', 'yy')).toBe('en');
    expect(resolveLocale(undefined)).toBe('en');
  });

  it('writes Arabic and Hebrew right to left, every other locale left to right', () => {
    expect(LOCALES.filter((locale) => directionOf(locale) === 'rtl')).toEqual(['ar', 'he']);
  });

  it('fills placeholders and leaves unknown ones as written', () => {
    expect(format(en, 'attemptRefused', { attempt: 2, max: 3 })).toBe(
      'Attempt 2 of 3 refused. Please try again.',
    );
    expect(format(en, 'errorCode')).toBe('Error code: {code}');
  });
});

describe('the journey bundle', () => {
  it('stays within the 60 KB gzip budget (STYLE.md) for the page of every locale', async () => {
    for (const locale of LOCALES) {
      const script = await buildJourneyClient(locale);
      expect(gzipSync(script, { level: 9 }).length, locale).toBeLessThan(60 * 1024);
      expect(script).not.toMatch(/<\/script/i);
      // The page's own catalogue is in it.
      expect(script, locale).toContain(JSON.stringify(CATALOGUES[locale].pageTitle).slice(1, -1));
    }
  }, 60_000);
});
