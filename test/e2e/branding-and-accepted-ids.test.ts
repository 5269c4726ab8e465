import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/journey-browser.ts';
import { initiate, initiateHeaders, newDataDir, type RunningProduct, startProduct } from './local-process.ts';

/**
 * A customer's branding and accepted IDs, set with the admin CLI against the running product, as the
 * end user meets them in Chromium: the locale's colour and header image (and the fallback for a
 * locale without its own), and only the accepted countries to choose from.
 */

let product: RunningProduct;
let browser: Browser;
const dataDir = newDataDir();
const logo = join(dataDir, 'logo.png');

const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['infra/admin-cli.ts', ...args, '--data-dir', dataDir], {
    cwd: join(import.meta.dirname, '..', '..'),
  });
const admin = async (...args: string[]) => JSON.parse((await run(...args)).stdout) as Record<string, unknown>;

let customer: { customerId: string; apiToken: string; apiSecret: string };

beforeAll(async () => {
  [product, browser] = await Promise.all([startProduct(dataDir), launchChromium()]);
  writeFileSync(
    logo,
    await sharp({ create: { width: 160, height: 40, channels: 3, background: '#cc2200' } })
      .png()
      .toBuffer(),
  );
  customer = (await admin(
    'create-customer',
    '--name',
    'Branded Bank',
    '--settings',
    '{"skipIntro":true}',
  )) as {
    customerId: string;
    apiToken: string;
    apiSecret: string;
  };
  await admin(
    'update-settings',
    '--customer',
    customer.customerId,
    '--settings',
    JSON.stringify({
      acceptedIds: { default: 'NONE', countries: { AUT: ['PASSPORT', 'ID_CARD'], DEU: 'ALL' } },
    }),
  );
  await admin(
    'set-branding',
    '--customer',
    customer.customerId,
    '--locale',
    'de',
    '--primary-color',
    '#123456',
  );
  await admin('set-branding', '--customer', customer.customerId, '--locale', 'de', '--header-image', logo);
  await admin(
    'set-branding',
    '--customer',
    customer.customerId,
    '--locale',
    'en',
    '--primary-color',
    '#654321',
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await product?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function openJourney(locale: string): Promise<Page> {
  const { status, body } = await initiate(
    product.url,
    { customerInternalReference: 'r', userReference: 'u', locale },
    initiateHeaders(customer),
  );
  expect(status).toBe(200);
  const page = await browser.newPage();
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
  });
  await page.goto(String(body.redirectUrl));
  await page.locator('#journey[data-state="select"]').waitFor();
  expect(blocked).toEqual([]);
  return page;
}

const primary = (page: Page) =>
  page.evaluate(() => document.documentElement.style.getPropertyValue('--primary').trim());

describe('branding and accepted IDs set with the admin CLI', () => {
  it('the settings are stored as given', async () => {
    const shown = (await admin('show-customer', '--customer', customer.customerId)) as {
      settings: { branding: Record<string, Record<string, string>>; acceptedIds: unknown };
    };
    expect(shown.settings.branding.de).toEqual({
      primaryColor: '#123456',
      headerImage: expect.stringMatching(/^header-[0-9a-f]{16}\.png$/),
    });
    expect(shown.settings.acceptedIds).toMatchObject({ default: 'NONE' });
  });

  it("a German journey shows the customer's colour and header image, and only the accepted countries", async () => {
    const page = await openJourney('de');
    expect(await primary(page)).toBe('#123456');
    const header = page.locator('#brand img');
    await header.waitFor();
    const src = String(await header.getAttribute('src'));
    expect(src).toMatch(new RegExp(`^/web/v4/branding/${customer.customerId}/header-[0-9a-f]{16}\\.png$`));
    // Loaded, so the page's Content-Security-Policy let it through.
    await page.waitForFunction(
      () => (document.querySelector('#brand img') as HTMLImageElement).naturalWidth > 0,
    );
    expect(
      await page.evaluate(() => (document.querySelector('#brand img') as HTMLImageElement).naturalWidth),
    ).toBe(160);

    const countries = await page
      .locator('#country option')
      .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(countries.sort()).toEqual(['AUT', 'DEU']);
    await page.close();
  });

  it('a French journey falls back to the customer default (en): its colour, no header image', async () => {
    const page = await openJourney('fr');
    expect(await primary(page)).toBe('#654321');
    expect(await page.locator('#brand img').count()).toBe(0);
    expect(
      await page
        .locator('#country option')
        .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)),
    ).not.toContain('FRA');
    await page.close();
  });

  it('the image is served publicly with its type and a long cache; nothing else is', async () => {
    const shown = (await admin('show-customer', '--customer', customer.customerId)) as {
      settings: { branding: Record<string, Record<string, string>> };
    };
    const file = shown.settings.branding.de?.headerImage;
    const response = await fetch(`${product.url}/web/v4/branding/${customer.customerId}/${file}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toContain('max-age=31536000');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect((await sharp(bytes).metadata()).width).toBe(160);

    for (const path of [
      `${customer.customerId}/header-0000000000000000.png`,
      `${customer.customerId}/front`,
      `not-a-customer/${file}`,
      `${customer.customerId}/..%2F..%2Ftx`,
    ]) {
      expect((await fetch(`${product.url}/web/v4/branding/${path}`)).status, path).toBe(404);
    }
  });

  it('the journey submission refuses a country that is not accepted', async () => {
    const { body } = await initiate(
      product.url,
      { customerInternalReference: 'r', userReference: 'u' },
      initiateHeaders(customer),
    );
    const token = new URL(String(body.redirectUrl)).searchParams.get('authorizationToken');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    expect((await fetch(`${product.url}/api/v4/session`, { headers })).status).toBe(200);
    const refused = await fetch(`${product.url}/api/v4/journey/submit`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ country: 'FRA', idType: 'PASSPORT', embedded: false }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      errors: expect.arrayContaining([
        { field: 'country', rule: 'accepted-id', message: expect.any(String) },
      ]),
    });
  });

  it('refuses an image that is not a JPG or PNG, naming the option', async () => {
    const text = join(dataDir, 'logo.gif');
    writeFileSync(text, 'GIF89a not really');
    const failure = await run(
      'set-branding',
      '--customer',
      customer.customerId,
      '--locale',
      'de',
      '--header-image',
      text,
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('--header-image (image)');
  });
});
