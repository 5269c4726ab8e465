import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSharpImageInspector } from '#adapters/sharp-image-inspector';
import { MAX_IMAGE_BYTES, NORMALISED_LONG_SIDE_PX, type UnusableReason } from '#domain/image-rules';
import type { IntakeResult } from '#use-cases/ports';
import {
  documentPhoto,
  documentPng,
  exifRotatedPhoto,
  jpegMagicThenGarbage,
  onePixelPng,
  plainPng,
  pngBomb,
  randomBytes,
  truncatedJpeg,
} from '../support/usability-images.ts';

/**
 * The sharp inspector on generated images: intake refuses every malformed file with a reason and
 * normalises the rest; usability gives each degradation past its threshold its reason; nothing throws.
 */

const inspector = createSharpImageInspector();
const JPEG = { contentType: 'image/jpeg', maxBytes: MAX_IMAGE_BYTES };
const PNG = { contentType: 'image/png', maxBytes: MAX_IMAGE_BYTES };

async function accepted(bytes: Buffer, declared = JPEG): Promise<Extract<IntakeResult, { ok: true }>> {
  const result = await inspector.intake(bytes, declared);
  if (!result.ok) throw new Error(`refused: ${result.reason} ${result.detail}`);
  return result;
}

async function verdictOf(bytes: Buffer, kind: 'document' | 'selfie' = 'document') {
  const usability = await inspector.usability((await accepted(bytes)).image, kind);
  return usability.usable ? 'usable' : usability.reason;
}

describe('intake', () => {
  let clean: Buffer;
  beforeAll(async () => {
    clean = await documentPhoto();
  });

  it('accepts a clean photo and re-encodes it as a JPEG of the same size', async () => {
    const result = await accepted(clean);
    expect(result).toMatchObject({ width: 1_600, height: 1_200, format: 'jpeg' });
    const meta = await sharp(result.image).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 1_600, 1_200, undefined]);
  });

  it('accepts a PNG declared as a PNG and normalises it to a JPEG', async () => {
    const result = await accepted(await documentPng(), PNG);
    expect(result.format).toBe('png');
    expect((await sharp(result.image).metadata()).format).toBe('jpeg');
  });

  it('caps the long side', async () => {
    const result = await accepted(await documentPhoto({ width: 5_000, height: 2_500, noise: 0 }));
    expect([result.width, result.height]).toEqual([NORMALISED_LONG_SIDE_PX, 2_000]);
  });

  it('applies EXIF orientation 6: the stored pixels are turned upright and the sides swap', async () => {
    const { stored, upright } = await exifRotatedPhoto(1_600, 1_200);
    const storedMeta = await sharp(stored).metadata();
    expect([storedMeta.width, storedMeta.height, storedMeta.orientation]).toEqual([1_200, 1_600, 6]);
    const result = await accepted(stored);
    expect([result.width, result.height]).toEqual([1_600, 1_200]);
    expect((await sharp(result.image).metadata()).orientation).toBeUndefined();
    // The same picture as the upright original, not one turned the wrong way.
    const difference = async (a: Buffer, b: Buffer) => {
      const [x, y] = await Promise.all(
        [a, b].map((image) => sharp(image).resize(160, 120, { fit: 'fill' }).greyscale().raw().toBuffer()),
      );
      if (!x || !y) throw new Error('no pixels');
      let sum = 0;
      for (let i = 0; i < x.length; i++) sum += Math.abs((x[i] ?? 0) - (y[i] ?? 0));
      return sum / x.length;
    };
    const wrongWay = await sharp(upright).rotate(180).toBuffer();
    expect(await difference(result.image, upright)).toBeLessThan(5);
    expect(await difference(result.image, wrongWay)).toBeGreaterThan(10);
  });

  it.each<
    [string, () => Buffer | Promise<Buffer>, { contentType: string; maxBytes: number }, UnusableReason]
  >([
    ['a zero-byte file', () => Buffer.alloc(0), JPEG, 'NOT_AN_IMAGE'],
    ['random bytes', () => randomBytes(10_000), JPEG, 'NOT_AN_IMAGE'],
    ['JPEG magic then garbage', () => jpegMagicThenGarbage(), JPEG, 'NOT_AN_IMAGE'],
    ['a truncated JPEG (the header is intact)', () => truncatedJpeg(), JPEG, 'NOT_AN_IMAGE'],
    ['a JPEG cut to its first kilobyte', () => truncatedJpeg(0.005), JPEG, 'NOT_AN_IMAGE'],
    ['a PNG declared as a JPEG', () => documentPng(), JPEG, 'NOT_AN_IMAGE'],
    ['a JPEG declared as a PNG', () => documentPhoto(), PNG, 'NOT_AN_IMAGE'],
    [
      'a JPEG declared as a GIF',
      () => documentPhoto(),
      { ...JPEG, contentType: 'image/gif' },
      'NOT_AN_IMAGE',
    ],
    [
      'a GIF declared as a JPEG',
      () => Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'),
      JPEG,
      'NOT_AN_IMAGE',
    ],
    [
      'a file over the byte limit',
      () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(MAX_IMAGE_BYTES)]),
      JPEG,
      'TOO_LARGE',
    ],
    ['a file over the declared limit', () => documentPhoto(), { ...JPEG, maxBytes: 1_000 }, 'TOO_LARGE'],
    ['a decompression bomb (20,000 × 20,000 PNG)', () => pngBomb(), PNG, 'TOO_LARGE'],
    ['a side of 8,000 px', () => plainPng(8_000, 700), PNG, 'TOO_LARGE'],
    ['over the pixel cap with sides under 8,000', () => plainPng(7_999, 7_000), PNG, 'TOO_LARGE'],
    ['a 1 × 1 image', () => onePixelPng(), PNG, 'TOO_SMALL'],
    ['a 320 × 240 photo', () => documentPhoto({ width: 320, height: 240 }), JPEG, 'TOO_SMALL'],
  ])('refuses %s', async (_name, make, declared, reason) => {
    const bytes = await make();
    const started = performance.now();
    const result = await inspector.intake(bytes, declared);
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok) expect(result.detail).not.toBe('');
    // The bomb is refused from its header, not by decoding 400 MP.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('usability', () => {
  it('a clean card is usable, with its metrics', async () => {
    const result = await inspector.usability((await accepted(await documentPhoto())).image, 'document');
    expect(result.usable).toBe(true);
    expect(result.metrics?.document).toMatchObject({ share: expect.closeTo(0.22, 1) });
  });

  it.each<[string, string, Parameters<typeof documentPhoto>[0]]>([
    ['slightly blurred (σ 1.5)', 'usable', { blur: 1.5 }],
    ['blurred (σ 3)', 'BLURRED', { blur: 3 }],
    ['very blurred (σ 6)', 'BLURRED', { blur: 6 }],
    ['a small glare spot', 'usable', { glare: 0.03 }],
    ['a glare spot', 'GLARE', { glare: 0.1 }],
    ['a large glare spot', 'GLARE', { glare: 0.25 }],
    ['a little underexposed (×0.5)', 'usable', { exposure: 0.5 }],
    ['underexposed (×0.15)', 'BAD_QUALITY', { exposure: 0.15 }],
    ['overexposed (×2)', 'BAD_QUALITY', { exposure: 2 }],
    ['flat (contrast ×0.1)', 'BAD_QUALITY', { contrast: 0.1 }],
    ['turned 30°', 'usable', { angle: 30 }],
    ['an empty table', 'NO_DOCUMENT', { card: false }],
    ['an empty blurred table', 'NO_DOCUMENT', { card: false, blur: 6 }],
  ])('%s → %s', async (_name, expected, options) => {
    expect(await verdictOf(await documentPhoto(options))).toBe(expected);
  });

  it('a selfie is not asked for a document, and is judged on the whole frame', async () => {
    expect(await verdictOf(await documentPhoto(), 'selfie')).toBe('usable');
    expect(await verdictOf(await documentPhoto({ blur: 6 }), 'selfie')).toBe('BLURRED');
    // An empty table is flat: as a selfie it is bad quality, as a document it is no document.
    expect(await verdictOf(await documentPhoto({ card: false }), 'selfie')).toBe('BAD_QUALITY');
  });

  it('a 600-px short side is TOO_SMALL for a document and enough for a selfie', async () => {
    const small = await documentPhoto({ width: 800, height: 600 });
    expect(await verdictOf(small, 'document')).toBe('TOO_SMALL');
    expect(await verdictOf(small, 'selfie')).toBe('usable');
    expect(await verdictOf(await documentPhoto({ width: 900, height: 675 }), 'document')).toBe('usable');
  });

  it('gives a verdict, never an exception, for bytes that never went through intake', async () => {
    for (const bytes of [Buffer.alloc(0), randomBytes(500), jpegMagicThenGarbage(), await truncatedJpeg()]) {
      expect(await inspector.usability(bytes, 'document')).toMatchObject({
        usable: false,
        reason: 'NOT_AN_IMAGE',
      });
    }
    expect(await inspector.usability(pngBomb(), 'document')).toMatchObject({
      usable: false,
      reason: 'TOO_LARGE',
    });
  });
});

describe('never throws', () => {
  it('on random bytes and on mutations of a real JPEG and PNG', async () => {
    const jpeg = await documentPhoto({ width: 700, height: 525 });
    const png = await sharp(jpeg).png().toBuffer();
    const mutated = (base: Buffer) =>
      fc
        .tuple(
          fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
          fc.option(fc.integer({ min: 1, max: base.length }), { nil: undefined }),
        )
        .map(([edits, cut]) => {
          const copy = Buffer.from(base.subarray(0, cut ?? base.length));
          for (const [at, value] of edits) if (at < copy.length) copy[at] = value;
          return copy;
        });
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
      fc
        .uint8Array({ maxLength: 200 })
        .map((bytes) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), bytes])),
      mutated(jpeg),
      mutated(png),
    );
    await fc.assert(
      fc.asyncProperty(
        inputs,
        fc.constantFrom('image/jpeg', 'image/png', 'text/plain'),
        async (bytes, type) => {
          const intake = await inspector.intake(bytes, { contentType: type, maxBytes: MAX_IMAGE_BYTES });
          expect(typeof intake.ok).toBe('boolean');
          const usability = await inspector.usability(intake.ok ? intake.image : bytes, 'document');
          expect(typeof usability.usable).toBe('boolean');
        },
      ),
      { numRuns: 150 },
    );
  });
});
