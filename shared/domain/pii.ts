import { isUtf8 } from 'node:buffer';

/**
 * Personally identifiable information must not appear in references, presets or URLs (seed 000,
 * footnote 1). An e-mail address is the one form the spec names and the one that can be recognised
 * without false positives, so the rule looks for e-mail addresses only, also disguised:
 *
 * Caught:
 * - the address as such, internationalised ones included (`jürgen@bücher.example`);
 * - look-alike characters that Unicode NFKC folds to ASCII: full-width `user＠example．com`, the small
 *   commercial at `john﹫example.com`, full-width letters;
 * - the at and the dot spelled out between brackets of any kind, with or without spaces:
 *   `john(at)example.com`, `john [at] example [dot] com`, `{at}`, `<at>`;
 * - HTML character references: `&#64;`, `&#x40;`, `&commat;`, `&period;`, and `&amp;` around them;
 * - percent-encoding, nested up to MAX_DECODINGS deep (`%40`, `%2540`, `%252540`…), its bytes read as
 *   UTF-8 (so `%EF%BC%A0` is `＠`), else as Latin-1; and each of these within the others.
 *
 * Not caught, because telling them from ordinary text would refuse harmless references: the at or
 * the dot as bare words (`john at example dot com`), spaces around a plain at (`john @ example.com`),
 * at signs NFKC does not fold (`Ⓐ`, other scripts' words for "at"), escapes of programming
 * languages (`\u0040`, `\x40`), base64 or other encodings, an address split across fields,
 * addresses whose domain is an IP literal (`john@[192.0.2.1]`) or has no top-level label of letters
 * (`team@home`); and personal data other than e-mail addresses (names, phone numbers).
 */

/** Deeper than any real double- or triple-encoding, and a bound on the work for a hostile value. */
const MAX_DECODINGS = 8;

const LOCAL_PART_END = /[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]$/u;
// Internationalised addresses count too. A domain ends in a top-level label of letters (or
// punycode): `price@1.99` and `batch@2024.01.05` are not addresses.
const DOMAIN_START =
  /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}-]+)*\.(?:\p{L}{2,63}|xn--[A-Za-z0-9-]{1,59})(?![\p{L}\p{N}-])/u;

export function containsEmailAddress(value: string): boolean {
  let current = value;
  for (let decodings = 0; ; decodings++) {
    if (hasAddressAt(spelledOut(current.normalize('NFKC')))) return true;
    const next = decoded(current);
    if (next === current || decodings === MAX_DECODINGS) return false;
    current = next;
  }
}

/** `(at)`, `[ at ]`, `{dot}`…: the spelled-out forms between brackets, case-insensitive. */
function spelledOut(value: string): string {
  return value.replace(/\s*[([{<]\s*at\s*[)\]}>]\s*/giu, '@').replace(/\s*[([{<]\s*dot\s*[)\]}>]\s*/giu, '.');
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

/** One layer of percent-encoding and of HTML character references taken off. */
function decoded(value: string): string {
  return htmlDecoded(percentDecoded(value));
}

/**
 * Decodes every run of well-formed `%XX` (as UTF-8 when the bytes are UTF-8, else byte by byte as
 * Latin-1) and `+`, leaving a stray `%` as it is (decodeURIComponent throws on it).
 */
function percentDecoded(value: string): string {
  return value.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replaceAll('%', ''), 'hex');
    return bytes.toString(isUtf8(bytes) ? 'utf8' : 'latin1');
  });
}

const NAMED_REFERENCES: Record<string, string> = { commat: '@', period: '.', amp: '&' };

/** Decimal and hexadecimal character references (the `;` optional, as browsers read them) and a few named ones. */
function htmlDecoded(value: string): string {
  return value.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|(commat|period|amp));?/g,
    (reference, dec, hex, name) => {
      if (name !== undefined) return NAMED_REFERENCES[(name as string).toLowerCase()] ?? reference;
      const codePoint = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
      const valid = codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
      return valid ? String.fromCodePoint(codePoint) : reference;
    },
  );
}
