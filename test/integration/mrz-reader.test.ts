import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createTesseractMrzReader } from '#adapters/tesseract-mrz-reader';
import type { MrzReading } from '#domain/mrz';
import {
  type CaptureOptions,
  renderIdCard,
  renderPassport,
  type SyntheticDocument,
  seededRandom,
} from '../support/synthetic-documents.ts';

/**
 * The offline MRZ engine on synthetic documents, with real tesseract (legacy engine, local English
 * data). OCR is not exact, so the set asserts a floor of exact readings, measured here with a margin,
 * and no reading that passes every check with wrong data.
 */

const reader = createTesseractMrzReader({ clock: { now: () => new Date('2026-01-01T00:00:00Z') } });
afterAll(() => reader.close());

const isExact = (reading: MrzReading | undefined, document: SyntheticDocument) =>
  reading !== undefined && reading.lines.join('\n') === document.lines.join('\n');

/** Wrong where a check digit vouches for it: names and states have none, so a misread there is not counted. */
const checkedDataWrong = (reading: MrzReading, document: SyntheticDocument) =>
  reading.fields.documentNumber !== document.fields.documentNumber ||
  reading.fields.birthDate !== document.fields.birthDate ||
  reading.fields.expirationDate !== document.fields.expirationDate ||
  (reading.fields.personalNumber ?? '') !== (document.fields.personalNumber ?? '');

describe('tesseract MRZ reader', () => {
  it('reads an upright passport, field by field', { timeout: 60_000 }, async () => {
    const document = await renderPassport({ seed: 2 });
    const reading = await reader.read(document.image);
    expect(reading).toMatchObject({ format: 'TD3', valid: true, lines: document.lines });
    expect(reading?.fields).toEqual({
      documentCode: 'P',
      issuingState: 'AUT',
      documentNumber: 'J56312813',
      nationality: 'UTO',
      lastName: 'XAVIER',
      firstName: 'ERIKA',
      birthDate: '1957-06-04',
      sex: 'M',
      expirationDate: '2027-01-26',
    });
  });

  it('reads an upside-down passport photographed as a JPEG', async () => {
    const document = await renderPassport({ seed: 2, rotation: 180, jpegQuality: 85 });
    const reading = await reader.read(document.image);
    expect(reading?.lines).toEqual(document.lines);
    expect(reading?.valid).toBe(true);
  });

  it('reads the back of a TD1 card', async () => {
    const document = await renderIdCard({ seed: 8 });
    const reading = await reader.read(document.image);
    expect(reading).toMatchObject({ format: 'TD1', valid: true, lines: document.lines });
    expect(reading?.fields.lastName).toBe(document.fields.lastName);
    expect(reading?.fields.documentNumber).toBe(document.fields.documentNumber);
  });

  it('reads most of a seeded set in mixed conditions, and none wrongly as valid', {
    timeout: 240_000,
  }, async () => {
    const conditions: (CaptureOptions & { kind: 'TD1' | 'TD3' })[] = [
      { kind: 'TD3' },
      { kind: 'TD3', rotation: 180 },
      { kind: 'TD3', rotation: 90, jpegQuality: 80 },
      { kind: 'TD3', rotation: 270, scale: 0.8 },
      { kind: 'TD3', rotation: -3, margin: 40 },
      { kind: 'TD3', blur: 0.8, jpegQuality: 70 },
      { kind: 'TD1' },
      { kind: 'TD1', rotation: 180, jpegQuality: 85 },
      { kind: 'TD1', rotation: 2, scale: 0.8 },
      { kind: 'TD1', rotation: 90, margin: 30 },
    ];
    let exact = 0;
    const wrongButValid: string[] = [];
    for (const [i, { kind, ...capture }] of conditions.entries()) {
      const options = { seed: 600 + i, ...capture };
      const document = kind === 'TD3' ? await renderPassport(options) : await renderIdCard(options);
      const reading = await reader.read(document.image);
      if (isExact(reading, document)) exact++;
      else if (reading?.valid && checkedDataWrong(reading, document))
        wrongButValid.push(`${JSON.stringify(options)}: ${reading.lines.join(' ')}`);
    }
    console.info(`MRZ reader: ${exact} of ${conditions.length} exact`);
    expect(wrongButValid).toEqual([]);
    expect(exact).toBeGreaterThanOrEqual(EXACT_FLOOR);
  });

  it('reports a name tesseract misreads (W as N, at every scale) as the OCR-B templates read it', {
    timeout: 60_000,
  }, async () => {
    // bench/verification.ts's desk TD3 seed 28012, drawn as the bench draws it: tesseract reads
    // WILLIAMS as NILLIAMS there, which no check digit catches.
    const random = seededRandom(28012 * 7919);
    const margin = Math.round(40 + random() * 80);
    const rotation = (random() < 0.5 ? -1 : 1) * (1 + random() * 3);
    const document = await renderPassport({ seed: 28012, margin, rotation, jpegQuality: 80 });
    expect(document.fields.lastName).toBe('WILLIAMS');
    const reading = await reader.read(document.image);
    expect(reading?.valid).toBe(true);
    expect(reading?.fields.lastName).toBe('WILLIAMS');
    expect(reading?.lines).toEqual(document.lines);
  });

  it('answers undefined, without throwing, for what is not an image or has no MRZ', async () => {
    expect(await reader.read(Buffer.from('not an image at all'))).toBeUndefined();
    expect(await reader.read(Buffer.alloc(0))).toBeUndefined();
    const blank = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    expect(await reader.read(blank)).toBeUndefined();
    const front = (await renderIdCard({ seed: 3 })).front;
    const reading = await reader.read(front);
    expect(reading === undefined || !reading.valid).toBe(true);
  });
});

/**
 * Exact readings of the 10 above: 10 measured here with the OCR-B template reader (8 with tesseract
 * alone), less a margin for OCR variance across machines.
 */
const EXACT_FLOOR = 8;
