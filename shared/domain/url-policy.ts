import { isIP } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import { containsEmailAddress } from './pii.ts';

/**
 * The constraints on callback, success and error URLs (seed 000 "URL constraints", seed 003):
 * HTTPS; a valid ASCII URL whose host is a DNS name (IDNA punycode allowed); no IP address, no port,
 * no fragment, no user info; none of the query parameters the journey appends at its end; no PII.
 * The rules read the raw string as well as the parsed URL, because WHATWG parsing normalises away
 * what the spec forbids (`https://a.com:443` loses its port, `https://0x7f.1` becomes an IP).
 */

/** Appended to the success and error URLs when the journey ends, so they may not be in them. */
export const RESERVED_QUERY_PARAMETERS = [
  'transactionStatus',
  'customerInternalReference',
  'transactionReference',
  'errorCode',
] as const;

export type UrlRule =
  | 'max-length'
  | 'url'
  | 'ascii-only'
  | 'https-only'
  | 'no-credentials'
  | 'no-ip-address'
  | 'no-port'
  | 'hostname'
  | 'no-fragment'
  | 'reserved-query-parameter'
  | 'no-pii';

export interface UrlViolation {
  rule: UrlRule;
  message: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const reserved = new Set(RESERVED_QUERY_PARAMETERS.map((name) => name.toLowerCase()));

/** Every rule the URL breaks; an empty list means the URL is acceptable. */
export function checkUrl(raw: string, maxLength: number): UrlViolation[] {
  if (raw.length > maxLength) {
    return [{ rule: 'max-length', message: `must be at most ${maxLength} characters` }];
  }
  // Printable ASCII only: the spec asks for ASCII or punycode, and control characters hide content.
  if (raw === '') return [{ rule: 'url', message: 'must be an absolute URL' }];
  if (!/^[\x21-\x7e]+$/.test(raw)) {
    return [
      { rule: 'ascii-only', message: 'must use printable ASCII characters only (IDNA punycode for hosts)' },
    ];
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [{ rule: 'url', message: 'must be an absolute URL' }];
  }
  const violations: UrlViolation[] = [];
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(raw)?.[0] ?? '';
  if (url.protocol !== 'https:' || scheme.toLowerCase() !== 'https://') {
    violations.push({ rule: 'https-only', message: 'must use https://' });
  }
  if (scheme === '') return violations;

  // WHATWG parsing forgives extra slashes and backslashes after the scheme; the rules below read the
  // authority from the raw text, so the text must say plainly where it is.
  if (/^[/\\]/.test(raw.slice(scheme.length)) || raw.includes('\\')) {
    violations.push({ rule: 'url', message: 'must be https://host/… without extra slashes or backslashes' });
    return violations;
  }
  const authority = raw.slice(scheme.length).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@')) {
    violations.push({ rule: 'no-credentials', message: 'must not contain a user name or password' });
  }
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host.startsWith('[') || isIP(url.hostname) !== 0 || isIP(host.split(':')[0] ?? '') !== 0) {
    violations.push({ rule: 'no-ip-address', message: 'must name a host, not an IP address' });
  } else {
    if (host.includes(':') || url.port !== '') {
      violations.push({ rule: 'no-port', message: 'must not specify a port' });
    }
    if (!isDnsName(url.hostname)) {
      violations.push({
        rule: 'hostname',
        message: 'must have a fully qualified DNS host name (letters, digits and hyphens; punycode for IDNs)',
      });
    }
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) {
    violations.push({ rule: 'url', message: 'must write a literal % as %25 (RFC 3986 percent-encoding)' });
  }
  if (raw.includes('#')) {
    violations.push({ rule: 'no-fragment', message: 'must not contain a fragment (#…)' });
  }
  const taken = [...url.searchParams.keys()].filter((name) => reserved.has(name.toLowerCase()));
  if (taken.length > 0) {
    violations.push({
      rule: 'reserved-query-parameter',
      message: `must not use the query parameter ${[...new Set(taken)].join(', ')}: the journey appends it`,
    });
  }
  if (containsEmailAddress(raw.slice(scheme.length + authority.length))) {
    violations.push({ rule: 'no-pii', message: 'must not contain personal data such as an e-mail address' });
  }
  return violations;
}

function isDnsName(hostname: string): boolean {
  if (hostname.length > 253) return false;
  const labels = hostname.replace(/\.$/, '').split('.');
  if (labels.length < 2) return false;
  // A numeric top-level label would make the host an IP address in disguise.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((label) => LABEL.test(label) && (!label.startsWith('xn--') || isPunycode(label)));
}

/** An `xn--` label must decode to Unicode and encode back to itself (`xn--a` decodes to nothing). */
function isPunycode(label: string): boolean {
  const unicode = domainToUnicode(label);
  return unicode !== '' && unicode !== label && domainToASCII(unicode) === label;
}
