// The ISO 3166-1 table only (about 12 KB), not the package's entry point, which loads every
// language's country names (about 700 KB in each function bundle) for a set of codes.
import ISO_3166_1 from 'i18n-iso-countries/codes.json' with { type: 'json' };

/** Kosovo has no ISO 3166-1 code; Netverify (and so this API) uses the user-assigned `XKX`. */
export const KOSOVO = 'XKX';

/** `[alpha-2, alpha-3, numeric, ISO 3166-2 subdivision code]` per country. */
const ROWS = ISO_3166_1 as string[][];
const ALPHA3 = new Set([...ROWS.map((row) => row[1]), KOSOVO]);

/**
 * Every country as `{ alpha-3, alpha-2 }`, Kosovo with the alpha-2 `XK` that browsers'
 * `Intl.DisplayNames` know it by. Sorted by alpha-3.
 */
export const COUNTRIES: ReadonlyArray<{ country: string; region: string }> = [
  ...ROWS.map((row) => ({ country: row[1] ?? '', region: row[0] ?? '' })),
  { country: KOSOVO, region: 'XK' },
  // An ordinal comparison: the codes are unique upper-case ASCII, so it gives the same order, and
  // the first `localeCompare` in a process loads ICU's collation data, 13–45 ms of every API
  // function's cold start (bench/README.md).
].sort((a, b) => (a.country < b.country ? -1 : a.country > b.country ? 1 : 0));

/** True for an ISO 3166-1 alpha-3 country code (upper case) or `XKX`. */
export function isCountryCode(value: string): boolean {
  return ALPHA3.has(value);
}
