import { createDocument } from 'zod-openapi';
import { ApiHeaders } from '#domain/api-headers';
import { InitiateRequest, InitiateResponse } from '#domain/initiate-request';
import { JourneySession, SessionError } from '#domain/session';
import * as z from '#domain/zod';

/** The API document, generated from the same zod schemas that validate requests. */

const FieldError = z
  .object({
    field: z.string().check(z.meta({ example: 'successUrl' })),
    rule: z.string().check(z.meta({ example: 'https-only' })),
    message: z.string().check(z.meta({ example: 'must use https://' })),
  })
  .register(z.globalRegistry, { id: 'FieldError' });

const ErrorBody = z
  .object({
    error: z.string().check(z.meta({ example: 'validation_failed' })),
    message: z.string(),
    errors: z.optional(z.array(FieldError)),
  })
  .register(z.globalRegistry, { id: 'Error' });

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});

// OpenAPI 3.1 ignores header parameters named Accept, Content-Type or Authorization (§4.8.12.1):
// those are stated by the request body's media type, the 406/415 answers and the security scheme.
const apiHeaders = z.object({ 'User-Agent': ApiHeaders.shape['User-Agent'] });

export function openApiDocument(serverUrl?: string) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'openverify API',
      version: '4.0.0',
      description:
        'Identity verification, wire-compatible with the Netverify Web v4 initiate flow. Locales: the API table plus Croatian (`hr`) from the portal list.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: {
        basicAuth: {
          type: 'http',
          scheme: 'basic',
          description: 'API token as user-id, API secret as password.',
        },
        authorizationToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The journey’s authorizationToken.',
        },
      },
    },
    paths: {
      '/api/v4/initiate': {
        post: {
          operationId: 'initiate',
          summary: 'Create a verification transaction',
          security: [{ basicAuth: [] }],
          requestParams: { header: apiHeaders },
          requestBody: { required: true, content: { 'application/json': { schema: InitiateRequest } } },
          responses: {
            '200': { description: 'Created.', content: { 'application/json': { schema: InitiateResponse } } },
            '400': errorResponse('Invalid body or headers: each failing field and rule is listed.'),
            '401': errorResponse('Missing or wrong credentials (with `WWW-Authenticate: Basic`).'),
            '406': errorResponse('`Accept` does not admit application/json.'),
            '413': errorResponse('Body larger than 16 KiB.'),
            '415': errorResponse('`Content-Type` is not application/json.'),
          },
        },
      },
      '/api/v4/session': {
        get: {
          operationId: 'openSession',
          summary: 'The journey’s token check',
          description:
            'Called by the journey page. Opens (or reopens) the session; the first call marks the journey started.',
          security: [{ authorizationToken: [] }],
          responses: {
            '200': {
              description: 'The session.',
              content: { 'application/json': { schema: JourneySession } },
            },
            '401': {
              description:
                'Error 9200 (token missing, invalid or expired) or 9210 (expired after the journey started).',
              content: { 'application/json': { schema: SessionError } },
            },
          },
        },
      },
      '/api/v4/openapi.json': {
        get: {
          operationId: 'openApiDocument',
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1 document.' } },
        },
      },
    },
  });
}
