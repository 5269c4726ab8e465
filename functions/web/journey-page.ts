// (API Gateway) --> the journey page: GET /web/v4/app?locale=…&authorizationToken=…
import { randomBytes } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { html } from '#http/responses';
import { renderJourneyPage } from '../../web/journey/page.ts';

export const handler = middy<APIGatewayProxyEventV2>().handler(async (event) => {
  if (event.pathParameters?.proxy)
    return html(404, '<!doctype html><title>Not found</title><h1>Not found</h1>');
  const nonce = randomBytes(16).toString('base64');
  return html(200, renderJourneyPage(nonce), {
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'self'",
    ].join('; '),
    'referrer-policy': 'no-referrer',
    'permissions-policy': 'camera=(self)',
  });
});
