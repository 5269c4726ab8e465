/**
 * Personally identifiable information must not appear in references, presets or URLs (seed 000,
 * footnote 1). An e-mail address is the one form the spec names and the one that can be recognised
 * without false positives; it is looked for in the raw value and in its percent-decoded form.
 */

const LOCAL_PART_END = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]$/;
const DOMAIN_START = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+/;

export function containsEmailAddress(value: string): boolean {
  return hasAddressAt(value) || hasAddressAt(percentDecoded(value));
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
