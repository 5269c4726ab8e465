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
  const url = `${base.replace(/\/$/, '')}${JOURNEY_PATH}?locale=${locale}&authorizationToken=${token}`;
  if (url.length > REDIRECT_URL_MAX_LENGTH) {
    throw new Error(`redirectUrl would be ${url.length} characters; the journey base URL is too long`);
  }
  return url;
}

const LONGEST_PREFIX = 'a'.repeat(63);
const LONGEST_LOCALE = LOCALES.reduce((a, b) => (b.length > a.length ? b : a));
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * What is wrong with a deployment's journey hosts, checked once at cold start: each base must be an
 * HTTPS origin (plain HTTP only on loopback, for the local runner) with no query or fragment, and the
 * longest `redirectUrl` they can produce (the longest domain prefix, locale and token) must fit in
 * 255 characters, so that no initiate call can fail on it later.
 */
export function journeyHostsProblems(hosts: JourneyHosts): string[] {
  const problems = originProblems(hosts.baseUrl).map((problem) => `baseUrl ${problem}`);
  if (hosts.prefixedBaseUrl !== undefined) {
    if (!hosts.prefixedBaseUrl.includes('{prefix}')) {
      problems.push('prefixedBaseUrl must contain {prefix}');
    } else {
      const example = hosts.prefixedBaseUrl.replace('{prefix}', LONGEST_PREFIX);
      problems.push(...originProblems(example).map((problem) => `prefixedBaseUrl ${problem}`));
    }
  }
  if (problems.length > 0) return problems;

  const token = 'x'.repeat(AUTHORIZATION_TOKEN_LENGTH);
  const longest = Math.max(
    journeyUrlLength(hosts.baseUrl, token),
    hosts.prefixedBaseUrl === undefined
      ? 0
      : journeyUrlLength(hosts.prefixedBaseUrl.replace('{prefix}', LONGEST_PREFIX), token),
  );
  if (longest > REDIRECT_URL_MAX_LENGTH) {
    problems.push(
      `the longest redirectUrl would be ${longest} characters (at most ${REDIRECT_URL_MAX_LENGTH}): shorten the host`,
    );
  }
  return problems;
}

function journeyUrlLength(base: string, token: string): number {
  return `${base.replace(/\/$/, '')}${JOURNEY_PATH}?locale=${LONGEST_LOCALE}&authorizationToken=${token}`
    .length;
}

function originProblems(base: string): string[] {
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
  return problems;
}
