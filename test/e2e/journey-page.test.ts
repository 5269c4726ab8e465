import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/journey-browser.ts';
import { initiate, newDataDir, type RunningProduct, startProduct } from './local-process.ts';

/** The journey page in a real Chromium: standalone, and embedded in an integrator's iframe. */

let product: RunningProduct;
let browser: Browser;
const dataDir = newDataDir();

beforeAll(async () => {
  [product, browser] = await Promise.all([startProduct(dataDir), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await product?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the journey page', () => {
  it('opens the journey for the token of a fresh transaction: the intro, in the requested language', async () => {
    const { body } = await initiate(product.url);
    const page = await browser.newPage();
    await page.goto(String(body.redirectUrl));
    await page.locator('#journey[data-state="intro"]').waitFor();
    // The sample request asks for en-GB.
    expect(await page.locator('html').getAttribute('lang')).toBe('en-GB');
    expect(await page.locator('#journey h1').textContent()).not.toBe('');
    await page.close();
  });

  it('speaks Arabic right to left', async () => {
    const { body } = await initiate(product.url, {
      customerInternalReference: 'r',
      userReference: 'u',
      locale: 'ar',
    });
    const page = await browser.newPage();
    await page.goto(String(body.redirectUrl));
    await page.locator('#journey[data-state="intro"]').waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await page.close();
  });

  it('refuses an unknown token with error 9200', async () => {
    const page = await browser.newPage();
    await page.goto(`${product.url}/web/v4/app?locale=en&authorizationToken=${'A'.repeat(43)}`);
    await page.locator('#journey[data-state="error"]').waitFor();
    expect(await page.locator('#journey').getAttribute('data-error-code')).toBe('9200');
    expect(await page.locator('#journey').textContent()).toContain('9200');
    await page.close();
  });

  it('tells the embedding page through postMessage (eventType 510, loaded)', async () => {
    const { body } = await initiate(product.url);
    // The integrator's page, on another origin (localhost rather than 127.0.0.1).
    const integrator: Server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<!doctype html><script>
        window.events = [];
        window.addEventListener('message', (e) => window.events.push(JSON.parse(e.data)));
      </script><iframe src="${String(body.redirectUrl)}" allow="camera" width="930" height="750"></iframe>`);
    });
    await new Promise<void>((resolve) => integrator.listen(0, '127.0.0.1', resolve));
    const port = (integrator.address() as AddressInfo).port;
    try {
      const page = await browser.newPage();
      await page.goto(`http://localhost:${port}/`);
      await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length > 0);
      const [event] = await page.evaluate(() => (window as unknown as { events: unknown[] }).events);
      expect(event).toMatchObject({
        eventType: 510,
        transactionReference: body.transactionReference,
        customerInternalReference: 'transaction_1234',
        payload: { value: 'loaded' },
      });
      await page.close();
    } finally {
      integrator.close();
    }
  });
});
