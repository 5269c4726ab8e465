import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countryOfMrz } from '#domain/decision';
import { PERFORM_NETVERIFY_MAX_BODY_BYTES } from '#domain/perform-netverify';
import { renderPassport, type SyntheticDocument } from '../support/synthetic-documents.ts';
import { initiateHeaders, newDataDir, type RunningProduct, startProduct } from './local-process.ts';

/**
 * performNetverify over real HTTP against `npm start`: a generated passport sent inline in base64,
 * and the same through presigned uploads to the S3-API server; each verified by the worker and read
 * back through the retrieval API. Then what is refused: an oversized body (413), bad fields (400), an
 * upload reference used twice (409).
 */

const PATH = '/api/netverify/v2/performNetverify';

let product: RunningProduct;
let passport: SyntheticDocument;
const dataDir = newDataDir();
/** Every callback the product sent (forwarded here, as `OPENVERIFY_CALLBACK_FORWARD_TO` does). */
const callbacks: Array<{ webhookId: string; form: URLSearchParams }> = [];
let receiver: Server;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      callbacks.push({
        webhookId: String(request.headers['webhook-id']),
        form: new URLSearchParams(Buffer.concat(chunks).toString()),
      });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  [product, passport] = await Promise.all([
    startProduct(dataDir, { env: { OPENVERIFY_CALLBACK_FORWARD_TO: `http://127.0.0.1:${port}/callbacks` } }),
    renderPassport({ seed: 23, jpegQuality: 90, margin: 60 }),
  ]);
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await product?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${product.url}${path}`, {
    method: 'POST',
    headers: initiateHeaders(),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function get(path: string) {
  const response = await fetch(`${product.url}${path}`, { headers: initiateHeaders() });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls the scan's status until it is no longer PENDING. */
async function finished(reference: string, timeoutMs = 90_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const scan = await get(`/api/netverify/v2/scans/${reference}`);
    expect(scan.status).toBe(200);
    if (scan.body.status !== 'PENDING' || performance.now() > deadline) return scan.body;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const passportBody = (fields: Record<string, unknown> = {}) => ({
  merchantIdScanReference: 'api-passport',
  frontsideImage: passport.image.toString('base64'),
  // ICAO writes Germany D<<; the API takes ISO 3166-1 alpha-3.
  country: countryOfMrz(passport.fields.issuingState),
  idType: 'PASSPORT',
  customerId: 'user-7',
  ...fields,
});

async function expectVerified(reference: string) {
  expect(await finished(reference)).toMatchObject({ scanReference: reference, status: 'DONE' });
  const data = await get(`/api/netverify/v2/scans/${reference}/data`);
  expect(data.body).toMatchObject({
    document: {
      status: 'APPROVED_VERIFIED',
      type: 'PASSPORT',
      issuingCountry: countryOfMrz(passport.fields.issuingState),
      number: passport.fields.documentNumber,
    },
    transaction: { source: 'API', merchantScanReference: 'api-passport', customerId: 'user-7' },
  });
}

describe('performNetverify', () => {
  it('takes a passport in base64, answers its reference at once, and verifies it', async () => {
    const answer = await post(PATH, passportBody());
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      jumioIdScanReference: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    await expectVerified(String(answer.body.jumioIdScanReference));
  });

  it('onAllSteps: a PENDING callback when the images are received, then the verdict', async () => {
    const answer = await post(
      PATH,
      passportBody({ callbackUrl: 'https://callbacks.example.com/hook', callbackGranularity: 'onAllSteps' }),
    );
    const reference = String(answer.body.jumioIdScanReference);
    await expectVerified(reference);
    const deadline = performance.now() + 30_000;
    const mine = () => callbacks.filter(({ form }) => form.get('jumioIdScanReference') === reference);
    while (mine().length < 2 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(mine().map(({ webhookId, form }) => [webhookId, form.get('idScanStatus')])).toEqual([
      [`msg_received_${reference}`, 'PENDING'],
      [`msg_final_${reference}`, 'SUCCESS'],
    ]);
    expect(mine()[0]?.form.get('verificationStatus')).toBeNull();
    expect(mine()[1]?.form.get('verificationStatus')).toBe('APPROVED_VERIFIED');
  });

  it('takes the same passport through presigned uploads, and the upload reference once', async () => {
    const uploads = await post(`${PATH}/uploads`, {
      images: [{ classifier: 'front', mimeType: 'image/jpeg' }],
    });
    expect(uploads.status).toBe(200);
    const [form] = uploads.body.images as { url: string; fields: Record<string, string> }[];
    if (!form) throw new Error('no upload form');
    const multipart = new FormData();
    for (const [name, value] of Object.entries(form.fields)) multipart.append(name, value);
    multipart.append('file', new Blob([new Uint8Array(passport.image)], { type: 'image/jpeg' }));
    const stored = await fetch(form.url, { method: 'POST', body: multipart });
    expect(stored.status).toBeLessThan(300);

    const { frontsideImage: _, ...withoutImage } = passportBody();
    const body = { ...withoutImage, uploadReference: uploads.body.uploadReference };
    const answer = await post(PATH, body);
    expect(answer.status).toBe(200);
    expect(answer.body.jumioIdScanReference).toBe(uploads.body.uploadReference);
    expect((await post(PATH, body)).status).toBe(409);
    await expectVerified(String(answer.body.jumioIdScanReference));
  });

  it('answers 413 for a body over its limit, naming the limit and the uploads', async () => {
    const image = Buffer.alloc(4_600_000, 7);
    passport.image.copy(image);
    const body = JSON.stringify(passportBody({ frontsideImage: image.toString('base64') }));
    expect(body.length).toBeGreaterThan(PERFORM_NETVERIFY_MAX_BODY_BYTES);
    const answer = await post(PATH, body);
    expect(answer.status).toBe(413);
    expect(answer.body.message).toContain(`${PERFORM_NETVERIFY_MAX_BODY_BYTES} bytes`);
    expect(answer.body.message).toContain(`${PATH}/uploads`);
  });

  it.each([
    ['bad base64', { frontsideImage: 'data:image/jpeg;base64,/9j/4AAQ' }, 'frontsideImage', 'base64'],
    ['a wrong MIME type', { frontsideImageMimeType: 'image/gif' }, 'frontsideImageMimeType', 'one-of'],
    ['a MIME type the image is not', { frontsideImageMimeType: 'image/png' }, 'frontsideImage', 'image-type'],
    [
      'PII in merchantIdScanReference',
      { merchantIdScanReference: 'jane.doe@example.com' },
      'merchantIdScanReference',
      'no-pii',
    ],
  ])('answers 400 for %s, naming the field and rule', async (_, fields, field, rule) => {
    const answer = await post(PATH, passportBody(fields));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'validation_failed' });
    expect(answer.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
  });
});
