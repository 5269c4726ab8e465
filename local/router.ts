import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ValidationError } from '#domain/errors';
import { json } from '#http/responses';
import { normalisePath, type Route } from '#shared/routes';
import { lambdaContext } from './lambda-context.ts';

/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): matches the route table, builds
 * the same event, calls the same handler, and writes its result. Like API Gateway, it refuses bodies
 * over 10 MB itself, answers 404 for unknown routes and 500 when a handler throws; a request target
 * that is not a URL is a 400 in the API's own error shape.
 *
 * Its log lines name the method and the path, never the request target or its query string: the
 * journey page's URL carries the authorization token there.
 */

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;
const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml)|text\/)/i;

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export interface LocalRouter {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startRouter(
  routes: readonly Route[],
  load: (route: Route) => Promise<ApiHandler>,
  options: {
    port: number;
    host?: string;
    /** Serves what the route table does not (the local demo page); answers whether it did. */
    extra?: (request: IncomingMessage, response: ServerResponse, path: string) => Promise<boolean>;
  },
): Promise<LocalRouter> {
  const handlers = new Map<Route, Promise<ApiHandler>>();
  const handlerOf = (route: Route) => {
    let handler = handlers.get(route);
    if (!handler) {
      handler = load(route);
      handlers.set(route, handler);
    }
    return handler;
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      logError(request, 'failed', error);
      if (!response.headersSent)
        send(response, { statusCode: 500, body: '{"message":"Internal Server Error"}' });
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = requestUrl(request.url);
    if (url === undefined) {
      request.resume();
      return send(response, MALFORMED_TARGET);
    }
    const path = normalisePath(url.pathname);
    if (options.extra && (await options.extra(request, response, path))) return;
    const match = matchRoute(routes, request.method ?? '', path);
    if (!match) return send(response, { statusCode: 404, body: '{"message":"Not Found"}' });
    const { route, pathParameters } = match;

    const body = await readBody(request);
    if (body === ABORTED) {
      console.error(
        `local router: ${route.method} ${route.path}: the client went away before the body ended`,
      );
      return;
    }
    if (body === TOO_LARGE)
      return send(response, { statusCode: 413, body: '{"message":"Request Entity Too Large"}' });

    const event = { ...toEvent(request, url, route, body), ...(pathParameters ? { pathParameters } : {}) };
    const handler = await handlerOf(route);
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = await handler(event, lambdaContext(route.name, 10_000, event.requestContext.requestId));
    } catch (error) {
      logError(request, `${route.name} threw`, error);
      result = { statusCode: 500, body: '{"message":"Internal Server Error"}' };
    }
    send(response, result);
  }

  const host = options.host ?? '127.0.0.1';
  // Without an 'error' listener a taken port would crash the process past the caller's cleanup.
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(`Port ${options.port} on ${host} is already in use`, { cause: error })
          : error,
      );
    server.once('error', refuse);
    server.listen(options.port, host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  server.on('error', (error) => console.error('local router:', error));
  server.keepAliveTimeout = 5_000;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A request target Node accepted but WHATWG URL cannot read (`http://[/api/v4/initiate`,
 * `http://a:99999/…`): absolute-form targets carry an authority, and a malformed one throws.
 */
function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://local');
  } catch {
    return undefined;
  }
}

const malformedTarget = new ValidationError([
  {
    field: '(request-target)',
    rule: 'request-target',
    message: 'must be a path such as /api/v4/initiate, or an absolute URL with a valid host and port',
  },
]);
// The body errorResponse() gives a ValidationError (shared/http/api.ts), built here: importing api.ts
// would create the handlers' logger now, before the stack sets its log level.
const MALFORMED_TARGET = json(malformedTarget.status, {
  error: malformedTarget.code,
  message: 'The request is invalid.',
  errors: malformedTarget.issues,
});

/**
 * One entry about an unexpected error, with the request's method and path but never its target: an
 * error may quote its input (a TypeError from `new URL` holds it in `input`), so only the stack is
 * printed, and anything from the target is cut out of it.
 */
function logError(request: IncomingMessage, what: string, error: unknown): void {
  const target = request.url ?? '';
  const path = target.split('?')[0] ?? '';
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  const redacted = (value: string) =>
    (target ? value.replaceAll(target, '<request target>') : value).replace(/\?\S*/g, '?…');
  console.error(`local router: ${request.method} ${redacted(path)} ${what}: ${redacted(text)}`);
}

const TOO_LARGE = Symbol('too large');
const ABORTED = Symbol('aborted');

async function readBody(request: IncomingMessage): Promise<Buffer | typeof TOO_LARGE | typeof ABORTED> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > API_GATEWAY_MAX_BODY) {
        request.resume();
        return TOO_LARGE;
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    // Node ends the stream with `Error: aborted` (ECONNRESET) when the client goes mid-body.
    if (request.destroyed || (error as NodeJS.ErrnoException).code === 'ECONNRESET') return ABORTED;
    throw error;
  }
  return Buffer.concat(chunks);
}

function toEvent(request: IncomingMessage, url: URL, route: Route, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  // API Gateway (HTTP API) decides isBase64Encoded from the content type: text types arrive as a
  // string, others base64-encoded. How it passes a text body that is not valid UTF-8 is not
  // documented; here such a body goes base64-encoded, so that the handler sees the very bytes sent
  // and refuses them (rule `utf-8`) rather than a string in which they became U+FFFD. The handler
  // also refuses U+FFFD itself (shared/http/api.ts), for a gateway that replaces them.
  const textual = TEXT_TYPES.test(headers['content-type'] ?? '') && isUtf8(body);
  const routeKey = `${route.method} ${route.path}`;

  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(request.headers.cookie ? { cookies: request.headers.cookie.split(/;\s*/) } : {}),
    ...(url.search ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0
      ? { body: body.toString(textual ? 'utf8' : 'base64'), isBase64Encoded: !textual }
      : { isBase64Encoded: false }),
  };
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  if (
    !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type') &&
    result.body !== undefined
  ) {
    headers['content-type'] = 'application/json';
  }
  const body =
    result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

/**
 * The route for a method and path as API Gateway picks it: `{name}` in a route's path matches one
 * segment (its value, decoded, becomes a path parameter), and where several routes match, the one
 * with more literal segments wins.
 */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; pathParameters?: Record<string, string> } | undefined {
  const segments = path.split('/');
  let best: { route: Route; pathParameters?: Record<string, string>; literals: number } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    let literals = 0;
    const matches = template.every((part, index) => {
      const segment = segments[index] ?? '';
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) {
        literals++;
        return part === segment;
      }
      if (segment === '') return false;
      try {
        parameters[name] = decodeURIComponent(segment);
      } catch {
        return false;
      }
      return true;
    });
    if (matches && (best === undefined || literals > best.literals)) {
      best = {
        route,
        literals,
        ...(Object.keys(parameters).length > 0 ? { pathParameters: parameters } : {}),
      };
    }
  }
  return (
    best && { route: best.route, ...(best.pathParameters ? { pathParameters: best.pathParameters } : {}) }
  );
}
