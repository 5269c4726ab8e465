import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initiateHeaders, newDataDir, type RunningProduct, startProduct } from './local-process.ts';

/**
 * What an attacker sends to `npm start` over raw HTTP: bodies that are not UTF-8, request targets
 * that are not URLs. Each gets a 400 in the API's error shape, and the log never shows a token.
 */

let dataDir: string;
let product: RunningProduct;

beforeAll(async () => {
  dataDir = newDataDir();
  product = await startProduct(dataDir);
});
afterAll(async () => {
  await product?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Bytes as they are, HTTP/1.0 so that the answer is neither chunked nor kept alive. */
function rawRequest(head: string, body: Buffer = Buffer.alloc(0)): Promise<{ status: number; body: string }> {
  const { port } = new URL(product.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const response = Buffer.concat(chunks).toString('utf8');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]),
        body: response.slice(response.indexOf('\r\n\r\n') + 4),
      });
    });
    // Written, not ended: a client that half-closes may see the server close before it answers.
    socket.write(Buffer.concat([Buffer.from(head), body]));
  });
}

function initiateHead(target: string, body: Buffer, contentType = 'application/json'): string {
  const headers = { ...initiateHeaders(), 'Content-Type': contentType };
  return (
    `POST ${target} HTTP/1.0\r\nHost: 127.0.0.1\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    `Content-Length: ${body.length}\r\n\r\n`
  );
}

const INVALID_UTF8 = {
  'FF (never valid)': 'ff',
  'C3 28 (a lead byte without its continuation)': 'c328',
  'C0 AF (an overlong "/")': 'c0af',
  'ED A0 80 (a CESU-8 surrogate)': 'eda080',
  'F4 90 80 80 (past U+10FFFF)': 'f4908080',
};

describe('POST /api/v4/initiate with a body that is not UTF-8', () => {
  it.each(
    Object.entries(INVALID_UTF8).flatMap(([name, hex]) =>
      ['application/json', 'application/json; charset=utf-8'].map((type) => [name, type, hex] as const),
    ),
  )('%s, sent as %s → 400 utf-8', async (_name, contentType, hex) => {
    const body = Buffer.concat([
      Buffer.from('{"customerInternalReference":"a'),
      Buffer.from(hex, 'hex'),
      Buffer.from('b","userReference":"u"}'),
    ]);
    const response = await rawRequest(initiateHead('/api/v4/initiate', body, contentType), body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: 'validation_failed',
      message: 'The request is invalid.',
      errors: [{ field: '(body)', rule: 'utf-8', message: expect.any(String) }],
    });
  });

  it('the same body in UTF-8 is a 200', async () => {
    const body = Buffer.from('{"customerInternalReference":"a\u00e9b","userReference":"u"}', 'utf8');
    const response = await rawRequest(initiateHead('/api/v4/initiate', body), body);
    expect(response.status).toBe(200);
  });
});

describe('a request target that is not a URL', () => {
  const token = 'tok_e2e-must-not-be-logged-0123456789';

  it.each([
    'http://[/api/v4/initiate',
    'http://[::1/api/v4/initiate',
    'http://a:99999/api/v4/initiate',
    'http://%zz/api/v4/initiate',
    'https://[x]/api/v4/initiate',
  ])('POST %s → 400 in the API error shape', async (target) => {
    const body = Buffer.from('{"customerInternalReference":"r","userReference":"u"}');
    const response = await rawRequest(initiateHead(target, body), body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      error: 'validation_failed',
      errors: [{ field: '(request-target)', rule: 'request-target' }],
    });
  });

  it('GET http://[/web/v4/app?authorizationToken=… → 400, and the token is in no log line', async () => {
    const response = await rawRequest(
      `GET http://[/web/v4/app?authorizationToken=${token} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(product.output()).not.toContain(token);
    expect(product.output()).not.toContain('authorizationToken');
    expect(product.output()).not.toContain('Invalid URL');
  });

  it('the demo credential still works afterwards', async () => {
    const body = Buffer.from('{"customerInternalReference":"r","userReference":"u"}');
    const response = await rawRequest(initiateHead('/api/v4/initiate', body), body);
    expect(response.status).toBe(200);
  });
});
