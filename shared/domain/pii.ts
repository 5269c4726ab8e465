/**
 * Personally identifiable information must not appear in references, presets or URLs (seed 000,
 * footnote 1). An e-mail address is the one form the spec names and the one that can be recognised
 * without false positives; it is looked for in the raw value and in its percent-decoded form.
 */

const EMAIL =
  /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+/;

export function containsEmailAddress(value: string): boolean {
  return EMAIL.test(value) || EMAIL.test(safeDecode(value));
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
