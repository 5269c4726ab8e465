import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/resources.ts';
import { writeFakeCameraVideo } from '../support/fake-camera.ts';
import { auditScreen, describeViolations, launchChromium } from '../support/journey-browser.ts';
import { selfiePhoto } from '../support/selfie-photo.ts';
import { renderIdCard, renderPassport } from '../support/synthetic-documents.ts';
import {
  endpointsOf,
  initiate,
  initiateHeaders,
  newDataDir,
  type RunningProduct,
  SAMPLE_REQUEST,
  startProduct,
} from './local-process.ts';

/**
 * The journey's paths in a real Chromium, beyond the embedded upload of journey-flow.test.ts: the
 * camera (a fake one that films a generated passport), ID + Identity with a selfie, three refused
 * attempts (9835), bad and expired tokens (9200, 9210), presets, skip-intro, Arabic, a native
 * WebView's handler, and camera-only without a camera (9820). Every screen reached is audited with
 * axe-core (no serious or critical violation) and photographed at the seed's four size classes into
 * test-artifacts/screens/.
 *
 * Two browsers: one with a fake camera playing a Y4M video of a passport, one with no camera at all.
 * Expiry is made, not waited for: the transaction's `tokenExpiresAt` is moved into the past in
 * DynamoDB Local (the product compares it with its clock on every call).
 */

let product: RunningProduct;
let withCamera: Browser;
let noCamera: Browser;
const dataDir = newDataDir();
const videoDir = mkdtempSync(join(tmpdir(), 'openverify-camera-'));

beforeAll(async () => {
  const video = join(videoDir, 'passport.y4m');
  // Seed 11 issues a Canadian passport (some seeds use ICAO's test state UTO, which no list offers).
  await writeFakeCameraVideo(video, (await renderPassport({ seed: 11, jpegQuality: 92 })).image);
  [product, withCamera, noCamera] = await Promise.all([
    startProduct(dataDir),
    launchChromium({ cameraVideo: video }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await Promise.all([withCamera?.close(), noCamera?.close()]);
  await product?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(videoDir, { recursive: true, force: true });
});

// ---- helpers ---------------------------------------------------------------------------------------

interface JourneyEvent {
  authorizationToken: string;
  transactionReference: string;
  customerInternalReference: string;
  eventType: number;
  dateTime: string;
  payload: { value: string; metainfo?: { code: number } };
}

/** A transaction for the demo customer; no success or error URL unless given (the default pages). */
async function start(options: Record<string, unknown> = {}, headers = initiateHeaders()) {
  const { status, body } = await initiate(
    product.url,
    { customerInternalReference: 'paths-ref', userReference: 'paths-user', ...options },
    headers,
  );
  expect(status, JSON.stringify(body)).toBe(200);
  return {
    redirectUrl: String(body.redirectUrl),
    reference: String(body.transactionReference),
    token: new URL(String(body.redirectUrl)).searchParams.get('authorizationToken') ?? '',
  };
}

/** Audits the screen the journey is on and photographs it; fails the test on a serious violation. */
async function audit(page: Page, name: string, journey: Page | Frame = page): Promise<void> {
  const violations = await auditScreen(page, name, journey);
  expect(violations, `${name}:\n${describeViolations(violations)}`).toEqual([]);
}

const state = (target: Page | Frame, screen: string, extra = '') =>
  target.locator(`#journey[data-state="${screen}"]${extra}`).waitFor({ timeout: 30_000 });

/**
 * Holds the next request matching `glob` until released, so that a screen that waits on it (loading,
 * sending, submitting) stays long enough to be audited and photographed.
 */
async function hold(page: Page, glob: string) {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(
    glob,
    async (route) => {
      await gate;
      await route.continue();
    },
    { times: 1 },
  );
  return { release };
}

/** The transaction as stored, read from DynamoDB Local as the admin CLI finds it. */
function table() {
  const { dynamodb, table: tableName } = endpointsOf(dataDir);
  const db = documentClient({ AWS_REGION: LOCAL_REGION, DYNAMODB_ENDPOINT: dynamodb }, LOCAL_CREDENTIALS);
  const Key = (reference: string) => ({ pk: `TX#${reference}`, sk: 'TRANSACTION' });
  return {
    async get(reference: string) {
      return (
        await db.send(new GetCommand({ TableName: tableName, Key: Key(reference), ConsistentRead: true }))
      ).Item;
    },
    /** Moves the token's expiry a second into the past, as if its lifetime had run out. */
    async expire(reference: string) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: Key(reference),
          UpdateExpression: 'SET tokenExpiresAt = :past',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':past': Date.now() - 1_000 },
        }),
      );
    },
  };
}

/** An integrator's page on another origin whose iframe fills the window, logging every event. */
async function integratorPage(redirectUrl: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<!doctype html><html><head><style>
      html,body{margin:0;height:100%}iframe{display:block;border:0;width:100%;height:100%}
    </style><script>
      window.events = [];
      window.addEventListener('message', (e) => window.events.push(JSON.parse(e.data)));
    </script></head><body><iframe src="${redirectUrl}" allow="camera" title="Identity verification"></iframe></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${(server.address() as AddressInfo).port}/`, server };
}

/** A context whose requests to the sample error and success URLs are answered here (they are not reachable). */
async function contextAnsweringRedirects(browser: Browser, viewport = { width: 930, height: 750 }) {
  const context = await browser.newContext({ viewport });
  for (const target of [SAMPLE_REQUEST.successUrl, SAMPLE_REQUEST.errorUrl]) {
    await context.route(`${target}**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>landed</title>' }),
    );
  }
  return context;
}

const eventsOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { events: JourneyEvent[] }).events);

async function upload(target: Page | Frame, name: string, image: Buffer): Promise<void> {
  await target.locator('input[type=file]').setInputFiles({ name, mimeType: 'image/jpeg', buffer: image });
}

async function withContext<T>(browser: Browser, run: (context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ viewport: { width: 930, height: 750 } });
  try {
    return await run(context);
  } finally {
    await context.close();
  }
}

// ---- the paths -------------------------------------------------------------------------------------

describe('the journey in a tab', () => {
  it('captures a preset passport with the camera, reviews it, and shows the default success page', async () => {
    const { redirectUrl, reference } = await start({
      workflowId: 100,
      locale: 'en',
      presets: [{ index: 1, country: 'CAN', type: 'PASSPORT' }],
    });
    await withContext(withCamera, async (context) => {
      const page = await context.newPage();
      const session = await hold(page, '**/api/v4/session');
      await page.goto(redirectUrl);
      await state(page, 'loading');
      await audit(page, 'loading');
      session.release();

      await state(page, 'intro');
      await audit(page, 'intro');
      await page.getByRole('button', { name: 'Start' }).click();

      // The preset chose the document: no selection, no way back to one, the camera first.
      await state(page, 'capture', '[data-side="front"]');
      await page.getByRole('heading', { name: 'Photo page of your passport' }).waitFor();
      expect(await page.getByRole('button', { name: 'Back' }).count()).toBe(0);
      await page.locator('#shutter:not([disabled])').waitFor({ timeout: 15_000 });
      expect(await page.locator('video').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBe(1600);
      await audit(page, 'capture-camera');
      await page.getByRole('button', { name: 'Take photo' }).click();

      await state(page, 'review');
      await audit(page, 'review');
      const verdict = await hold(page, '**/api/v4/journey/captures');
      const submitted = await hold(page, '**/api/v4/journey/submit');
      await page.getByRole('button', { name: 'Use this photo' }).click();
      await state(page, 'sending');
      await audit(page, 'sending');
      verdict.release();
      await state(page, 'submitting');
      await audit(page, 'submitting');
      submitted.release();

      await state(page, 'success');
      await audit(page, 'success');
      // Standalone, without a success URL: the journey's own page stays.
      expect(new URL(page.url()).pathname).toBe('/web/v4/app');
    });
    const stored = await table().get(reference);
    expect(stored?.captureFront).toMatchObject({ source: 'camera' });
  });

  it('ID + Identity: chooses an ID card, uploads both sides, and then uploads the selfie (no camera offered)', async () => {
    const card = await renderIdCard({ seed: 21, jpegQuality: 90, margin: 60 });
    const selfie = await selfiePhoto();
    const { redirectUrl, reference } = await start({ workflowId: 200, locale: 'en' });
    await withContext(withCamera, async (context) => {
      const page = await context.newPage();
      await page.goto(redirectUrl);
      await state(page, 'intro');
      expect(await page.locator('ol.steps li').count()).toBe(2);
      await page.getByRole('button', { name: 'Start' }).click();

      await state(page, 'select');
      await page.locator('#country-search').fill('spa');
      await audit(page, 'select');
      await page.locator('#country').selectOption('ESP');
      await page.getByLabel('Identity card').check();
      await page.getByRole('button', { name: 'Continue' }).click();

      await state(page, 'capture', '[data-side="front"]');
      await page.getByRole('button', { name: 'Upload a file instead' }).click();
      await audit(page, 'capture-upload');
      await upload(page, 'front.jpg', card.front);
      await state(page, 'review');
      await page.getByRole('button', { name: 'Use this photo' }).click();

      await state(page, 'capture', '[data-side="back"]');
      await page.getByRole('heading', { name: 'Back of your identity card' }).waitFor();
      await page.getByRole('button', { name: 'Upload a file instead' }).click();
      await upload(page, 'back.jpg', card.image);
      await state(page, 'review');
      await page.getByRole('button', { name: 'Use this photo' }).click();

      // The seed's table: the ID was uploaded, so the selfie is uploaded too.
      await state(page, 'capture', '[data-side="face"]');
      expect(await page.getByRole('button', { name: 'Use the camera instead' }).count()).toBe(0);
      await audit(page, 'capture-selfie-upload');
      await upload(page, 'selfie.jpg', selfie);
      await state(page, 'review');
      await page.getByRole('button', { name: 'Use this photo' }).click();
      await state(page, 'success');
    });
    const stored = await table().get(reference);
    for (const side of ['captureFront', 'captureBack', 'captureFace']) {
      expect(stored?.[side], side).toMatchObject({ source: 'upload' });
    }
  });

  it('ID + Identity by camera only: the selfie is taken with the front camera in an oval guide', async () => {
    const { redirectUrl } = await start({
      workflowId: 201,
      locale: 'en',
      presets: [{ index: 1, country: 'CAN', type: 'PASSPORT' }],
    });
    await withContext(withCamera, async (context) => {
      const page = await context.newPage();
      await page.goto(redirectUrl);
      await page.getByRole('button', { name: 'Start' }).click();
      await state(page, 'capture', '[data-side="front"]');
      expect(await page.getByRole('button', { name: 'Upload a file instead' }).count()).toBe(0);
      await page.locator('#shutter:not([disabled])').waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Take photo' }).click();
      await state(page, 'review');
      await page.getByRole('button', { name: 'Use this photo' }).click();

      await state(page, 'capture', '[data-side="face"]');
      await page.getByRole('heading', { name: 'Your selfie' }).waitFor();
      expect(await page.locator('.viewfinder.face').count()).toBe(1);
      await page.locator('#shutter:not([disabled])').waitFor({ timeout: 15_000 });
      await audit(page, 'capture-selfie-camera');
    });
  });

  it('a preset ID card skips the selection and asks for both sides', async () => {
    const { redirectUrl } = await start({
      workflowId: 102,
      locale: 'en',
      presets: [{ index: 1, country: 'ESP', type: 'ID_CARD' }],
    });
    await withContext(noCamera, async (context) => {
      const page = await context.newPage();
      await page.goto(redirectUrl);
      await page.getByRole('button', { name: 'Start' }).click();
      await state(page, 'capture', '[data-side="front"]');
      expect(await page.locator('.progress').textContent()).toBe('Step 1 of 2');
      await page.getByRole('heading', { name: 'Front of your identity card' }).waitFor();
      expect(await page.getByRole('button', { name: 'Back' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Use the camera instead' }).count()).toBe(0);
    });
  });

  it('skips the intro for a customer whose settings say so', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'infra/admin-cli.ts',
        'create-customer',
        '--name',
        'No intro',
        '--settings',
        '{"skipIntro":true}',
        '--local',
      ],
      { env: { ...process.env, OPENVERIFY_DATA_DIR: dataDir } },
    );
    const customer = JSON.parse(stdout) as { apiToken: string; apiSecret: string };
    const { redirectUrl } = await start({ workflowId: 100, locale: 'en' }, initiateHeaders(customer));
    await withContext(noCamera, async (context) => {
      const page = await context.newPage();
      await page.goto(redirectUrl);
      await state(page, 'select');
      expect(await page.locator('#journey h1').textContent()).toBe('Choose your document');
    });
  });

  it('speaks Arabic, right to left, on every screen up to the capture', async () => {
    const passport = await renderPassport({ seed: 21, jpegQuality: 90, margin: 40 });
    const { redirectUrl } = await start({ workflowId: 100, locale: 'ar' });
    await withContext(noCamera, async (context) => {
      const page = await context.newPage();
      await page.goto(redirectUrl);
      await state(page, 'intro');
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      expect(await page.locator('html').getAttribute('lang')).toBe('ar');
      expect(await page.locator('#journey h1').textContent()).toMatch(/[\u0600-\u06ff]/);
      await audit(page, 'ar-intro');
      await page.locator('#journey button.primary').click();

      await state(page, 'select');
      // Country names in Arabic, from the browser's own data.
      expect(await page.locator('#country option[value="ESP"]').textContent()).toMatch(/[\u0600-\u06ff]/);
      await audit(page, 'ar-select');
      await page.locator('#country').selectOption('ESP');
      await page.locator('#type-PASSPORT').check();
      await page.locator('#journey button[type=submit]').click();

      // No camera in this browser: camera + upload falls back to upload.
      await state(page, 'capture');
      await audit(page, 'ar-capture-upload');
      await upload(page, 'passport.jpg', passport.image);
      await state(page, 'review');
      await audit(page, 'ar-review');
    });
  });

  it('refuses an unknown token with 9200', async () => {
    await withContext(noCamera, async (context) => {
      const page = await context.newPage();
      await page.goto(`${product.url}/web/v4/app?locale=en&authorizationToken=${'A'.repeat(43)}`);
      await state(page, 'error', '[data-error-code="9200"]');
      await audit(page, 'error-9200');
    });
  });

  it('refuses a token that expired before the journey started with 9200', async () => {
    const { redirectUrl, reference } = await start({ workflowId: 102, locale: 'en' });
    await table().expire(reference);
    await withContext(noCamera, async (context) => {
      const page = await context.newPage();
      await page.goto(redirectUrl);
      await state(page, 'error', '[data-error-code="9200"]');
    });
  });

  it('ends with 9210 when the session expires mid-journey, at the next call', async () => {
    const passport = await renderPassport({ seed: 21, jpegQuality: 90, margin: 40 });
    const { redirectUrl, reference } = await start({
      workflowId: 102,
      locale: 'en',
      presets: [{ index: 1, country: 'ESP', type: 'PASSPORT' }],
    });
    await withContext(noCamera, async (context) => {
      const page = await context.newPage();
      await page.goto(redirectUrl);
      await page.getByRole('button', { name: 'Start' }).click();
      await state(page, 'capture');
      await table().expire(reference);
      await upload(page, 'passport.jpg', passport.image);
      await state(page, 'review');
      await page.getByRole('button', { name: 'Use this photo' }).click();
      await state(page, 'error', '[data-error-code="9210"]');
      expect(await page.locator('#journey').textContent()).toContain('Your session has expired');
      await audit(page, 'error-9210');
    });
  });

  it('in a native WebView, sends the events to __NVW_WEBVIEW_HANDLER__', async () => {
    const passport = await renderPassport({ seed: 21, jpegQuality: 90, margin: 40 });
    const { redirectUrl, reference, token } = await start({
      workflowId: 102,
      locale: 'en',
      presets: [{ index: 1, country: 'ESP', type: 'PASSPORT' }],
    });
    await withContext(noCamera, async (context) => {
      // What an Android app does: set the flag and inject an object with a postMessage method.
      await context.addInitScript(() => {
        const w = window as unknown as Record<string, unknown>;
        const received: string[] = [];
        w.received = received;
        w.__NVW_WEBVIEW__ = true;
        w.__NVW_WEBVIEW_HANDLER__ = { postMessage: (data: string) => received.push(data) };
      });
      const page = await context.newPage();
      await page.goto(redirectUrl);
      await page.getByRole('button', { name: 'Start' }).click();
      await upload(page, 'passport.jpg', passport.image);
      await page.getByRole('button', { name: 'Use this photo' }).click();
      await state(page, 'success');
      const received = (
        await page.evaluate(() => (window as unknown as { received: string[] }).received)
      ).map((json) => JSON.parse(json) as JourneyEvent);
      expect(received.map((event) => event.payload)).toEqual([{ value: 'loaded' }, { value: 'success' }]);
      for (const event of received) {
        expect(event).toMatchObject({
          authorizationToken: token,
          transactionReference: reference,
          customerInternalReference: 'paths-ref',
          eventType: 510,
        });
      }
    });
  });
});

describe('the journey embedded on another origin', () => {
  it('three refused attempts end with 9835: the error event, then the error redirect in the iframe', async () => {
    // Defocused: decodable (the browser accepts the file), refused by the usability check.
    const blurred = (await renderPassport({ seed: 21, jpegQuality: 90, margin: 40, blur: 12 })).image;
    const { redirectUrl, reference, token } = await start({
      workflowId: 102,
      locale: 'en',
      presets: [{ index: 1, country: 'ESP', type: 'PASSPORT' }],
      errorUrl: SAMPLE_REQUEST.errorUrl,
    });
    const integrator = await integratorPage(redirectUrl);
    const context = await contextAnsweringRedirects(noCamera);
    try {
      const page = await context.newPage();
      await page.goto(integrator.url);
      const frame = page.frames().find((f) => f !== page.mainFrame()) as Frame;
      await frame.getByRole('button', { name: 'Start' }).click();
      for (const attempt of [1, 2]) {
        await state(frame, 'capture');
        await upload(frame, 'blurred.jpg', blurred);
        await state(frame, 'review');
        await frame.getByRole('button', { name: 'Use this photo' }).click();
        await frame.locator('.notice').waitFor({ timeout: 30_000 });
        expect(await frame.locator('.notice').textContent()).toContain(`Attempt ${attempt} of 3 refused`);
      }
      expect(await frame.locator('.notice').textContent()).toContain('blurred');
      await audit(page, 'capture-refused', frame);
      await upload(frame, 'blurred.jpg', blurred);
      await state(frame, 'review');
      await frame.getByRole('button', { name: 'Use this photo' }).click();

      await expect.poll(() => frame.url(), { timeout: 30_000 }).toContain(SAMPLE_REQUEST.errorUrl);
      expect(Object.fromEntries(new URL(frame.url()).searchParams)).toEqual({
        transactionStatus: 'ERROR',
        customerInternalReference: 'paths-ref',
        transactionReference: reference,
        errorCode: '9835',
      });
      const events = await eventsOf(page);
      expect(events.map((event) => event.payload)).toEqual([
        { value: 'loaded' },
        { value: 'error', metainfo: { code: 9835 } },
      ]);
      expect(events[1]).toMatchObject({
        authorizationToken: token,
        transactionReference: reference,
        eventType: 510,
      });
      expect(page.url()).toBe(integrator.url);
    } finally {
      await context.close();
      integrator.server.close();
    }
  });

  // Chromium lists no devices at all here, which the page cannot tell from a browser that lists none
  // before permission: getUserMedia, at the first capture, finds no camera.
  it('camera only in a browser without a camera ends with 9820 at the first capture', async () => {
    const { redirectUrl, reference } = await start({
      workflowId: 101,
      locale: 'en',
      presets: [{ index: 1, country: 'ESP', type: 'PASSPORT' }],
      errorUrl: SAMPLE_REQUEST.errorUrl,
    });
    const integrator = await integratorPage(redirectUrl);
    const context = await contextAnsweringRedirects(noCamera);
    try {
      const page = await context.newPage();
      await page.goto(integrator.url);
      const frame = page.frames().find((f) => f !== page.mainFrame()) as Frame;
      await frame.getByRole('button', { name: 'Start' }).click();
      await expect.poll(() => frame.url(), { timeout: 30_000 }).toContain(SAMPLE_REQUEST.errorUrl);
      expect(new URL(frame.url()).searchParams.get('errorCode')).toBe('9820');
      expect(new URL(frame.url()).searchParams.get('transactionReference')).toBe(reference);
      expect((await eventsOf(page)).map((event) => event.payload)).toEqual([
        { value: 'loaded' },
        { value: 'error', metainfo: { code: 9820 } },
      ]);
    } finally {
      await context.close();
      integrator.server.close();
    }
  });

  it('camera only without a camera, standalone: the error page says why', async () => {
    const { redirectUrl } = await start({ workflowId: 101, locale: 'en' });
    await withContext(noCamera, async (context) => {
      const page = await context.newPage();
      await page.goto(redirectUrl);
      await page.getByRole('button', { name: 'Start' }).click();
      await page.locator('#country').selectOption('ESP');
      await page.getByLabel('Passport').check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await state(page, 'error', '[data-error-code="9820"]');
      await audit(page, 'error-9820');
    });
  });
});
