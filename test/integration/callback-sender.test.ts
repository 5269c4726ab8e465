import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpCallbackSender,
  type HttpCallbackSenderOptions,
  MAX_RESPONSE_BYTES,
  ORIGINAL_URL_HEADER,
  type ResolvedAddress,
} from '#adapters/http-callback-sender';
import type { CallbackRequest } from '#domain/callback';

/**
 * The callback sender against real receivers on loopback (plain HTTP, and HTTPS with a certificate
 * made for the run), failing in every way a customer's endpoint can. The sender is told to allow
 * private addresses where a test needs to reach the loopback receiver at all; the SSRF tests run
 * without that and count the connections the receiver saw.
 */

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEXT_SECRET = 'whsec_dGhlIG5leHQgc2VjcmV0IGR1cmluZyByb3RhdGlvbg==';
const BODY = 'callBackType=NETVERIFYID&jumioIdScanReference=abc&idFirstName=ZO%C3%8B';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

interface Receiver {
  port: number;
  /** TCP connections accepted, whatever became of them. */
  connections: number;
  requests: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function startReceiver(
  handler: Handler,
  {
    host = '127.0.0.1',
    port = 0,
    tls,
  }: { host?: string; port?: number; tls?: { key: string; cert: string } } = {},
): Promise<Receiver> {
  const receiver: Receiver = { port: 0, connections: 0, requests: [], close: async () => {} };
  const onRequest: Handler = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.requests.push({
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      handler(request, response);
    });
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  server.on('connection', () => {
    receiver.connections++;
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  receivers.push(receiver);
  return receiver;
}

/** A resolver that answers from a table and counts its calls. */
function fakeDns(answers: Record<string, string[] | ((call: number) => string[])>) {
  const calls: string[] = [];
  const lookup = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const answer = answers[hostname];
    if (answer === undefined) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const addresses = typeof answer === 'function' ? answer(calls.length) : answer;
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { calls, lookup };
}

function callback(url: string, overrides: Partial<CallbackRequest> = {}): CallbackRequest {
  return {
    url,
    webhookId: 'msg_2mL9pK3x',
    timestamp: new Date(),
    body: BODY,
    secrets: [SECRET],
    ...overrides,
  };
}

function verify(secret: string, request: Receiver['requests'][number]): void {
  new Webhook(secret).verify(request.body, request.headers as Record<string, string>, { jsonParse: false });
}

/** A local receiver, reached as `receiver.test` through the injected resolver. */
async function reachable(handler: Handler, options: Partial<HttpCallbackSenderOptions> = {}) {
  const receiver = await startReceiver(handler);
  const dns = fakeDns({ 'receiver.test': ['127.0.0.1'] });
  const sender = createHttpCallbackSender({ allowPrivate: true, lookup: dns.lookup, ...options });
  const url = `http://receiver.test:${receiver.port}/hooks/jumio?token=t0k3n`;
  return { receiver, dns, sender, url };
}

describe('delivery', () => {
  it('a 2xx is delivered, signed by Standard Webhooks, as a UTF-8 form', async () => {
    const { receiver, dns, sender, url } = await reachable((_request, response) =>
      response.writeHead(204).end(),
    );

    const result = await sender.send(callback(url));

    expect(result).toEqual({ outcome: 'delivered', statusCode: 204, latencyMs: expect.any(Number) });
    expect(dns.calls).toEqual(['receiver.test']);
    const [received] = receiver.requests;
    expect(received?.url).toBe('/hooks/jumio?token=t0k3n');
    expect(received?.body).toBe(BODY);
    expect(received?.headers).toMatchObject({
      host: `receiver.test:${receiver.port}`,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'content-length': String(Buffer.byteLength(BODY)),
      'user-agent': 'openverify-callbacks/1',
      'webhook-id': 'msg_2mL9pK3x',
      'webhook-timestamp': expect.stringMatching(/^\d{10}$/),
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/),
    });
    expect(() => verify(SECRET, received as Receiver['requests'][number])).not.toThrow();
    expect(() => verify(NEXT_SECRET, received as Receiver['requests'][number])).toThrow();
  });

  it('during a rotation, both secrets sign, and each one alone verifies', async () => {
    const { receiver, sender, url } = await reachable((_request, response) => response.end('ok'));

    const result = await sender.send(callback(url, { secrets: [SECRET, NEXT_SECRET] }));

    expect(result.outcome).toBe('delivered');
    const received = receiver.requests[0] as Receiver['requests'][number];
    expect(received.headers['webhook-signature']?.toString().split(' ')).toHaveLength(2);
    expect(() => verify(SECRET, received)).not.toThrow();
    expect(() => verify(NEXT_SECRET, received)).not.toThrow();
    expect(() => verify('whsec_c29tZW9uZSBlbHNlJ3Mgc2VjcmV0', received)).toThrow();
  });

  it('the same webhook-id and a new signature on a retry', async () => {
    let calls = 0;
    const { receiver, sender, url } = await reachable((_request, response) =>
      response.writeHead(++calls === 1 ? 500 : 200).end(),
    );

    const first = await sender.send(callback(url, { timestamp: new Date(Date.now() - 5000) }));
    const second = await sender.send(callback(url));

    expect([first.outcome, second.outcome]).toEqual(['retry', 'delivered']);
    const [a, b] = receiver.requests;
    expect(a?.headers['webhook-id']).toBe(b?.headers['webhook-id']);
    expect(a?.headers['webhook-timestamp']).not.toBe(b?.headers['webhook-timestamp']);
  });

  it('reaches a host with an IPv6 address the same way', async () => {
    const receiver = await startReceiver((_request, response) => response.end(), { host: '::1' });
    const dns = fakeDns({ 'v6.test': ['::1'] });
    const sender = createHttpCallbackSender({ allowPrivate: true, lookup: dns.lookup });
    expect(await sender.send(callback(`http://v6.test:${receiver.port}/`))).toMatchObject({
      outcome: 'delivered',
    });
    expect(receiver.requests[0]?.headers.host).toBe(`v6.test:${receiver.port}`);
  });

  it('a large response body is not read past a few KB', async () => {
    const { sender, url } = await reachable((_request, response) => {
      response.writeHead(200);
      response.write(Buffer.alloc(MAX_RESPONSE_BYTES * 4, 'x'));
      // …and never ends.
    });
    const result = await sender.send(callback(url));
    expect(result.outcome).toBe('delivered');
    expect(result.latencyMs).toBeLessThan(1000);
  });
});

describe('failed attempts', () => {
  it('500 is retried', async () => {
    const { sender, url } = await reachable((_request, response) => response.writeHead(500).end('oops'));
    expect(await sender.send(callback(url))).toEqual({
      outcome: 'retry',
      statusCode: 500,
      errorClass: 'http_status',
      latencyMs: expect.any(Number),
    });
  });

  it('503 with Retry-After is retried no sooner than asked', async () => {
    const { sender, url } = await reachable((_request, response) =>
      response.writeHead(503, { 'retry-after': '120' }).end(),
    );
    expect(await sender.send(callback(url))).toMatchObject({
      outcome: 'retry',
      statusCode: 503,
      errorClass: 'http_status',
      retryAfterSeconds: 120,
    });
  });

  it('410 Gone stops the retries', async () => {
    const { sender, url } = await reachable((_request, response) => response.writeHead(410).end());
    expect(await sender.send(callback(url))).toMatchObject({ outcome: 'gone', statusCode: 410 });
  });

  it('a redirect is a failed attempt and is not followed', async () => {
    const { receiver, sender, url } = await reachable((request, response) => {
      if (request.url?.startsWith('/elsewhere')) response.writeHead(200).end();
      else response.writeHead(302, { location: '/elsewhere' }).end();
    });
    expect(await sender.send(callback(url))).toMatchObject({
      outcome: 'retry',
      statusCode: 302,
      errorClass: 'redirect',
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.requests.map((request) => request.url)).toEqual(['/hooks/jumio?token=t0k3n']);
  });

  it('a receiver that never answers times out', async () => {
    const { sender, url } = await reachable(() => {}, { timeoutMs: 300 });
    const result = await sender.send(callback(url));
    expect(result).toEqual({ outcome: 'retry', errorClass: 'timeout', latencyMs: expect.any(Number) });
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
    expect(result.latencyMs).toBeLessThan(1500);
  });

  it('a body trickling past the deadline does not hold the attempt', async () => {
    const { sender, url } = await reachable(
      (_request, response) => {
        response.writeHead(200);
        const drip = setInterval(() => response.write('.'), 50);
        response.on('close', () => clearInterval(drip));
      },
      { timeoutMs: 300 },
    );
    const result = await sender.send(callback(url));
    expect(result).toMatchObject({ outcome: 'delivered', statusCode: 200 });
    expect(result.latencyMs).toBeLessThan(1500);
  });

  it('a connection reset is retried', async () => {
    const { sender, url } = await reachable((request) => request.socket.resetAndDestroy());
    expect(await sender.send(callback(url))).toMatchObject({
      outcome: 'retry',
      errorClass: 'connection_reset',
    });
  });

  it('a connection closed without an answer is retried', async () => {
    const { sender, url } = await reachable((request) => request.socket.destroy());
    expect(await sender.send(callback(url))).toMatchObject({
      outcome: 'retry',
      errorClass: 'connection_reset',
    });
  });

  it('a refused connection is retried', async () => {
    const receiver = await startReceiver(() => {});
    const port = receiver.port;
    await receiver.close();
    const dns = fakeDns({ 'receiver.test': ['127.0.0.1'] });
    const sender = createHttpCallbackSender({ allowPrivate: true, lookup: dns.lookup });
    expect(await sender.send(callback(`http://receiver.test:${port}/`))).toMatchObject({
      outcome: 'retry',
      errorClass: 'connection_refused',
    });
  });

  it('a host that does not resolve is retried', async () => {
    const dns = fakeDns({});
    const sender = createHttpCallbackSender({ lookup: dns.lookup });
    expect(await sender.send(callback('https://nowhere.test/'))).toMatchObject({
      outcome: 'retry',
      errorClass: 'dns',
    });
  });

  it('a resolver that hangs counts against the deadline', async () => {
    const sender = createHttpCallbackSender({ lookup: () => new Promise(() => {}), timeoutMs: 200 });
    const result = await sender.send(callback('https://slow-dns.test/'));
    expect(result).toMatchObject({ outcome: 'retry', errorClass: 'dns' });
    expect(result.latencyMs).toBeLessThan(1000);
  });
});

describe('TLS', () => {
  let dir: string;
  let tls: { key: string; cert: string };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'openverify-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=receiver.test',
        '-addext',
        'subjectAltName=DNS:receiver.test',
      ],
      { stdio: 'ignore' },
    );
    tls = {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('https to the checked address, with the certificate verified against the host name', async () => {
    const receiver = await startReceiver((_request, response) => response.end(), { tls });
    const dns = fakeDns({ 'receiver.test': ['127.0.0.1'], 'impostor.test': ['127.0.0.1'] });
    const sender = createHttpCallbackSender({ allowPrivate: true, lookup: dns.lookup, ca: tls.cert });

    expect(await sender.send(callback(`https://receiver.test:${receiver.port}/`))).toMatchObject({
      outcome: 'delivered',
      statusCode: 200,
    });
    // Same address, same certificate, another name: the name is what TLS checks.
    expect(await sender.send(callback(`https://impostor.test:${receiver.port}/`))).toMatchObject({
      outcome: 'retry',
      errorClass: 'tls',
    });
    expect(receiver.requests).toHaveLength(1);
  });

  it('a certificate nobody vouches for is a TLS failure', async () => {
    const receiver = await startReceiver((_request, response) => response.end(), { tls });
    const dns = fakeDns({ 'receiver.test': ['127.0.0.1'] });
    const sender = createHttpCallbackSender({ allowPrivate: true, lookup: dns.lookup });
    expect(await sender.send(callback(`https://receiver.test:${receiver.port}/`))).toMatchObject({
      outcome: 'retry',
      errorClass: 'tls',
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('https to a plain-http port is a TLS failure', async () => {
    const { receiver, sender } = await reachable((_request, response) => response.end());
    expect(await sender.send(callback(`https://receiver.test:${receiver.port}/`))).toMatchObject({
      outcome: 'retry',
      errorClass: 'tls',
    });
  });
});

describe('the SSRF guard', () => {
  it.each([
    ['127.0.0.1'],
    ['10.0.0.1'],
    ['::ffff:127.0.0.1'],
    ['::1'],
    ['169.254.169.254'],
    ['fd00:ec2::254'],
  ])('a host resolving to %s is refused without connecting', async (address) => {
    const receiver = await startReceiver((_request, response) => response.end());
    const dns = fakeDns({ 'evil.test': [address] });
    const sender = createHttpCallbackSender({ lookup: dns.lookup });

    const result = await sender.send(callback(`https://evil.test:${receiver.port}/`));

    expect(result).toEqual({ outcome: 'refused', errorClass: 'ssrf_blocked', latencyMs: expect.any(Number) });
    expect(dns.calls).toEqual(['evil.test']);
    expect(receiver.connections).toBe(0);
  });

  it('one private address among public ones is enough to refuse', async () => {
    const dns = fakeDns({ 'mixed.test': ['93.184.216.34', '2606:2800:220:1::1', '127.0.0.1'] });
    const sender = createHttpCallbackSender({ lookup: dns.lookup });
    expect(await sender.send(callback('https://mixed.test/'))).toMatchObject({
      outcome: 'refused',
      errorClass: 'ssrf_blocked',
    });
  });

  it.each([
    'https://127.0.0.1/',
    'https://[::1]/',
    'https://[::ffff:7f00:1]/',
    'https://0x7f.1/',
    'https://2130706433/',
    'https://169.254.169.254/latest/meta-data/',
  ])('an address in the URL itself (%s) is refused without a lookup', async (url) => {
    const dns = fakeDns({});
    const sender = createHttpCallbackSender({ lookup: dns.lookup });
    expect(await sender.send(callback(url))).toMatchObject({
      outcome: 'refused',
      errorClass: 'ssrf_blocked',
    });
    expect(dns.calls).toEqual([]);
  });

  it('DNS rebinding: one lookup per attempt, and the connection goes to the address it returned', async () => {
    // Two receivers on the same port, one per address; the resolver answers differently on every call.
    const first = await startReceiver((_request, response) => response.end(), { host: '127.0.0.1' });
    const second = await startReceiver((_request, response) => response.end(), {
      host: '127.0.0.2',
      port: first.port,
    });
    const dns = fakeDns({ 'rebind.test': (call) => [call === 1 ? '127.0.0.1' : '127.0.0.2'] });
    const sender = createHttpCallbackSender({ allowPrivate: true, lookup: dns.lookup });
    const url = `http://rebind.test:${first.port}/`;

    expect(await sender.send(callback(url))).toMatchObject({ outcome: 'delivered' });
    // Had the socket resolved the name again, it would have got 127.0.0.2.
    expect(dns.calls).toEqual(['rebind.test']);
    expect(first.requests).toHaveLength(1);
    expect(second.connections).toBe(0);

    // The next attempt resolves afresh, and is judged and pinned on its own answer.
    expect(await sender.send(callback(url))).toMatchObject({ outcome: 'delivered' });
    expect(dns.calls).toEqual(['rebind.test', 'rebind.test']);
    expect(first.connections).toBe(1);
    expect(second.requests).toHaveLength(1);
  });

  it('the policy is applied to every attempt: an answer turned private is refused', async () => {
    const receiver = await startReceiver((_request, response) => response.end());
    const dns = fakeDns({ 'turned.test': (call) => [call === 1 ? '127.0.0.1' : '10.1.2.3'] });
    const sender = createHttpCallbackSender({ lookup: dns.lookup });
    const url = `https://turned.test:${receiver.port}/`;
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await sender.send(callback(url))).toMatchObject({
        outcome: 'refused',
        errorClass: 'ssrf_blocked',
      });
    }
    expect(dns.calls).toHaveLength(2);
    expect(receiver.connections).toBe(0);
  });
});

describe('what is refused before anything is sent', () => {
  it.each([
    'http://receiver.test/',
    'ftp://receiver.test/',
    'not a url',
    'https://user:pass@receiver.test/',
    '',
  ])('%j is an invalid URL', async (url) => {
    const dns = fakeDns({ 'receiver.test': ['93.184.216.34'] });
    const sender = createHttpCallbackSender({ lookup: dns.lookup });
    expect(await sender.send(callback(url))).toMatchObject({ outcome: 'refused', errorClass: 'invalid_url' });
    expect(dns.calls).toEqual([]);
  });

  it.each([[[]], [['not-base64!']], [['']]])('secrets %j: nothing unsigned goes out', async (secrets) => {
    const { receiver, sender, url } = await reachable((_request, response) => response.end());
    expect(await sender.send(callback(url, { secrets }))).toMatchObject({
      outcome: 'refused',
      errorClass: 'invalid_secret',
    });
    expect(receiver.connections).toBe(0);
  });
});

describe('OPENVERIFY_CALLBACK_FORWARD_TO', () => {
  it('delivers every callback to the forward URL, loopback allowed, the original URL in a header', async () => {
    const receiver = await startReceiver((_request, response) => response.end());
    const dns = fakeDns({});
    const sender = createHttpCallbackSender({
      lookup: dns.lookup,
      forwardTo: `http://127.0.0.1:${receiver.port}/local-hook`,
    });
    const original = 'https://customer.example.com/hooks/jumio?token=t0k3n';

    expect(await sender.send(callback(original))).toMatchObject({ outcome: 'delivered' });

    expect(dns.calls).toEqual([]);
    const received = receiver.requests[0] as Receiver['requests'][number];
    expect(received.url).toBe('/local-hook');
    expect(received.headers[ORIGINAL_URL_HEADER]).toBe(original);
    expect(() => verify(SECRET, received)).not.toThrow();
  });

  it('refuses an unusable forward URL at start-up', () => {
    expect(() => createHttpCallbackSender({ forwardTo: 'localhost:3000' })).toThrow(
      /OPENVERIFY_CALLBACK_FORWARD_TO/,
    );
  });
});
