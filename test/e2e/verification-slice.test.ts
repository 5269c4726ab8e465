import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIdCard, renderPassport } from '../support/synthetic-documents.ts';
import { initiate, initiateHeaders, newDataDir, type RunningProduct, startProduct } from './local-process.ts';

/**
 * The thin slice end to end, as the journey page drives it, over real HTTP against `npm start`: a
 * transaction, the session, presigned uploads straight to the S3-API server, the acceptance loop,
 * submission, the verification worker reading the MRZ, and a signed callback at the integrator.
 */

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let product: RunningProduct;
let receiver: Server;
const received: Received[] = [];
const dataDir = newDataDir();

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  product = await startProduct(dataDir, {
    env: {
      OPENVERIFY_CALLBACK_FORWARD_TO: `http://127.0.0.1:${port}/callbacks`,
      DEMO_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
  });
});
afterAll(async () => {
  await product?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

const tokenOf = (redirectUrl: unknown) =>
  new URL(String(redirectUrl)).searchParams.get('authorizationToken') ?? '';

function journey(token: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${product.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    call,
    async upload(side: 'front' | 'back' | 'face', bytes: Buffer, contentType = 'image/jpeg') {
      const ticket = await call('POST', '/api/v4/journey/uploads', {
        side,
        contentType,
        size: bytes.length,
        source: 'upload',
      });
      expect(ticket.status).toBe(200);
      const form = new FormData();
      for (const [name, value] of Object.entries(ticket.body.fields as Record<string, string>)) {
        form.append(name, value);
      }
      form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }));
      const stored = await fetch(String(ticket.body.url), { method: 'POST', body: form });
      expect(stored.status).toBeLessThan(300);
      return call('POST', '/api/v4/journey/captures', { side, key: ticket.body.key });
    },
  };
}

async function callbackFor(reference: string, timeoutMs = 60_000): Promise<Received> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const found = received.find(
      (callback) => new URLSearchParams(callback.body).get('jumioIdScanReference') === reference,
    );
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no callback for ${reference}`);
}

describe('a passport, from upload to callback', () => {
  it('is read, approved, and reported by a signed callback', async () => {
    const passport = await renderPassport({ seed: 11, jpegQuality: 90, margin: 60 });
    const created = await initiate(product.url, {
      customerInternalReference: 'slice-passport',
      userReference: 'user-1',
      callbackUrl: 'https://integrator.example.com/openverify',
      workflowId: 100,
    });
    expect(created.status).toBe(200);
    const reference = String(created.body.transactionReference);
    const user = journey(tokenOf(created.body.redirectUrl));
    expect((await user.call('GET', '/api/v4/session')).status).toBe(200);

    const verdict = await user.upload('front', passport.image);
    expect(verdict.body).toEqual({ accepted: true });
    const submitted = await user.call('POST', '/api/v4/journey/submit', {
      country: passport.fields.issuingState,
      idType: 'PASSPORT',
      embedded: false,
    });
    expect(submitted).toEqual({ status: 200, body: { transactionStatus: 'SUCCESS' } });

    const callback = await callbackFor(reference);
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
        name,
        String(callback.headers[name]),
      ]),
    );
    expect(() =>
      new Webhook(WEBHOOK_SECRET).verify(callback.body, headers, { jsonParse: false }),
    ).not.toThrow();
    expect(callback.headers['x-openverify-original-url']).toBe('https://integrator.example.com/openverify');
    const form = Object.fromEntries(new URLSearchParams(callback.body));
    expect(form).toMatchObject({
      callBackType: 'NETVERIFYID',
      jumioIdScanReference: reference,
      verificationStatus: 'APPROVED_VERIFIED',
      idScanStatus: 'SUCCESS',
      idScanSource: 'REDIRECT_UPLOAD',
      idType: 'PASSPORT',
      idCountry: passport.fields.issuingState,
      idNumber: passport.fields.documentNumber,
      idLastName: passport.fields.lastName,
      merchantIdScanReference: 'slice-passport',
      customerId: 'user-1',
    });
  });
});

describe('the retrieval, callback-log and delete APIs', () => {
  const api = (method: string, path: string) =>
    fetch(`${product.url}/api/netverify/v2/scans/${path}`, {
      method,
      headers: { ...initiateHeaders(), accept: 'application/json' },
    });

  it('answer for the verified passport as Netverify does, replay its callback, and delete it for good', async () => {
    const passport = await renderPassport({ seed: 21, jpegQuality: 90, margin: 60 });
    const created = await initiate(product.url, {
      customerInternalReference: 'slice-retrieval',
      userReference: 'user-3',
      callbackUrl: 'https://integrator.example.com/openverify',
    });
    const reference = String(created.body.transactionReference);
    const user = journey(tokenOf(created.body.redirectUrl));
    await user.call('GET', '/api/v4/session');
    expect((await user.upload('front', passport.image)).body).toEqual({ accepted: true });
    await user.call('POST', '/api/v4/journey/submit', {
      country: passport.fields.issuingState,
      idType: 'PASSPORT',
      embedded: true,
    });
    const first = await callbackFor(reference);

    expect(await (await api('GET', reference)).json()).toMatchObject({
      scanReference: reference,
      status: 'DONE',
    });
    const data = (await (await api('GET', `${reference}/data`)).json()) as Record<
      string,
      Record<string, unknown>
    >;
    expect(data.document).toMatchObject({
      status: 'APPROVED_VERIFIED',
      type: 'PASSPORT',
      number: passport.fields.documentNumber,
      issuingCountry: passport.fields.issuingState,
    });
    expect(data.transaction).toMatchObject({
      status: 'DONE',
      source: 'WEB_UPLOAD',
      merchantScanReference: 'slice-retrieval',
    });
    expect(data.verification).toMatchObject({ mrzCheck: 'OK' });
    const image = await api('GET', `${reference}/images/front`);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await image.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    const log = (await (await api('GET', `${reference}/callbacks`)).json()) as {
      attempts: Array<Record<string, unknown>>;
    };
    expect(log.attempts).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'delivered', statusCode: 200 }),
    ]);
    const before = received.length;
    expect((await api('POST', `${reference}/callbacks/replay`)).status).toBe(200);
    const deadline = performance.now() + 30_000;
    while (received.length === before && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const replayed = received.at(-1);
    expect(replayed?.headers['webhook-id']).toBe(first.headers['webhook-id']);

    expect((await api('DELETE', reference)).status).toBe(200);
    for (const path of [reference, `${reference}/data`, `${reference}/images/front`]) {
      expect((await api('GET', path)).status).toBe(404);
    }
  });

  it('answer 404 for a reference that does not exist or is not a reference', async () => {
    expect((await api('GET', '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api('GET', 'not-a-reference/data')).status).toBe(404);
  });
});

describe('the acceptance loop', () => {
  it('refuses what is not an image, says why, and ends the journey with 9835 on the third refusal', async () => {
    const created = await initiate(product.url, {
      customerInternalReference: 'slice-refused',
      userReference: 'user-2',
      callbackUrl: 'https://integrator.example.com/openverify',
    });
    const reference = String(created.body.transactionReference);
    const user = journey(tokenOf(created.body.redirectUrl));
    await user.call('GET', '/api/v4/session');
    const truncated = (await renderPassport({ seed: 3, jpegQuality: 80 })).image.subarray(0, 5_000);
    for (const attempt of [1, 2]) {
      expect((await user.upload('front', truncated)).body).toEqual({
        accepted: false,
        reason: 'NOT_AN_IMAGE',
        attempt,
        attemptsLeft: 3 - attempt,
      });
    }
    expect((await user.upload('front', truncated)).body).toMatchObject({ attempt: 3, errorCode: 9835 });
    // The journey is over: any further call is refused as an expired session.
    expect(
      (
        await user.call('POST', '/api/v4/journey/uploads', {
          side: 'front',
          contentType: 'image/jpeg',
          size: 10,
          source: 'upload',
        })
      ).body,
    ).toMatchObject({ errorCode: 9210 });

    const form = Object.fromEntries(new URLSearchParams((await callbackFor(reference)).body));
    expect(form).toMatchObject({ verificationStatus: 'ERROR_NOT_READABLE_ID', idScanStatus: 'ERROR' });
    expect(JSON.parse(form.rejectReason ?? '{}')).toMatchObject({ rejectReasonCode: '200' });
  });

  it('will not submit an ID card without its back, and names the missing side', async () => {
    const card = await renderIdCard({ seed: 5, jpegQuality: 90, margin: 60 });
    const created = await initiate(product.url, {
      customerInternalReference: 'slice-card',
      userReference: 'u',
    });
    const user = journey(tokenOf(created.body.redirectUrl));
    await user.call('GET', '/api/v4/session');
    expect((await user.upload('front', card.front)).body).toEqual({ accepted: true });
    const refused = await user.call('POST', '/api/v4/journey/submit', {
      country: card.fields.issuingState,
      idType: 'ID_CARD',
      embedded: true,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'back', rule: 'captured' })]);
  });
});
