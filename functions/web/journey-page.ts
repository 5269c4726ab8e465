// (API Gateway) --> the journey page: GET /web/v4/app?locale=…&authorizationToken=…
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { canonicalLocale, DEFAULT_LOCALE, directionOf, type Locale } from '#domain/locales';
import { html } from '#http/responses';
import { renderJourneyPage } from '../../web/journey/page.ts';

/**
 * The page is a shell around the journey's browser bundle for the requested locale. Deployed, the
 * bundles are built with the function (infra: `journey-client/<locale>.js` beside the handler);
 * from the sources (`npm start`), esbuild builds each on its first request.
 */
const PREBUILT = join(import.meta.dirname, 'journey-client');
// A computed specifier: esbuild leaves it alone, so the deployed bundle carries no esbuild.
const BUILDER = pathToFileURL(join(import.meta.dirname, '..', '..', 'web', 'journey', 'build.ts')).href;

const scripts = new Map<Locale, Promise<string>>();

function clientScript(locale: Locale): Promise<string> {
  let script = scripts.get(locale);
  if (!script) {
    const file = join(PREBUILT, `${locale}.js`);
    script = existsSync(file)
      ? Promise.resolve(readFileSync(file, 'utf8'))
      : import(BUILDER).then((module: { buildJourneyClient: (l: Locale) => Promise<string> }) =>
          module.buildJourneyClient(locale),
        );
    scripts.set(locale, script);
  }
  return script;
}

/** Where the browser uploads images (presigned POST): the page may connect there. */
const uploadOrigin = (): string | undefined => {
  const endpoint = process.env.S3_PUBLIC_ENDPOINT ?? process.env.S3_ENDPOINT;
  if (endpoint) return new URL(endpoint).origin;
  const bucket = process.env.BUCKET_NAME;
  const region = process.env.AWS_REGION;
  return bucket && region ? `https://${bucket}.s3.${region}.amazonaws.com` : undefined;
};

export const handler = middy<APIGatewayProxyEventV2>().handler(async (event) => {
  if (event.pathParameters?.proxy)
    return html(404, '<!doctype html><title>Not found</title><h1>Not found</h1>');
  const requested = event.queryStringParameters?.locale;
  const locale =
    (requested && (canonicalLocale(requested) ?? canonicalLocale(requested.split('-')[0] ?? ''))) ||
    DEFAULT_LOCALE;
  const nonce = randomBytes(16).toString('base64');
  const script = await clientScript(locale);
  const upload = uploadOrigin();
  return html(200, renderJourneyPage({ nonce, script, locale, dir: directionOf(locale) }), {
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      `connect-src 'self'${upload ? ` ${upload}` : ''}`,
      // The customer's branding images come from this origin (/web/v4/branding/…), like the page.
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'self'",
    ].join('; '),
    'referrer-policy': 'no-referrer',
    'permissions-policy': 'camera=(self)',
  });
});
