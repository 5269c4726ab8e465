import { rmSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPassport } from '../support/synthetic-documents.ts';
import { newDataDir, type RunningProduct, startProduct } from './local-process.ts';

/**
 * The demo integrator page of `npm start`, in Chromium: it embeds a fresh journey, lists the events
 * the journey posts, and lists the callbacks forwarded to it with their signatures checked.
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
    chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await product?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo integrator page', () => {
  it('embeds a journey, shows its events, and shows the signed callback of an upload', async () => {
    const page = await browser.newPage();
    await page.goto(`${product.url}/demo`);
    await page.click('#start');
    await page.locator('#events pre').first().waitFor();
    expect(await page.locator('#events').textContent()).toContain('"value":"loaded"');

    // The user's part, in the embedded journey: choose the country and a passport, upload it.
    const journey = page.frameLocator('#journey');
    // Seed 21 issues a Spanish passport (some seeds use ICAO's test state UTO, which no list offers).
    const passport = await renderPassport({ seed: 21, jpegQuality: 90, margin: 60 });
    await journey.getByRole('button', { name: 'Start' }).click();
    await journey.locator('#journey[data-state="select"]').waitFor();
    await journey.locator('#country').selectOption(passport.fields.issuingState);
    await journey.getByLabel('Passport').check();
    await journey.getByRole('button', { name: 'Continue' }).click();
    // This Chromium has no camera: camera + upload falls back to upload (the seed's table).
    await journey
      .locator('input[type=file]')
      .setInputFiles({ name: 'passport.jpg', mimeType: 'image/jpeg', buffer: passport.image });
    await journey.getByRole('button', { name: 'Use this photo' }).click();

    // The worker reads it; the callback comes to the demo page, signed with the demo secret.
    const callback = page.locator('#callbacks pre').first();
    await callback.waitFor({ timeout: 60_000 });
    expect(await callback.getAttribute('class')).toBe('ok');
    const text = (await callback.textContent()) ?? '';
    expect(text).toContain('signature valid');
    expect(text).toContain('"verificationStatus": "APPROVED_VERIFIED"');
    expect(text).toContain(`"idNumber": "${passport.fields.documentNumber}"`);
    expect(await page.locator('#events').textContent()).toContain('"value":"success"');
    await page.close();
  });
});
