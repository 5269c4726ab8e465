/**
 * Personally identifiable information must not appear in references, presets or URLs (seed 000,
 * footnote 1). An e-mail address is the one form the spec names and the one that can be recognised
 * without false positives; it is looked for in the raw value and in its percent-decoded forms.
 */

const LOCAL_PART_END = /[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]$/u;
// Internationalised addresses count too. A domain ends in a top-level label of letters (or
// punycode): `price@1.99` and `batch@2024.01.05` are not addresses.
const DOMAIN_START =
  /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}-]+)*\.(?:\p{L}{2,63}|xn--[A-Za-z0-9-]{1,59})(?![\p{L}\p{N}-])/u;

export function containsEmailAddress(value: string): boolean {
  // Decoded twice: `%2540` is `%40` once decoded, and `@` only the second time.
  const once = percentDecoded(value);
  return hasAddressAt(value) || hasAddressAt(once) || hasAddressAt(percentDecoded(once));
}

/**
 * Looks only around each `@` (a local part ends right before it, a domain starts right after it), so
 * the cost grows with the length of the value, not its square: references are checked on every call.
 */
function hasAddressAt(value: string): boolean {
  for (let at = value.indexOf('@'); at !== -1; at = value.indexOf('@', at + 1)) {
    if (
      LOCAL_PART_END.test(value.slice(Math.max(0, at - 64), at)) &&
      DOMAIN_START.test(value.slice(at + 1, at + 256))
    ) {
      return true;
    }
  }
  return false;
}

/** Decodes every well-formed `%XX` and `+`, leaving a stray `%` as it is (decodeURIComponent throws on it). */
function percentDecoded(value: string): string {
  return value
    .replace(/\+/g, ' ')
    .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
