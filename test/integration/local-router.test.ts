import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '#domain/errors';
import { errorResponse } from '#http/api';
import type { Route } from '#shared/routes';
import { type LocalRouter, startRouter } from '../../local/router.ts';

/**
 * The local stand-in for API Gateway, over a real loopback socket with a handler that records the
 * event it gets: what a malformed request target answers, what reaches the log, and how the body's
 * bytes are handed over.
 */

const ROUTES: readonly Route[] = [
  { name: 'initiate', method: 'POST', path: '/api/v4/initiate', entry: 'unused' },
  { name: 'journey', method: 'GET', path: '/web/v4/app', entry: 'unused' },
];

const TOKEN = 'secret-token-value-0123456789';

let router: LocalRouter;
let events: APIGatewayProxyEventV2[] = [];
const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

beforeAll(async () => {
  router = await startRouter(
    ROUTES,
    async () => async (event) => {
      events.push(event);
      return { statusCode: 200, body: '{}' };
    },
    { port: 0 },
  );
});
afterAll(async () => {
  await router.close();
  errors.mockRestore();
});
afterEach(() => {
  events = [];
  errors.mockClear();
});
/** Sends bytes as they are, so that the request target reaches the server unchecked (as curl --request-target does); HTTP/1.0, so that the answer is not chunked. */
function raw(text: string | Buffer): Promise<{ status: number; body: string }> {
  const { port } = new URL(router.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const response = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
      resolve({ status, body: response.slice(response.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(text); // not ended: a half-closed client may see the server close before it answers
  });
}

function requestWith(method: string, target: string, body = ''): string {
  return (
    `${method} ${target} HTTP/1.0\r\nHost: 127.0.0.1\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function post(body: Buffer, contentType = 'application/json'): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${router.url}/api/v4/initiate`,
      { method: 'POST', headers: { 'content-type': contentType } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const logged = () => errors.mock.calls.map((args) => args.map(String).join(' ')).join('\n');

describe('a malformed request target', () => {
  it.each([
    ['POST', 'http://[/api/v4/initiate'],
    ['POST', 'http://[::1/api/v4/initiate'],
    ['POST', 'http://a:99999/api/v4/initiate'],
    ['POST', 'http://%zz/api/v4/initiate'],
    ['POST', 'https://[x]/api/v4/initiate'],
    ['GET', `http://[/web/v4/app?authorizationToken=${TOKEN}`],
    ['GET', `http://a:99999/web/v4/app?authorizationToken=${TOKEN}`],
  ])('%s %s → 400 in the API error shape, and nothing logged', async (method, target) => {
    const response = await raw(requestWith(method, target, method === 'POST' ? '{}' : ''));
    expect(response.status).toBe(400);
    const body = JSON.parse(response.body);
    expect(body).toEqual({
      error: 'validation_failed',
      message: 'The request is invalid.',
      errors: [{ field: '(request-target)', rule: 'request-target', message: expect.any(String) }],
    });
    // The very shape the API's own error mapping gives a validation error.
    expect(body).toEqual(JSON.parse(errorResponse(new ValidationError(body.errors)).body ?? ''));
    expect(events).toEqual([]);
    expect(logged()).toBe('');
  });

  it('a well-formed absolute-form target still reaches its route', async () => {
    const response = await raw(requestWith('POST', 'http://127.0.0.1/api/v4/initiate', '{}'));
    expect(response.status).toBe(200);
    expect(events.map((event) => event.rawPath)).toEqual(['/api/v4/initiate']);
  });
});

describe('what the router logs', () => {
  it('a handler that throws: one line with the path, neither the query string nor the target', async () => {
    const failing = await startRouter(
      ROUTES,
      async () => async (event) => {
        throw new Error(`boom for ${event.rawPath}?${event.rawQueryString}`);
      },
      { port: 0 },
    );
    try {
      const response = await fetch(`${failing.url}/web/v4/app?authorizationToken=${TOKEN}`);
      expect(response.status).toBe(500);
      expect(logged()).toContain('local router: GET /web/v4/app journey threw: Error: boom');
      expect(logged()).not.toContain(TOKEN);
      expect(logged()).not.toContain('authorizationToken');
    } finally {
      await failing.close();
    }
  });

  it('a client that goes away mid-body: one quiet line, no stack trace', async () => {
    const { port } = new URL(router.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /api/v4/initiate?authorizationToken=x HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
            'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"customer',
          () => setTimeout(() => socket.destroy(), 50),
        );
      });
      socket.on('close', () => resolve());
    });
    await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(1));
    expect(logged()).toBe('local router: POST /api/v4/initiate: the client went away before the body ended');
    expect(events).toEqual([]);
  });
});

/** Invalid UTF-8 sequences: a stray byte, a lead byte without its continuation, an overlong `/`, a CESU-8 surrogate, a code point past U+10FFFF. */
const INVALID_UTF8 = ['ff', 'c328', 'c0af', 'eda080', 'f4908080'];

describe('the body as API Gateway (HTTP API) hands it over', () => {
  it('valid UTF-8 JSON arrives as a string, not base64', async () => {
    const body = Buffer.from('{"customerInternalReference":"Zürich","userReference":"u"}', 'utf8');
    expect(await post(body)).toBe(200);
    expect(events[0]?.isBase64Encoded).toBe(false);
    expect(events[0]?.body).toBe(body.toString('utf8'));
  });

  it('a binary content type arrives base64-encoded', async () => {
    const body = Buffer.from([0, 1, 2, 0xff]);
    expect(await post(body, 'application/octet-stream')).toBe(200);
    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]?.body ?? '', 'base64')).toEqual(body);
  });

  it.each(INVALID_UTF8)('a JSON body holding %s arrives as the very bytes sent, not U+FFFD', async (hex) => {
    const body = Buffer.concat([
      Buffer.from('{"customerInternalReference":"a'),
      Buffer.from(hex, 'hex'),
      Buffer.from('b","userReference":"u"}'),
    ]);
    expect(await post(body)).toBe(200);
    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]?.body ?? '', 'base64')).toEqual(body);
  });
});
