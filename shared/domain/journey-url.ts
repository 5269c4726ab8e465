import { AUTHORIZATION_TOKEN_LENGTH } from './authorization-token.ts';
import { LOCALES, type Locale } from './locales.ts';

/**
 * The `redirectUrl` answered by initiate: `{base}/web/v4/app?locale=…&authorizationToken=…`, where
 * the base carries the customer's domain prefix when the deployment has a prefixed host pattern
 * (`https://{prefix}.eu.example.com`). The response field is at most 255 characters (seed 000).
 */

export const REDIRECT_URL_MAX_LENGTH = 255;
export const JOURNEY_PATH = '/web/v4/app';

export interface JourneyHosts {
  /** The journey's origin, e.g. `https://verify.example.com`. */
  baseUrl: string;
  /** Optional pattern with `{prefix}` for customers that chose a domain prefix. */
  prefixedBaseUrl?: string;
}

/** A domain prefix is one DNS label. */
export const DOMAIN_PREFIX_MAX_LENGTH = 63;

export function journeyUrl(
  hosts: JourneyHosts,
  domainPrefix: string | undefined,
  locale: Locale,
  token: string,
): string {
  const base =
    domainPrefix !== undefined && hosts.prefixedBaseUrl !== undefined
      ? hosts.prefixedBaseUrl.replace('{prefix}', domainPrefix)
      : hosts.baseUrl;
  const url = urlOn(base, locale, token);
  // journeyHostsProblems makes this impossible for hosts checked at cold start.
  if (url.length > REDIRECT_URL_MAX_LENGTH) {
    throw new Error(`redirectUrl would be ${url.length} characters; the journey base URL is too long`);
  }
  return url;
}

function urlOn(base: string, locale: Locale, token: string): string {
  return `${base.replace(/\/$/, '')}${JOURNEY_PATH}?locale=${locale}&authorizationToken=${token}`;
}

export interface JourneyHostsProblem {
  host: keyof JourneyHosts;
  message: string;
}

const LONGEST_PREFIX = 'a'.repeat(DOMAIN_PREFIX_MAX_LENGTH);
const LONGEST_LOCALE = LOCALES.reduce((a, b) => (b.length > a.length ? b : a));
const LONGEST_TOKEN = 'x'.repeat(AUTHORIZATION_TOKEN_LENGTH);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * What is wrong with a deployment's journey hosts, checked once at cold start: each base must be an
 * HTTPS origin (plain HTTP only on loopback, for the local runner) with no query or fragment, and the
 * longest `redirectUrl` it can produce (the longest domain prefix, locale and token) must fit in
 * 255 characters, so that no initiate call can fail on it later.
 */
export function journeyHostsProblems(hosts: JourneyHosts): JourneyHostsProblem[] {
  const problems: JourneyHostsProblem[] = baseProblems(hosts.baseUrl).map((message) => ({
    host: 'baseUrl',
    message,
  }));
  if (hosts.prefixedBaseUrl !== undefined) {
    const messages = hosts.prefixedBaseUrl.includes('{prefix}')
      ? baseProblems(hosts.prefixedBaseUrl.replace('{prefix}', LONGEST_PREFIX))
      : ['must contain {prefix}'];
    problems.push(...messages.map((message) => ({ host: 'prefixedBaseUrl' as const, message })));
  }
  return problems;
}

function baseProblems(base: string): string[] {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return ['must be an absolute URL'];
  }
  const problems: string[] = [];
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    problems.push('must use https:// (http:// only on loopback)');
  }
  if (url.search !== '' || url.hash !== '' || base.includes('?') || base.includes('#')) {
    problems.push('must not have a query or fragment');
  }
  const longest = urlOn(base, LONGEST_LOCALE, LONGEST_TOKEN).length;
  if (longest > REDIRECT_URL_MAX_LENGTH) {
    problems.push(
      `is too long: the longest redirectUrl would be ${longest} characters (at most ${REDIRECT_URL_MAX_LENGTH})`,
    );
  }
  return problems;
}
