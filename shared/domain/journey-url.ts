import type { Locale } from './locales.ts';

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
