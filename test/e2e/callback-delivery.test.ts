import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPassport } from '../support/synthetic-documents.ts';
import { initiate, initiateHeaders, newDataDir, type RunningProduct, startProduct } from './local-process.ts';

/**
 * Callbacks against a receiver that fails before it recovers, on the local stack with a compressed
 * retry schedule: every callback arrives exactly once per webhook-id after the failures, signed, and
 * the attempt log tells the story; a 410 stops the retries.
 */

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

interface Arrival {
  headers: IncomingMessage['headers'];
  body: string;
  answered: number | 'reset';
}

let product: RunningProduct;
let receiver: Server;
const arrivals: Arrival[] = [];
/** What the receiver does with each arrival, by reference: a script of answers, then 200. */
const scripts = new Map<string, Array<number | 'reset'>>();
const dataDir = newDataDir();

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const reference = new URLSearchParams(body).get('jumioIdScanReference') ?? '';
      const answer = scripts.get(reference)?.shift() ?? 200;
      arrivals.push({ headers: request.headers, body, answered: answer });
      if (answer === 'reset') {
        request.socket.destroy();
        return;
      }
      response.writeHead(answer, answer === 503 ? { 'retry-after': '1' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  product = await startProduct(dataDir, {
    env: {
      OPENVERIFY_CALLBACK_FORWARD_TO: `http://127.0.0.1:${port}/callbacks`,
      OPENVERIFY_RETRY_SCHEDULE: '0,1,1,1,1',
      DEMO_WEBHOOK_SECRET: SECRET,
    },
  });
});
afterAll(async () => {
  await product?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

/** A verified passport whose final callback the receiver answers with `script` first. */
async function verifiedPassport(script: Array<number | 'reset'>): Promise<string> {
  const passport = await renderPassport({ seed: 11, jpegQuality: 90, margin: 60 });
  const created = await initiate(product.url, {
    customerInternalReference: 'delivery',
    userReference: 'u',
    callbackUrl: 'https://integrator.example.com/openverify',
  });
  const reference = String(created.body.transactionReference);
  scripts.set(reference, [...script]);
  const token = new URL(String(created.body.redirectUrl)).searchParams.get('authorizationToken') ?? '';
  const call = async (method: string, path: string, body?: unknown) =>
    (
      await fetch(`${product.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
    ).json() as Promise<Record<string, unknown>>;
  await call('GET', '/api/v4/session');
  const ticket = await call('POST', '/api/v4/journey/uploads', {
    side: 'front',
    contentType: 'image/jpeg',
    size: passport.image.length,
    source: 'upload',
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields as Record<string, string>))
    form.append(name, value);
  form.append('file', new Blob([new Uint8Array(passport.image)], { type: 'image/jpeg' }));
  await fetch(String(ticket.url), { method: 'POST', body: form });
  expect(await call('POST', '/api/v4/journey/captures', { side: 'front', key: ticket.key })).toEqual({
    accepted: true,
  });
  await call('POST', '/api/v4/journey/submit', { country: 'CAN', idType: 'PASSPORT', embedded: false });
  return reference;
}

const arrivalsFor = (reference: string) =>
  arrivals.filter((arrival) => new URLSearchParams(arrival.body).get('jumioIdScanReference') === reference);

const admin = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['infra/admin-cli.ts', ...args, '--data-dir', dataDir], {
    cwd: join(import.meta.dirname, '..', '..'),
  });

/** The demo customer `npm start` keeps in its data directory. */
async function demoCustomerId(): Promise<string> {
  return (JSON.parse(readFileSync(join(dataDir, 'demo-customer.json'), 'utf8')) as { customerId: string })
    .customerId;
}

async function settled(reference: string, done: (log: Array<Record<string, unknown>>) => boolean) {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const response = await fetch(`${product.url}/api/netverify/v2/scans/${reference}/callbacks`, {
      headers: { ...initiateHeaders(), accept: 'application/json' },
    });
    const { attempts } = (await response.json()) as { attempts: Array<Record<string, unknown>> };
    if (done(attempts)) return attempts;
    if (performance.now() > deadline) throw new Error(`callbacks not settled: ${JSON.stringify(attempts)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('callback delivery against a failing receiver', () => {
  it('retries through 500, 503 with Retry-After and a reset connection, then delivers once, signed', async () => {
    const reference = await verifiedPassport([500, 503, 'reset']);
    const attempts = await settled(reference, (log) =>
      log.some((attempt) => attempt.outcome === 'delivered'),
    );
    expect(
      attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.statusCode ?? attempt.errorClass]),
    ).toEqual([
      [1, 'retry', 500],
      [2, 'retry', 503],
      [3, 'retry', 'connection_reset'],
      [4, 'delivered', 200],
    ]);
    const seen = arrivalsFor(reference);
    expect(seen.map((arrival) => arrival.answered)).toEqual([500, 503, 'reset', 200]);
    // One webhook-id for every attempt, each one signed: the receiver keeps the first 2xx only.
    expect(new Set(seen.map((arrival) => arrival.headers['webhook-id'])).size).toBe(1);
    for (const arrival of seen) {
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
          name,
          String(arrival.headers[name]),
        ]),
      );
      expect(() => new Webhook(SECRET).verify(arrival.body, headers, { jsonParse: false })).not.toThrow();
    }
    expect(new URLSearchParams(seen.at(-1)?.body).get('verificationStatus')).toBe('APPROVED_VERIFIED');
  });

  it('stops at a 410 Gone: no further attempt', async () => {
    const reference = await verifiedPassport([410]);
    const attempts = await settled(reference, (log) => log.length > 0);
    // Longer than the whole compressed schedule: nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(arrivalsFor(reference)).toHaveLength(1);
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'gone', statusCode: 410 })]);
  });

  it('after the last attempt of the schedule, the callback is dead-lettered and can be replayed', async () => {
    const reference = await verifiedPassport([500, 500, 500, 500, 500]);
    const attempts = await settled(reference, (log) => log.length === 5);
    expect(attempts.every((attempt) => attempt.outcome === 'retry')).toBe(true);
    expect(attempts.at(-1)?.nextAttemptAt).toBeUndefined();
    // The operator finds it among the customer's dead letters, and replays them once the receiver is back.
    const letters = JSON.parse(
      (await admin('list-dead-letters', '--customer', await demoCustomerId())).stdout,
    ) as Array<Record<string, unknown>>;
    expect(letters).toContainEqual(expect.objectContaining({ reference, attempts: 5, lastStatusCode: 500 }));
    const replayed = JSON.parse(
      (await admin('replay-dead-letters', '--customer', await demoCustomerId())).stdout,
    );
    expect(replayed.replayed).toBeGreaterThanOrEqual(1);
    await settled(reference, (log) => log.some((attempt) => attempt.outcome === 'delivered'));
    expect(new Set(arrivalsFor(reference).map((arrival) => arrival.headers['webhook-id'])).size).toBe(1);
  });

  it('the customer replays one callback through the API: a new attempt, the same webhook-id', async () => {
    const reference = await verifiedPassport([]);
    await settled(reference, (log) => log.some((attempt) => attempt.outcome === 'delivered'));
    const replay = await fetch(`${product.url}/api/netverify/v2/scans/${reference}/callbacks/replay`, {
      method: 'POST',
      headers: { ...initiateHeaders(), accept: 'application/json' },
    });
    expect(replay.status).toBe(200);
    await settled(reference, (log) => log.filter((attempt) => attempt.outcome === 'delivered').length === 2);
    const seen = arrivalsFor(reference);
    expect(seen).toHaveLength(2);
    expect(seen[1]?.headers['webhook-id']).toBe(seen[0]?.headers['webhook-id']);
  });
});
