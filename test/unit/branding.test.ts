import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Branding,
  brandingImageFile,
  brandingUrls,
  contentTypeOfBrandingFile,
  MAX_BRANDING_IMAGE_BYTES,
  publicBrandingKey,
  resolveBranding,
} from '#domain/branding';
import { ValidationError } from '#domain/errors';
import { CustomerSettings, mergeSettings } from '#domain/settings';
import { fieldIssues } from '#domain/validation';
import * as z from '#domain/zod';

/** Branding per locale (seed 003, "Customize client") and the operator's change of settings. */

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1)]);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(60, 2),
]);
const HEADER_DE = 'header-0123456789abcdef.png';
const HEADER_EN = 'header-fedcba9876543210.jpg';
const CUSTOMER = '4f1c2b3a-0000-4000-8000-000000000001';

const branding = Branding.parse({
  de: { primaryColor: '#112233', headerImage: HEADER_DE },
  'en-GB': { secondaryColor: '#445566' },
  fr: { primaryColor: '#778899', successImage: 'success-0000000000000000.jpg' },
  en: { primaryColor: '#000000', headerImage: HEADER_EN, errorImage: 'error-1111111111111111.png' },
});

describe('resolveBranding', () => {
  it('takes each field from the first locale of the chain that sets it', () => {
    expect(resolveBranding(branding, 'de', 'fr')).toEqual({
      primaryColor: '#112233',
      headerImage: HEADER_DE,
      successImage: 'success-0000000000000000.jpg',
      errorImage: 'error-1111111111111111.png',
    });
  });

  it('falls back from the region to the root language, then the customer default, then English', () => {
    // en-GB sets only the secondary colour; the rest comes from en (root) before fr (default).
    expect(resolveBranding(branding, 'en-GB', 'fr')).toEqual({
      primaryColor: '#000000',
      secondaryColor: '#445566',
      headerImage: HEADER_EN,
      successImage: 'success-0000000000000000.jpg',
      errorImage: 'error-1111111111111111.png',
    });
    // pt-BR and pt set nothing: the customer's default (fr), then English.
    expect(resolveBranding(branding, 'pt-BR', 'fr')).toMatchObject({
      primaryColor: '#778899',
      headerImage: HEADER_EN,
    });
  });

  it("is empty without branding: the product's own look", () => {
    expect(resolveBranding({}, 'de', 'en')).toEqual({});
  });
});

describe('Branding', () => {
  const issuesOf = (input: unknown) => {
    const result = z.safeParse(Branding, input);
    return result.success ? [] : fieldIssues(result.error, input).map(({ field, rule }) => ({ field, rule }));
  };

  it.each([
    [{ de: { primaryColor: 'red' } }, 'de.primaryColor', 'format'],
    [{ de: { primaryColor: '#12345' } }, 'de.primaryColor', 'format'],
    [{ de: { headerImage: 'https://elsewhere.example/logo.png' } }, 'de.headerImage', 'format'],
    [{ de: { headerImage: '../tx/x/front.jpg' } }, 'de.headerImage', 'format'],
    [{ de: { logo: 'x' } }, 'de.logo', 'unknown-field'],
    [{ 'en-gb': {} }, 'en-gb', 'locale'],
    [{ xx: {} }, 'xx', 'locale'],
  ])('refuses %j: %s (%s)', (input, field, rule) => {
    expect(issuesOf(input)).toContainEqual({ field, rule });
  });
});

describe('branding images', () => {
  const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  it('names a JPG or PNG by its kind, content and real format', () => {
    expect(brandingImageFile('headerImage', PNG, digest(PNG))).toEqual({
      ok: true,
      file: `header-${digest(PNG).slice(0, 16)}.png`,
      contentType: 'image/png',
    });
    expect(brandingImageFile('errorImage', JPEG, digest(JPEG))).toMatchObject({
      ok: true,
      file: `error-${digest(JPEG).slice(0, 16)}.jpg`,
    });
  });

  it('refuses anything else, and more than 5 MB', () => {
    const gif = Buffer.from('GIF89a.....');
    expect(brandingImageFile('headerImage', gif, digest(gif))).toEqual({
      ok: false,
      message: 'is neither a JPG nor a PNG image',
    });
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_BRANDING_IMAGE_BYTES)]);
    expect(brandingImageFile('headerImage', big, digest(big)).ok).toBe(false);
    expect(brandingImageFile('headerImage', Buffer.alloc(0), digest(Buffer.alloc(0))).ok).toBe(false);
  });

  it('are served by path only under branding/, for a customer id and an image name', () => {
    expect(publicBrandingKey(CUSTOMER, HEADER_DE)).toBe(`branding/${CUSTOMER}/${HEADER_DE}`);
    expect(contentTypeOfBrandingFile(HEADER_DE)).toBe('image/png');
    expect(contentTypeOfBrandingFile(HEADER_EN)).toBe('image/jpeg');
    for (const [customer, file] of [
      [CUSTOMER, 'front'],
      [CUSTOMER, '..%2Ftx'],
      ['..', HEADER_DE],
      ['tx', HEADER_DE],
      [CUSTOMER, `${HEADER_DE}/x`],
      [undefined, HEADER_DE],
    ] as const) {
      expect(publicBrandingKey(customer, file)).toBeUndefined();
    }
  });

  it('become same-origin URLs in the session', () => {
    expect(brandingUrls(CUSTOMER, { primaryColor: '#112233', headerImage: HEADER_DE })).toEqual({
      primaryColor: '#112233',
      headerImage: `/web/v4/branding/${CUSTOMER}/${HEADER_DE}`,
    });
    expect(brandingUrls(CUSTOMER, undefined)).toEqual({});
  });
});

describe('mergeSettings', () => {
  const current = CustomerSettings.parse({ defaultLocale: 'de', skipIntro: true });

  it('replaces the settings given, keeps the others, and null resets one to its default', () => {
    const merged = mergeSettings(current, {
      skipIntro: null,
      acceptedIds: { default: 'NONE', countries: { AUT: ['PASSPORT'] } },
      branding: { de: { primaryColor: '#123456' } },
    });
    expect(merged).toMatchObject({
      defaultLocale: 'de',
      skipIntro: false,
      acceptedIds: {
        default: 'NONE',
        countries: { AUT: ['PASSPORT'] },
        acceptNewlySupported: true,
        catalogueVersion: 1,
      },
      branding: { de: { primaryColor: '#123456' } },
    });
    expect(current.skipIntro).toBe(true);
  });

  it('names every refused field', () => {
    let error: unknown;
    try {
      mergeSettings(current, {
        defaultlocale: 'fr',
        acceptedIds: { countries: { XX: 'ALL' } },
        branding: { de: { primaryColor: 'blue' } },
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map(({ field, rule }) => ({ field, rule }))).toEqual([
      { field: 'settings.defaultlocale', rule: 'unknown-field' },
      { field: 'settings.acceptedIds.countries.XX', rule: 'country-code' },
      { field: 'settings.branding.de.primaryColor', rule: 'format' },
    ]);
  });

  it('refuses anything but an object', () => {
    expect(() => mergeSettings(current, [])).toThrow(ValidationError);
    expect(() => mergeSettings(current, 'x')).toThrow(ValidationError);
  });
});
