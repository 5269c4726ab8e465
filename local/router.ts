import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { normalisePath, type Route } from '#shared/routes';
import { lambdaContext } from './lambda-context.ts';

/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): matches the route table, builds
 * the same event, calls the same handler, and writes its result. Like API Gateway, it refuses bodies
 * over 10 MB itself, answers 404 for unknown routes and 500 when a handler throws.
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
  options: { port: number; host?: string },
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
      console.error('local router:', error);
      if (!response.headersSent)
        send(response, { statusCode: 500, body: '{"message":"Internal Server Error"}' });
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    const path = normalisePath(url.pathname);
    const route = routes.find((candidate) => candidate.method === request.method && candidate.path === path);
    if (!route) return send(response, { statusCode: 404, body: '{"message":"Not Found"}' });

    const body = await readBody(request);
    if (body === undefined)
      return send(response, { statusCode: 413, body: '{"message":"Request Entity Too Large"}' });

    const event = toEvent(request, url, route, body);
    const handler = await handlerOf(route);
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = await handler(event, lambdaContext(route.name, 10_000, event.requestContext.requestId));
    } catch (error) {
      console.error(`local router: ${route.name} threw`, error);
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

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > API_GATEWAY_MAX_BODY) {
      request.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
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
  const textual = TEXT_TYPES.test(headers['content-type'] ?? '');
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
