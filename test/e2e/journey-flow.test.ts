import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/journey-browser.ts';
import { renderPassport } from '../support/synthetic-documents.ts';
import { initiate, newDataDir, type RunningProduct, SAMPLE_REQUEST, startProduct } from './local-process.ts';

/**
 * The whole journey in a real Chromium with a fake camera: embedded in an integrator's iframe on
 * another origin, a passport preset skips the selection, the user switches from the camera to an
 * upload, the image goes to the local S3 by presigned POST, the verdict accepts it, the submission
 * succeeds, the parent hears `loaded` then `success`, and the iframe lands on the success URL.
 */

let product: RunningProduct;
let browser: Browser;
const dataDir = newDataDir();

beforeAll(async () => {
  [product, browser] = await Promise.all([startProduct(dataDir), launchChromium({ fakeCamera: true })]);
});
afterAll(async () => {
  await browser?.close();
  await product?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface JourneyEvent {
  authorizationToken: string;
  transactionReference: string;
  customerInternalReference: string;
  eventType: number;
  dateTime: string;
  payload: { value: string; metainfo?: { code: number } };
}

/** The integrator's page, on another origin (localhost rather than 127.0.0.1), logging every event. */
async function integratorPage(redirectUrl: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<!doctype html><script>
      window.events = [];
      window.addEventListener('message', (e) => window.events.push(JSON.parse(e.data)));
    </script><iframe src="${redirectUrl}" allow="camera" width="930" height="750"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${(server.address() as AddressInfo).port}/`, server };
}

describe('the journey, embedded', () => {
  it('uploads a passport photo page and reaches success, telling the parent and redirecting the iframe', async () => {
    const { status, body } = await initiate(product.url, {
      ...SAMPLE_REQUEST,
      workflowId: 100,
      locale: 'en',
      presets: [{ index: 1, country: 'AUT', type: 'PASSPORT' }],
    });
    expect(status).toBe(200);
    const token = new URL(String(body.redirectUrl)).searchParams.get('authorizationToken');
    const passport = await renderPassport({ seed: 7, jpegQuality: 92, margin: 40 });

    const integrator = await integratorPage(String(body.redirectUrl));
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    // The customer's success URL is not reachable from the test: answer it here.
    await context.route(`${SAMPLE_REQUEST.successUrl}**`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>ok</title><h1>ok</h1>',
      }),
    );
    try {
      const page = await context.newPage();
      await page.goto(integrator.url);
      const journey = page.frameLocator('iframe');

      await journey.getByRole('button', { name: 'Start' }).click();
      // The preset skipped the selection: straight to the passport's photo page, camera first.
      await journey.locator('#journey[data-state="capture"][data-side="front"]').waitFor();
      await journey.getByRole('heading', { name: 'Photo page of your passport' }).waitFor();
      await journey.getByRole('button', { name: 'Upload a file instead' }).click();
      await journey
        .locator('input[type=file]')
        .setInputFiles({ name: 'passport.jpg', mimeType: 'image/jpeg', buffer: passport.image });
      await journey.locator('#journey[data-state="review"]').waitFor();
      await journey.getByRole('button', { name: 'Use this photo' }).click();

      await page.waitForFunction(
        () =>
          (window as unknown as { events: JourneyEvent[] }).events.some((e) => e.payload.value !== 'loaded'),
        null,
        { timeout: 30_000 },
      );
      const events = await page.evaluate(() => (window as unknown as { events: JourneyEvent[] }).events);
      expect(events.map((event) => event.payload.value)).toEqual(['loaded', 'success']);
      for (const event of events) {
        expect(Object.keys(event).sort()).toEqual(
          [
            'authorizationToken',
            'customerInternalReference',
            'dateTime',
            'eventType',
            'payload',
            'transactionReference',
          ].sort(),
        );
        expect(event).toMatchObject({
          authorizationToken: token,
          transactionReference: body.transactionReference,
          customerInternalReference: SAMPLE_REQUEST.customerInternalReference,
          eventType: 510,
        });
        expect(event.dateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      }

      // The redirect replaces the iframe's page, not the integrator's.
      const frame = page.frames().find((f) => f !== page.mainFrame());
      await expect.poll(() => frame?.url(), { timeout: 10_000 }).toContain(SAMPLE_REQUEST.successUrl);
      const landed = new URL(frame?.url() ?? '');
      expect(Object.fromEntries(landed.searchParams)).toEqual({
        transactionStatus: 'SUCCESS',
        customerInternalReference: SAMPLE_REQUEST.customerInternalReference,
        transactionReference: body.transactionReference,
      });
      expect(page.url()).toBe(integrator.url);
    } finally {
      await context.close();
      integrator.server.close();
    }
  });
});
