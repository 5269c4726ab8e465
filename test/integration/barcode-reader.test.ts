import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createBarcodeReader } from '#adapters/zxing-barcode-reader';
import type { AamvaData } from '#domain/aamva';
import { type LicenceBackOptions, pdf417, renderLicenceBack } from '../support/aamva-barcodes.ts';
import { blankPhoto } from '../support/face-images.ts';
import { renderIdCard, renderPassport } from '../support/synthetic-documents.ts';

/**
 * The offline PDF417 reader with real ZXing (WASM, loaded from node_modules) on generated licence
 * backs. Unlike OCR, a decoded PDF417 is exact (Reed-Solomon), so every variant here must read every
 * field right or not at all.
 *
 * Measured on a shared 2-vCPU x86 machine, 20 backs per variant, versions 1–10 mixed (1010 × 638 px,
 * 3 px modules), with `OPENVERIFY_MEASURE=1 npx vitest run test/integration/barcode-reader.test.ts`
 * (two runs; figures vary with the machine's load): the first read (WASM compile) 0.16–0.6 s; clean,
 * upside down, a quarter turn, blurred, JPEG 40, scaled to 0.6: 10–75 ms median, ≤ 0.3 s p95;
 * tilted 1.5° ~0.1 s; tilted ±3° (read after one or two failed angles, 0.1–0.3 s each) 0.4–0.6 s
 * median, ~1 s p95; 5° 0.3–1 s. 20/20 of every variant read exactly, except modules under ~1.8 px
 * (scaled to 0.45: 5/20). An image without a barcode: 0.2–0.4 s.
 */

const reader = createBarcodeReader();

const readsExactly = (
  data: AamvaData | undefined,
  expected: Awaited<ReturnType<typeof renderLicenceBack>>,
) => {
  const { fields } = expected;
  expect(data).toMatchObject({
    subfile: fields.subfile,
    iin: fields.iin,
    documentNumber: fields.documentNumber,
    lastName: fields.lastName,
    firstName: fields.firstName,
    birthDate: fields.birthDate,
    expirationDate: fields.expirationDate,
    issueDate: fields.issueDate,
    sex: fields.sex,
    state: fields.state,
    country: fields.country,
  });
};

describe('zxing PDF417 reader', () => {
  it('reads a clean back, field by field, with its address', async () => {
    const back = await renderLicenceBack({ seed: 4, country: 'USA' });
    const data = await reader.readPdf417(back.image);
    readsExactly(data, back);
    expect(data?.address).toEqual({
      street: back.fields.street,
      city: back.fields.city,
      state: back.fields.state,
      postalCode: expect.stringMatching(/^\d{5}(-\d{4})?$/),
    });
  });

  const variants: [string, Omit<LicenceBackOptions, 'seed'>][] = [
    ['tilted 3° clockwise', { rotation: 3 }],
    ['tilted 3° anticlockwise', { rotation: -3 }],
    ['upside down', { rotation: 180 }],
    ['upside down and tilted 3°', { rotation: 183 }],
    ['turned a quarter', { rotation: 90 }],
    ['blurred (σ 1.5)', { blur: 1.5 }],
    ['a JPEG at quality 40', { jpegQuality: 40 }],
    ['at 60% size', { scale: 0.6 }],
    ['on a table, tilted 2°, as a JPEG', { margin: 120, rotation: 2, jpegQuality: 80 }],
  ];

  it.each(variants)('reads a back %s', async (_name, options) => {
    for (const seed of [11, 12, 13]) {
      const back = await renderLicenceBack({ seed, ...options });
      readsExactly(await reader.readPdf417(back.image), back);
    }
  });

  it('reads every AAMVA version, from the US and Canada, licences and ID cards', async () => {
    for (let version = 1; version <= 10; version++) {
      const back = await renderLicenceBack({
        seed: 100 + version,
        version,
        country: version % 2 === 0 ? 'USA' : 'CAN',
        subfile: version % 3 === 0 ? 'ID' : 'DL',
      });
      const data = await reader.readPdf417(back.image);
      expect(data?.version).toBe(version);
      readsExactly(data, back);
    }
  });

  it('answers undefined, without throwing, for images without an AAMVA barcode and for non-images', async () => {
    const passport = await renderPassport({ seed: 2 });
    const idCard = await renderIdCard({ seed: 8 });
    const white = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const truncated = (await renderLicenceBack({ seed: 5, jpegQuality: 80 })).image.subarray(0, 5000);
    for (const image of [
      passport.image,
      idCard.image,
      idCard.front,
      await blankPhoto(),
      white,
      truncated,
      Buffer.from('not an image at all'),
      Buffer.alloc(0),
    ]) {
      await expect(reader.readPdf417(image)).resolves.toBeUndefined();
    }
  });

  it('answers undefined for a PDF417 that is not an AAMVA payload', async () => {
    const symbol = await pdf417('INVOICE 2024-118 TOTAL 42.00 EUR');
    await expect(reader.readPdf417(symbol)).resolves.toBeUndefined();
  });

  it('throws when its engine cannot load (a .wasm missing from the package), so the message is retried', async () => {
    const broken = createBarcodeReader({ wasmPath: '/nonexistent/zxing_reader.wasm' });
    const back = await renderLicenceBack({ seed: 6 });
    await expect(broken.readPdf417(back.image)).rejects.toThrow(/ENOENT/);
  });

  it.runIf(process.env.OPENVERIFY_MEASURE === '1')(
    'measures decode time and success per variant',
    { timeout: 600_000 },
    async () => {
      const fresh = createBarcodeReader();
      const first = await renderLicenceBack({ seed: 999 });
      const started = performance.now();
      await fresh.readPdf417(first.image);
      const rows = [`first read (WASM compile): ${Math.round(performance.now() - started)} ms`];
      const measured: [string, Omit<LicenceBackOptions, 'seed'>][] = [
        ['clean', {}],
        ['tilted 1.5°', { rotation: 1.5 }],
        ...variants,
        ['tilted 5°', { rotation: 5 }],
        ['at 45% size', { scale: 0.45 }],
      ];
      for (const [name, options] of measured) {
        const times: number[] = [];
        let exact = 0;
        for (let seed = 1; seed <= 20; seed++) {
          const back = await renderLicenceBack({ seed, version: 1 + (seed % 10), ...options });
          const start = performance.now();
          const data = await fresh.readPdf417(back.image);
          times.push(performance.now() - start);
          const { fields } = back;
          if (
            data?.documentNumber === fields.documentNumber &&
            data.lastName === fields.lastName &&
            data.birthDate === fields.birthDate &&
            data.expirationDate === fields.expirationDate
          ) {
            exact++;
          }
        }
        times.sort((a, b) => a - b);
        const at = (share: number) =>
          Math.round(times[Math.min(times.length - 1, Math.floor(times.length * share))] ?? 0);
        rows.push(
          `${name.padEnd(36)} ${exact}/20  median ${at(0.5)} ms  p95 ${at(0.95)} ms  max ${at(1)} ms`,
        );
      }
      console.info(rows.join('\n'));
    },
  );
});
