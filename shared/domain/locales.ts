/**
 * Display locales. The initiate API's table (seed 000) and the portal's list (seed 003) differ: the
 * portal also offers Croatian. The product accepts the union, so a portal default is always valid in
 * the API too.
 */

export const LOCALES = [
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
  'hr',
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
] as const;
export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'en';

const byLowerCase = new Map<string, Locale>(LOCALES.map((locale) => [locale.toLowerCase(), locale]));

/** The canonical spelling of a supported locale (`en-gb` → `en-GB`), or undefined if unsupported. */
export function canonicalLocale(value: string): Locale | undefined {
  return byLowerCase.get(value.toLowerCase());
}

const RIGHT_TO_LEFT = new Set(['ar', 'he']);

/** The script direction of a locale's language: right to left for Arabic and Hebrew. */
export function directionOf(locale: string): 'ltr' | 'rtl' {
  return RIGHT_TO_LEFT.has(locale.split('-')[0]?.toLowerCase() ?? '') ? 'rtl' : 'ltr';
}

/**
 * The order in which per-locale settings (colours, images) are looked up: the locale, its root
 * language, the customer's default, then the product default (seed 003, "Customize client").
 */
export function localeFallbackChain(locale: Locale, customerDefault: Locale): Locale[] {
  const root = canonicalLocale(locale.split('-')[0] ?? locale);
  const chain = [locale, root, customerDefault, DEFAULT_LOCALE].filter((l): l is Locale => l !== undefined);
  return [...new Set(chain)];
}
