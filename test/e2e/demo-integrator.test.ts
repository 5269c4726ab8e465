import { rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/journey-browser.ts';
import { renderPassport } from '../support/synthetic-documents.ts';
import { newDataDir, type RunningProduct, startProduct } from './local-process.ts';

/**
 * The demo integrator page of `npm start`, in Chromium: its form starts a journey with the chosen
 * workflow, locale and preset, embeds it, lists the events the journey posts, shows the redirect
 * parameters of the end, and lists the callbacks forwarded to it with their signatures checked.
 */

let product: RunningProduct;
let browser: Browser;
const dataDir = newDataDir();

beforeAll(async () => {
  // The product's own port is only known once it runs: the forward target names a fixed one.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  [product, browser] = await Promise.all([
    startProduct(dataDir, {
      env: { PORT: String(port), OPENVERIFY_CALLBACK_FORWARD_TO: `http://127.0.0.1:${port}/demo/callbacks` },
    }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await product?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo integrator page', () => {
  it('starts a journey with the options chosen, shows its events, the redirect parameters and the signed callback', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${product.url}/demo`);
    // Seed 21 issues a Spanish passport (some seeds use ICAO's test state UTO, which no list offers).
    const passport = await renderPassport({ seed: 21, jpegQuality: 90, margin: 60 });
    await page.getByLabel('Workflow').selectOption('102');
    await page.getByLabel('Locale').selectOption('en');
    await page.getByLabel('Preset country').fill('esp');
    await page.getByLabel('Preset document').selectOption('PASSPORT');
    await page.click('#start');
    await page.locator('#events pre').first().waitFor();
    expect(await page.locator('#events').textContent()).toContain('"value":"loaded"');
    const reference = ((await page.locator('#reference').textContent()) ?? '').replace('Transaction ', '');
    expect(reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.locator('#journey').getAttribute('allow')).toContain('camera');

    // The user's part, in the embedded journey: the preset skipped the selection; upload only.
    const journey = page.frameLocator('#journey');
    await journey.getByRole('button', { name: 'Start' }).click();
    await journey.locator('#journey[data-state="capture"][data-side="front"]').waitFor();
    expect(await journey.getByRole('button', { name: 'Use the camera instead' }).count()).toBe(0);
    await journey
      .locator('input[type=file]')
      .setInputFiles({ name: 'passport.jpg', mimeType: 'image/jpeg', buffer: passport.image });
    await journey.getByRole('button', { name: 'Use this photo' }).click();

    // The end, as a success URL would receive it.
    await page.locator('#redirect dl').waitFor({ timeout: 30_000 });
    const redirect = (await page.locator('#redirect dl').textContent()) ?? '';
    expect(redirect).toContain('transactionStatusSUCCESS');
    expect(redirect).toContain(`transactionReference${reference}`);
    expect(await page.locator('#events').textContent()).toContain('"value":"success"');

    // The worker reads it; the callback comes to the demo page, signed with the demo secret.
    const callback = page.locator('#callbacks pre').first();
    await callback.waitFor({ timeout: 60_000 });
    expect(await callback.getAttribute('class')).toBe('ok');
    const text = (await callback.textContent()) ?? '';
    expect(text).toContain('signature valid');
    expect(text).toContain('"verificationStatus": "APPROVED_VERIFIED"');
    expect(text).toContain(`"idNumber": "${passport.fields.documentNumber}"`);
    await page.close();
  });

  it('shows what initiate refuses, naming the field', async () => {
    const page = await browser.newPage();
    await page.goto(`${product.url}/demo`);
    await page.getByLabel('Success URL').fill('http://127.0.0.1/landed');
    await page.click('#start');
    await expect.poll(() => page.locator('#reference').textContent()).toContain('successUrl');
    expect(await page.locator('#journey').getAttribute('src')).toBeNull();
    await page.close();
  });
});
