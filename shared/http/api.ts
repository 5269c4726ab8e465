import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  ApiHeaders,
  JsonBodyHeaders,
  NOT_ACCEPTABLE_RULE,
  REQUIRED_HEADER_MESSAGES,
} from '#domain/api-headers';
import type { Customer } from '#domain/customer';
import {
  AppError,
  NotAcceptable,
  NotFound,
  PayloadTooLarge,
  SessionRejected,
  Unauthorized,
  UnsupportedMediaType,
  ValidationError,
} from '#domain/errors';
import { fieldIssues, parseOrThrow } from '#domain/validation';
import type * as z from '#domain/zod';
import type { Authenticate } from '#use-cases/authenticate';
import { logger } from './logger.ts';
import { basicCredentials, bodyBytes, header } from './request.ts';
import { type HttpResponse, json } from './responses.ts';

/**
 * The shape of every API entry point: middy runs the logger and the error mapping; the spec says
 * what the request must bring (Basic credentials, a JSON body of a schema); the handler gets the
 * parsed input and calls one use case.
 *
 *   export const handler = api({ auth, body: InitiateRequest }).handle(({ customer, body }) => …);
 *
 * The checks run in an order that gives nothing away: size, then credentials, then media types and
 * headers, then the body.
 */

/** Far above any valid initiate body (its fields add up to under 4 KB). */
export const MAX_BODY_BYTES = 16 * 1024;

export const WWW_AUTHENTICATE = 'Basic realm="openverify", charset="UTF-8"';

interface Spec<Body extends z.core.$ZodType | undefined, Auth extends Authenticate | undefined> {
  auth?: Auth;
  body?: Body;
  /** Require `Accept` to admit JSON and `User-Agent` to be present (the Netverify API's header rules). */
  apiHeaders?: boolean;
  /** The largest body the route takes, when not MAX_BODY_BYTES (performNetverify's inline images). */
  maxBodyBytes?: number;
  /** Appended to the 413's message: where to send what does not fit. */
  tooLargeHint?: string;
}

export interface Input<Body, Auth> {
  event: APIGatewayProxyEventV2;
  body: Body extends z.core.$ZodType ? z.output<Body> : undefined;
  customer: Auth extends Authenticate ? Customer : undefined;
}

type Result = HttpResponse | Record<string, unknown>;

export function api<
  Body extends z.core.$ZodType | undefined = undefined,
  Auth extends Authenticate | undefined = undefined,
>(spec: Spec<Body, Auth>) {
  return {
    handle(run: (input: Input<Body, Auth>) => Promise<Result> | Result) {
      const core = async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
        assertExactPath(event);
        const raw = bodyBytes(event);
        const maxBodyBytes = spec.maxBodyBytes ?? MAX_BODY_BYTES;
        if (raw.length > maxBodyBytes) {
          const hint = spec.tooLargeHint ? ` ${spec.tooLargeHint}` : '';
          throw new PayloadTooLarge(`The body must be at most ${maxBodyBytes} bytes.${hint}`);
        }

        const customer = spec.auth
          ? await spec.auth(basicCredentials(header(event, 'authorization')))
          : undefined;
        if (customer) logger.appendKeys({ customerId: customer.customerId });

        if (spec.apiHeaders !== false) checkApiHeaders(event);
        const body = spec.body ? parseOrThrow(spec.body, parseJsonBody(event, raw)) : undefined;

        const result = await run({ event, body, customer } as Input<Body, Auth>);
        return 'statusCode' in result ? (result as HttpResponse) : json(200, result);
      };

      return middy<APIGatewayProxyEventV2, HttpResponse, Error, Context>()
        .use(injectLambdaContext(logger, { resetKeys: true }))
        .use(accessLog())
        .use(errorResponses())
        .handler(core);
    },
  };
}

/**
 * In AWS each route also answers on `<path>/{proxy+}`, because HTTP API route keys cannot end in a
 * slash and Netverify's sample posts to `/api/v4/initiate/`; anything deeper than that slash is not
 * this route.
 */
export function assertExactPath(event: APIGatewayProxyEventV2): void {
  if (event.pathParameters?.proxy) throw new NotFound('Not Found');
}

function checkApiHeaders(event: APIGatewayProxyEventV2): void {
  const headers = { Accept: header(event, 'accept'), 'User-Agent': header(event, 'user-agent') };
  const result = ApiHeaders.safeParse(headers);
  if (result.success) return;
  const issues = fieldIssues(result.error, headers);
  if (issues.some((issue) => issue.rule === NOT_ACCEPTABLE_RULE)) {
    throw new NotAcceptable('The API answers application/json; send Accept: application/json.');
  }
  throw new ValidationError(
    issues.map((issue) =>
      issue.rule === 'required'
        ? { ...issue, message: REQUIRED_HEADER_MESSAGES[issue.field] ?? issue.message }
        : issue,
    ),
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function parseJsonBody(event: APIGatewayProxyEventV2, raw: Buffer): unknown {
  if (!JsonBodyHeaders.safeParse({ 'Content-Type': header(event, 'content-type') }).success) {
    throw new UnsupportedMediaType('The body must be sent as Content-Type: application/json (UTF-8).');
  }
  let text: string | undefined;
  try {
    text = utf8.decode(raw);
  } catch {
    text = undefined;
  }
  // A gateway that decodes a text body before Lambda sees it may turn each invalid byte into U+FFFD
  // (API Gateway does not document what it does), so U+FFFD sent as such counts as a bad byte:
  // refused here, it is refused whichever way the body travelled. `\uFFFD` escaped in JSON is fine.
  if (text === undefined || text.includes('\uFFFD')) {
    throw new ValidationError([
      { field: '(body)', rule: 'utf-8', message: 'must be UTF-8 (JSON is UTF-8, RFC 8259), without U+FFFD' },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: '(body)', rule: 'json', message: 'must be a valid JSON document' }]);
  }
}

/** Maps errors to responses: a 4xx says what was wrong; a 5xx says nothing and is logged with the request id. */
function errorResponses(): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof AppError) {
        request.response = errorResponse(error);
        return;
      }
      logger.error('unhandled error', error as Error);
      request.response = json(500, {
        error: 'internal_error',
        message: 'Something went wrong on our side.',
        requestId: request.context.awsRequestId,
      });
    },
  };
}

export function errorResponse(error: AppError): HttpResponse {
  if (error instanceof ValidationError) {
    return json(error.status, {
      error: error.code,
      message: 'The request is invalid.',
      errors: error.issues,
    });
  }
  if (error instanceof SessionRejected) {
    // RFC 9110 §15.5.2: a 401 names its scheme. Browsers do not prompt for Bearer.
    return json(
      error.status,
      { error: error.code, errorCode: error.errorCode, message: error.message },
      { 'www-authenticate': error.tokenSent ? 'Bearer error="invalid_token"' : 'Bearer' },
    );
  }
  const headers: Record<string, string> =
    error instanceof Unauthorized ? { 'www-authenticate': WWW_AUTHENTICATE } : {};
  return json(error.status, { error: error.code, message: error.message }, headers);
}

function accessLog(): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  const started = new WeakMap<object, number>();
  const log = (request: middy.Request<APIGatewayProxyEventV2, HttpResponse, Error, Context>) => {
    const ms = performance.now() - (started.get(request) ?? performance.now());
    logger.info('request', {
      route: request.event.routeKey,
      status: request.response?.statusCode,
      latencyMs: Math.round(ms * 10) / 10,
    });
  };
  return {
    before: async (request) => {
      started.set(request, performance.now());
    },
    after: async (request) => log(request),
    onError: async (request) => log(request),
  };
}
