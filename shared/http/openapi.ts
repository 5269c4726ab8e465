import { createDocument } from 'zod-openapi';
import { ApiHeaders } from '#domain/api-headers';
import { InitiateRequest, InitiateResponse } from '#domain/initiate-request';
import {
  PERFORM_NETVERIFY_MAX_BODY_BYTES,
  PerformNetverifyRequest,
  PerformNetverifyResponse,
  PerformNetverifyUploadsRequest,
  PerformNetverifyUploadsResponse,
  UPLOAD_REFERENCE_LIFETIME_SECONDS,
  UPLOADS_PATH,
} from '#domain/perform-netverify';
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
      '/api/netverify/v2/performNetverify': {
        post: {
          operationId: 'performNetverify',
          summary: 'Verify an ID from images sent by your server (no hosted journey)',
          description: [
            'Answers the scan reference at once; the verdict comes by callback (`idScanSource` `API`) and from the retrieval API.',
            `Send the images in base64 in a body of at most ${PERFORM_NETVERIFY_MAX_BODY_BYTES} bytes (a Lambda function's request is capped at 6 MB, and base64 adds a third: three 5 MB images do not fit).`,
            `Images that do not fit: ask for presigned uploads with POST ${UPLOADS_PATH}, upload each image to its form, then send \`uploadReference\` here instead of the image and MIME type fields, within ${UPLOAD_REFERENCE_LIFETIME_SECONDS / 60} minutes. An upload reference is used once and becomes the scan reference.`,
            'Each image: JPEG or PNG, at most 5 MB and under 8,000 pixels a side (the pixel limit is checked by the verification, which answers ERROR_NOT_READABLE_ID for a larger image).',
          ].join('\n\n'),
          security: [{ basicAuth: [] }],
          requestParams: { header: apiHeaders },
          requestBody: {
            required: true,
            content: { 'application/json': { schema: PerformNetverifyRequest } },
          },
          responses: {
            '200': {
              description: 'Accepted for verification.',
              content: { 'application/json': { schema: PerformNetverifyResponse } },
            },
            '400': errorResponse(
              'Invalid body or headers, or an upload reference that is unknown, expired or missing an image: each failing field and rule is listed.',
            ),
            '401': errorResponse('Missing or wrong credentials (with `WWW-Authenticate: Basic`).'),
            '406': errorResponse('`Accept` does not admit application/json.'),
            '409': errorResponse('The upload reference was already submitted.'),
            '413': errorResponse(
              `Body larger than ${PERFORM_NETVERIFY_MAX_BODY_BYTES} bytes: use ${UPLOADS_PATH}. In AWS a body over Lambda's 6 MB cap is refused by the gateway before this API sees it.`,
            ),
            '415': errorResponse('`Content-Type` is not application/json.'),
          },
        },
      },
      [UPLOADS_PATH]: {
        post: {
          operationId: 'performNetverifyUploads',
          summary: 'Presigned uploads for performNetverify images too large to send inline',
          description:
            'Answers an `uploadReference` and, per image, a URL and form fields: POST multipart/form-data with the fields in order and the image last, as the field `file`, of the declared type and at most `maxBytes`, before `expiresAt`. Then call performNetverify with `uploadReference`.',
          security: [{ basicAuth: [] }],
          requestParams: { header: apiHeaders },
          requestBody: {
            required: true,
            content: { 'application/json': { schema: PerformNetverifyUploadsRequest } },
          },
          responses: {
            '200': {
              description: 'The upload forms.',
              content: { 'application/json': { schema: PerformNetverifyUploadsResponse } },
            },
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
