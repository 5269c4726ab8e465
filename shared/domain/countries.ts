// The ISO 3166-1 table only (about 12 KB), not the package's entry point, which loads every
// language's country names (about 700 KB in each function bundle) for a set of codes.
import ISO_3166_1 from 'i18n-iso-countries/codes.json' with { type: 'json' };

/** Kosovo has no ISO 3166-1 code; Netverify (and so this API) uses the user-assigned `XKX`. */
export const KOSOVO = 'XKX';

/** `[alpha-2, alpha-3, numeric, ISO 3166-2 subdivision code]` per country. */
const ALPHA3 = new Set([...(ISO_3166_1 as string[][]).map((row) => row[1]), KOSOVO]);

/** True for an ISO 3166-1 alpha-3 country code (upper case) or `XKX`. */
export function isCountryCode(value: string): boolean {
  return ALPHA3.has(value);
}
