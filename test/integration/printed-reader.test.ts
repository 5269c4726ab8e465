import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createTesseractPrintedReader } from '#adapters/tesseract-printed-reader';
import { decide } from '#domain/decision';
import { CONFIRMED_FIELDS, confirmPrinted } from '#domain/printed-fields';
import {
  type CaptureOptions,
  licenceTruth,
  renderDrivingLicence,
  renderPassport,
} from '../support/synthetic-documents.ts';

/**
 * The offline printed-field engine on synthetic EU-format licence fronts, with real tesseract (local
 * English data), end to end: render → read → confirm → decide. OCR is not exact, so the set asserts
 * a floor of confirmed readings, with a margin under what was measured, and no confirmed value that
 * is wrong.
 */

const TODAY = '2026-11-01';
const reader = createTesseractPrintedReader();
afterAll(() => reader.close());

describe('tesseract printed-field reader', () => {
  it('reads a clean licence front, confirms it, and the verdict carries its fields', {
    timeout: 60_000,
  }, async () => {
    const licence = await renderDrivingLicence({ seed: 3 });
    const reading = await reader.read(licence.image);
    expect(reading?.layout).toBe('EU_DRIVING_LICENCE');
    expect(reading?.passes.length).toBeGreaterThanOrEqual(2);
    const confirmation = reading ? confirmPrinted(reading, TODAY) : undefined;
    expect(confirmation).toEqual({ confirmed: true, fields: licenceTruth(licence.fields) });
    const outcome = decide({
      chosen: { country: 'NLD', idType: 'DRIVING_LICENSE' },
      preset: {},
      mrz: undefined,
      printed: reading,
      today: TODAY,
    });
    expect(outcome).toEqual({
      verificationStatus: 'APPROVED_VERIFIED',
      idType: 'DRIVING_LICENSE',
      idCountry: 'NLD',
      idNumber: licence.fields.licenceNumber,
      idFirstName: licence.fields.firstName,
      idLastName: licence.fields.lastName,
      idDob: licence.fields.birthDate,
      idExpiry: licence.fields.expirationDate,
      mrzCheck: 'NOT_AVAILABLE',
    });
  });

  it('reads a licence photographed on a desk, a few degrees off', { timeout: 60_000 }, async () => {
    const licence = await renderDrivingLicence({ seed: 3, margin: 80, rotation: 3, jpegQuality: 80 });
    const reading = await reader.read(licence.image);
    expect(reading ? confirmPrinted(reading, TODAY) : undefined).toEqual({
      confirmed: true,
      fields: licenceTruth(licence.fields),
    });
  });

  it('nothing from what is not a licence, and never a throw', { timeout: 60_000 }, async () => {
    expect(await reader.read(Buffer.from('not an image'))).toBeUndefined();
    expect(await reader.read(Buffer.alloc(0))).toBeUndefined();
    const blank = await sharp({ create: { width: 800, height: 500, channels: 3, background: '#f0f0f0' } })
      .jpeg()
      .toBuffer();
    expect(await reader.read(blank)).toBeUndefined();
    const passport = await renderPassport({ seed: 2 });
    expect(await reader.read(passport.image)).toBeUndefined();
  });

  it('confirms most of a seeded set, and no confirmed value is wrong', { timeout: 300_000 }, async () => {
    // As the bench's printed set: clean scans and photos on a desk.
    const conditions: CaptureOptions[] = [
      { jpegQuality: 90 },
      { margin: 60, rotation: -2, jpegQuality: 80 },
      { jpegQuality: 85 },
      { margin: 100, rotation: 3.5, jpegQuality: 80 },
      { jpegQuality: 90 },
      { margin: 40, rotation: 1.5, jpegQuality: 80 },
      { scale: 0.8, jpegQuality: 90 },
      { margin: 80, rotation: -1, jpegQuality: 80 },
    ];
    let confirmed = 0;
    const wrong: string[] = [];
    const notConfirmed: string[] = [];
    for (const [index, options] of conditions.entries()) {
      const licence = await renderDrivingLicence({ seed: 100 + index, ...options });
      const reading = await reader.read(licence.image);
      const confirmation = reading ? confirmPrinted(reading, TODAY) : undefined;
      if (!confirmation?.confirmed) {
        notConfirmed.push(
          `seed ${100 + index}: ${confirmation ? `${confirmation.why} ${confirmation.fields.join(',')}` : 'no licence'}`,
        );
        continue;
      }
      confirmed++;
      const expected = licenceTruth(licence.fields);
      for (const field of CONFIRMED_FIELDS) {
        if (confirmation.fields[field] !== expected[field]) {
          wrong.push(`seed ${100 + index} ${field}: ${confirmation.fields[field]} ≠ ${expected[field]}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(confirmed, notConfirmed.join('; ')).toBeGreaterThanOrEqual(FLOOR);
  });
});

/**
 * Confirmed of the 8 in the seeded set: 4 when this was written (the others' licence number was
 * unread, or read with a letter OCR confuses with a digit), less a margin.
 */
const FLOOR = 3;
