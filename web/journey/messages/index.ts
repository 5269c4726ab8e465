import { LOCALES, type Locale } from '../../../shared/domain/locales.ts';
import { CATALOGUES } from './catalogues.ts';
import { en, type MessageKey, type Messages } from './en.ts';

/**
 * Every catalogue, by the locales the API accepts (shared/domain/locales.ts), and the lookup with the
 * product's fallback: region → language → the customer's default → English.
 */

export { directionOf } from '../../../shared/domain/locales.ts';
export type { MessageKey, Messages };
export { CATALOGUES };

const byLowerCase = new Map<string, Locale>(LOCALES.map((locale) => [locale.toLowerCase(), locale]));

function supported(value: string | undefined): Locale | undefined {
  return value === undefined ? undefined : byLowerCase.get(value.replace('_', '-').toLowerCase());
}

/** The catalogue's locale for a requested one: `fr-CA` → `fr`, `EN_GB` → `en-GB`, unknown → default → `en`. */
export function resolveLocale(requested: string | undefined, customerDefault?: string): Locale {
  const normalised = requested?.replace('_', '-');
  return (
    supported(normalised) ??
    supported(normalised?.split('-')[0]) ??
    supported(customerDefault) ??
    supported(customerDefault?.split('-')[0]) ??
    'en'
  );
}

/**
 * The catalogue for a supported locale. A page bundle built for one locale (build.ts) carries that
 * catalogue, its root language's and English; any other reads in English.
 */
export function messagesFor(locale: Locale): Messages {
  const catalogues: Partial<Record<Locale, Messages>> = CATALOGUES;
  return catalogues[locale] ?? catalogues[supported(locale.split('-')[0]) ?? 'en'] ?? en;
}

/** A message with its `{placeholders}` filled; a missing key (never, by the tests) reads in English. */
export function format(
  messages: Messages,
  key: MessageKey,
  values: Record<string, string | number> = {},
): string {
  const text = messages[key] || en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
