import { describe, expect, it } from 'vitest';
import {
  declaredImageFormat,
  type ImageMetrics,
  judgeUsability,
  MAX_BRIGHTNESS,
  MAX_CLIPPED_SHARE,
  MAX_GLARE_SHARE,
  MIN_BRIGHTNESS,
  MIN_CONTRAST,
  MIN_DOCUMENT_RECTANGULARITY,
  MIN_DOCUMENT_SEPARATION,
  MIN_DOCUMENT_SHARE,
  MIN_FRAME_BRIGHTNESS,
  MIN_SHARPNESS,
  MIN_SHORT_SIDE_PX,
  rejectReasonOf,
  sniffImageFormat,
  type UnusableReason,
} from '#domain/image-rules';

/** The usability verdict from measurements, the reject reasons, and type sniffing. */

const REGION = { share: 0.22, rectangularity: 0.96, separation: 160 };

const GOOD: ImageMetrics = {
  width: 1_600,
  height: 1_200,
  brightness: 200,
  contrast: 55,
  clipped: 0.002,
  sharpness: 1,
  glare: 0,
  document: REGION,
};

const verdict = (changes: Partial<ImageMetrics>, kind: 'document' | 'selfie' = 'document') => {
  const result = judgeUsability({ ...GOOD, ...changes }, kind);
  return result.usable ? 'usable' : result.reason;
};

describe('judgeUsability', () => {
  it('a clean document photo is usable, and the verdict carries its metrics', () => {
    expect(judgeUsability(GOOD, 'document')).toEqual({ usable: true, metrics: GOOD });
  });

  it.each<[string, Partial<ImageMetrics>, UnusableReason]>([
    ['short side under the minimum', { height: MIN_SHORT_SIDE_PX.document - 1 }, 'TOO_SMALL'],
    ['a side of 8,000 px', { width: 8_000 }, 'TOO_LARGE'],
    ['too dark', { brightness: MIN_BRIGHTNESS - 1 }, 'BAD_QUALITY'],
    ['too bright', { brightness: MAX_BRIGHTNESS + 1 }, 'BAD_QUALITY'],
    ['flat', { contrast: MIN_CONTRAST - 0.1 }, 'BAD_QUALITY'],
    ['overexposed', { clipped: MAX_CLIPPED_SHARE + 0.01, glare: MAX_CLIPPED_SHARE }, 'BAD_QUALITY'],
    ['glare', { glare: MAX_GLARE_SHARE + 0.001 }, 'GLARE'],
    ['blurred', { sharpness: MIN_SHARPNESS - 0.001 }, 'BLURRED'],
    ['no candidate region', { document: null }, 'NO_DOCUMENT'],
    ['a region too small', { document: { ...REGION, share: MIN_DOCUMENT_SHARE - 0.01 } }, 'NO_DOCUMENT'],
    [
      'a region far from a rectangle',
      { document: { ...REGION, rectangularity: MIN_DOCUMENT_RECTANGULARITY - 0.01 } },
      'NO_DOCUMENT',
    ],
    [
      'a region of the same tone as the rest',
      { document: { ...REGION, separation: MIN_DOCUMENT_SEPARATION - 0.5 } },
      'NO_DOCUMENT',
    ],
  ])('%s → %s', (_name, changes, reason) => {
    expect(verdict(changes)).toBe(reason);
  });

  it('passes at each threshold exactly', () => {
    expect(
      verdict({
        height: MIN_SHORT_SIDE_PX.document,
        brightness: MIN_BRIGHTNESS,
        contrast: MIN_CONTRAST,
        clipped: MAX_CLIPPED_SHARE,
        glare: MAX_GLARE_SHARE,
        sharpness: MIN_SHARPNESS,
        document: {
          share: MIN_DOCUMENT_SHARE,
          rectangularity: MIN_DOCUMENT_RECTANGULARITY,
          separation: MIN_DOCUMENT_SEPARATION,
        },
      }),
    ).toBe('usable');
  });

  it('an empty frame is NO_DOCUMENT even though it is flat, but BAD_QUALITY when black or blown out', () => {
    expect(verdict({ document: null, contrast: 4, brightness: 39 })).toBe('NO_DOCUMENT');
    expect(verdict({ document: null, brightness: MIN_BRIGHTNESS - 1 })).toBe('NO_DOCUMENT');
    expect(verdict({ document: null, brightness: MIN_FRAME_BRIGHTNESS - 1 })).toBe('BAD_QUALITY');
    expect(verdict({ document: null, clipped: 0.9 })).toBe('BAD_QUALITY');
  });

  it('judges in order: size, presence, exposure, glare, blur', () => {
    expect(verdict({ height: 10, document: null, sharpness: 0 })).toBe('TOO_SMALL');
    expect(verdict({ brightness: 10, glare: 0.5, sharpness: 0 })).toBe('BAD_QUALITY');
    expect(verdict({ glare: 0.5, sharpness: 0 })).toBe('GLARE');
  });

  it('a selfie needs no document and a lower resolution', () => {
    expect(verdict({ document: undefined }, 'selfie')).toBe('usable');
    expect(verdict({ width: 640, height: MIN_SHORT_SIDE_PX.selfie }, 'selfie')).toBe('usable');
    expect(verdict({ width: 640, height: MIN_SHORT_SIDE_PX.selfie }, 'document')).toBe('TOO_SMALL');
  });
});

describe('rejectReasonOf', () => {
  it('maps each reason to the Netverify reject reason', () => {
    expect(rejectReasonOf('BLURRED')).toEqual({
      rejectReasonCode: '200',
      rejectReasonDescription: 'NOT_READABLE_DOCUMENT',
      rejectReasonDetails: [{ detailsCode: '2001', detailsDescription: 'BLURRED' }],
    });
    expect(rejectReasonOf('GLARE')).toEqual({
      rejectReasonCode: '200',
      rejectReasonDescription: 'NOT_READABLE_DOCUMENT',
      rejectReasonDetails: [{ detailsCode: '2006', detailsDescription: 'GLARE' }],
    });
    for (const reason of ['BAD_QUALITY', 'TOO_SMALL'] as const) {
      expect(rejectReasonOf(reason)).toEqual({
        rejectReasonCode: '200',
        rejectReasonDescription: 'NOT_READABLE_DOCUMENT',
        rejectReasonDetails: [{ detailsCode: '2002', detailsDescription: 'BAD_QUALITY' }],
      });
    }
    expect(rejectReasonOf('NO_DOCUMENT')).toEqual({
      rejectReasonCode: '201',
      rejectReasonDescription: 'NO_DOCUMENT',
    });
    for (const reason of ['NOT_AN_IMAGE', 'TOO_LARGE'] as const) {
      expect(rejectReasonOf(reason)).toEqual({
        rejectReasonCode: '200',
        rejectReasonDescription: 'NOT_READABLE_DOCUMENT',
      });
    }
  });
});

describe('sniffImageFormat and declaredImageFormat', () => {
  it('reads the magic bytes, not the name', () => {
    expect(sniffImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0]))).toBe('jpeg');
    expect(sniffImageFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffImageFormat(Buffer.from('GIF89a'))).toBeUndefined();
    expect(sniffImageFormat(Buffer.from('RIFF\0\0\0\0WEBP'))).toBeUndefined();
    expect(sniffImageFormat(Buffer.from([0xff, 0xd8]))).toBeUndefined();
    expect(sniffImageFormat(Buffer.alloc(0))).toBeUndefined();
  });

  it('accepts JPEG and PNG content types only', () => {
    expect(declaredImageFormat('image/jpeg')).toBe('jpeg');
    expect(declaredImageFormat('IMAGE/JPG')).toBe('jpeg');
    expect(declaredImageFormat('image/png; charset=binary')).toBe('png');
    expect(declaredImageFormat('image/gif')).toBeUndefined();
    expect(declaredImageFormat('application/octet-stream')).toBeUndefined();
    expect(declaredImageFormat('')).toBeUndefined();
  });
});
