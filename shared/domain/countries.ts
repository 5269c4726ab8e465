import countries from 'i18n-iso-countries';

/** Kosovo has no ISO 3166-1 code; Netverify (and so this API) uses the user-assigned `XKX`. */
export const KOSOVO = 'XKX';

const ALPHA3 = new Set([...Object.keys(countries.getAlpha3Codes()), KOSOVO]);

/** True for an ISO 3166-1 alpha-3 country code (upper case) or `XKX`. */
export function isCountryCode(value: string): boolean {
  return ALPHA3.has(value);
}
