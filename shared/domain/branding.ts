import { type ImageFormat, MAX_IMAGE_BYTES, sniffImageFormat } from './image-rules.ts';
import { canonicalLocale, type Locale, localeFallbackChain } from './locales.ts';
import * as z from './zod.ts';

/**
 * A customer's branding of the journey (seed 003, "Customize client"): primary and secondary colours,
 * a header image, and the success and error images of the default result pages, per locale. What a
 * locale does not set falls back to its root language, then the customer's default locale, then
 * English, and finally to the product's own look. Pure.
 *
 * Images live in the image bucket under `branding/<customerId>/<kind>-<sha256 prefix>.<ext>`: named by
 * their content, so a URL never changes meaning and can be cached for good, and the settings hold
 * only the file name.
 */

export const BRANDING_IMAGE_KINDS = ['headerImage', 'successImage', 'errorImage'] as const;
export type BrandingImageKind = (typeof BRANDING_IMAGE_KINDS)[number];
const BRANDING_FIELDS = ['primaryColor', 'secondaryColor', ...BRANDING_IMAGE_KINDS] as const;

/** Seed 003: "All images must be formatted as JPG or PNG and must not exceed 5 MB." */
export const MAX_BRANDING_IMAGE_BYTES = MAX_IMAGE_BYTES;

const FILE_KIND: Readonly<Record<BrandingImageKind, string>> = {
  headerImage: 'header',
  successImage: 'success',
  errorImage: 'error',
};
const EXTENSIONS: Readonly<Record<ImageFormat, string>> = { jpeg: 'jpg', png: 'png' };

/** A branding image's file name: its kind, 16 hex digits of its SHA-256, its format. */
const FILE_NAME = /^(header|success|error)-[0-9a-f]{16}\.(jpg|png)$/;
/** Customer ids are UUIDs (use-cases/manage-customers.ts). */
const CUSTOMER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const color = z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, { message: 'must be a colour as #rrggbb' }));
const imageFile = z.string().check(
  z.regex(FILE_NAME, {
    message: 'must name an image uploaded with `npm run admin -- set-branding`',
  }),
);

export const LocaleBranding = z.strictObject({
  primaryColor: z.optional(color),
  secondaryColor: z.optional(color),
  headerImage: z.optional(imageFile),
  successImage: z.optional(imageFile),
  errorImage: z.optional(imageFile),
});
export type LocaleBranding = z.output<typeof LocaleBranding>;

/** Per locale (canonical spelling, e.g. `en-GB`). */
export const Branding = z.record(z.string(), LocaleBranding).check(
  z.superRefine((branding, ctx) => {
    for (const locale of Object.keys(branding)) {
      if (canonicalLocale(locale) !== locale) {
        ctx.addIssue({
          code: 'custom',
          path: [locale],
          message: canonicalLocale(locale)
            ? `must be spelt ${canonicalLocale(locale)}`
            : 'must be a supported locale',
          params: { rule: 'locale' },
        });
      }
    }
  }),
);
export type Branding = z.output<typeof Branding>;

/**
 * The branding a transaction in `locale` shows, each field found along the fallback chain on its
 * own (a locale may set only its header image and keep the default's colours). Image values are
 * still file names here; `brandingUrls` makes them URLs.
 */
export function resolveBranding(branding: Branding, locale: Locale, customerDefault: Locale): LocaleBranding {
  const chain = localeFallbackChain(locale, customerDefault);
  const resolved: LocaleBranding = {};
  for (const field of BRANDING_FIELDS) {
    const value = chain.map((candidate) => branding[candidate]?.[field]).find((v) => v !== undefined);
    if (value !== undefined) resolved[field] = value;
  }
  return resolved;
}

/** Where the journey fetches a customer's branding image (functions/web/branding-image.ts). */
export const brandingImagePath = (customerId: string, file: string): string =>
  `/web/v4/branding/${customerId}/${file}`;

/** The resolved branding with each image as the URL the page loads it from (same origin). */
export function brandingUrls(customerId: string, branding: LocaleBranding | undefined): LocaleBranding {
  const urls: LocaleBranding = { ...branding };
  for (const kind of BRANDING_IMAGE_KINDS) {
    const file = urls[kind];
    if (file !== undefined) urls[kind] = brandingImagePath(customerId, file);
  }
  return urls;
}

/** The bucket key of a branding image. Never a transaction's key: those start with `tx/`. */
export const brandingImageKey = (customerId: string, file: string): string =>
  `branding/${customerId}/${file}`;

/**
 * The key a public request for `/web/v4/branding/{customerId}/{file}` may read, or undefined for
 * anything that is not the name of a branding image (so no other object of the bucket is reachable).
 */
export function publicBrandingKey(
  customerId: string | undefined,
  file: string | undefined,
): string | undefined {
  if (customerId === undefined || file === undefined) return undefined;
  if (!CUSTOMER_ID.test(customerId) || !FILE_NAME.test(file)) return undefined;
  return brandingImageKey(customerId, file);
}

export const contentTypeOfBrandingFile = (file: string): string =>
  file.endsWith('.png') ? 'image/png' : 'image/jpeg';

/**
 * Checks an image for a branding slot: JPG or PNG by its bytes (not its name), 5 MB at most. The
 * answer names the file it is stored as, from its content.
 */
export function brandingImageFile(
  kind: BrandingImageKind,
  bytes: Uint8Array,
  sha256Hex: string,
): { ok: true; file: string; contentType: string } | { ok: false; message: string } {
  if (bytes.length === 0) return { ok: false, message: 'is empty' };
  if (bytes.length > MAX_BRANDING_IMAGE_BYTES) {
    return { ok: false, message: `is larger than 5 MB (${MAX_BRANDING_IMAGE_BYTES} bytes)` };
  }
  const format = sniffImageFormat(bytes);
  if (format === undefined) return { ok: false, message: 'is neither a JPG nor a PNG image' };
  const file = `${FILE_KIND[kind]}-${sha256Hex.slice(0, 16)}.${EXTENSIONS[format]}`;
  return { ok: true, file, contentType: format === 'png' ? 'image/png' : 'image/jpeg' };
}
