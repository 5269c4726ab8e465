import type sharpModule from 'sharp';
import type { Worker } from 'tesseract.js';
import { onDemandTesseractWorker } from '#adapters/tesseract-worker';
import {
  anotherPassMayConfirm,
  type PrintedFields,
  type PrintedReading,
  parseLicenceText,
} from '#domain/printed-fields';
import type { PrintedFieldReader } from '#use-cases/ports';

/**
 * The offline printed-field engine: reads the numbered fields of an EU-format driving licence's
 * front (no MRZ, no barcode) with tesseract.js, and parses them with the domain's strict rules
 * (shared/domain/printed-fields.ts). Nothing is fetched at run time: the same wasm and the same
 * English traineddata (@tesseract.js-data/eng 4.0.0) as the MRZ reader, in a worker of its own
 * (LSTM engine, where the MRZ reader's runs the legacy one).
 *
 * Printed text has no check digit, so the image is read more than once, from different copies:
 *
 *   image ─▶ grey, EXIF-oriented, longest side ≤ 2000 px ─▶ deskew (row-profile search, ±8°)
 *     ─▶ pass 1: LSTM engine on the copy scaled to 1200 px
 *     ─▶ pass 2: LSTM engine on a 1600 px copy, contrast stretched
 *     ─▶ pass 3 (only when a field is still read by fewer than two passes and none differs): 2000 px
 *
 * `confirmPrinted` then counts a value only where at least two passes read it and none read it
 * otherwise. The passes share a recogniser, so they are not independent witnesses: agreement
 * removes the misreads that depend on scale and contrast, not those the model makes whatever its
 * input; bench/verification.ts (`--printed`) measures what is left as wrong fields under
 * APPROVED_VERIFIED. When pass 1 recognises no licence the image is tried upside down, then given up.
 */

export interface TesseractPrintedReader extends PrintedFieldReader {
  /** Ends the OCR workers; a later `read` starts new ones. */
  close(): Promise<void>;
}

export interface TesseractPrintedReaderOptions {
  /** Folder holding `eng.traineddata.gz`; defaults to @tesseract.js-data/eng's 4.0.0 (the MRZ reader's). */
  langPath?: string;
}

/** Longest side the image is worked at (before each pass scales its own copy). */
const MAX_SIDE = 2000;

/** Loaded on first use, not imported (esbuild hoists static imports; tesseract.js: ./tesseract-worker.ts). */
let sharp: typeof sharpModule;
async function loadEngines(): Promise<void> {
  sharp ??= (await import('sharp')).default;
}

/**
 * The passes, each on its own copy: the longest side it is scaled to, and whether its contrast is
 * stretched. All use the LSTM engine, without a character whitelist (it reads better unrestricted).
 * Tried and left out: the legacy engine as the second pass (2 of 12 synthetic licences confirmed,
 * against 5 of 12 with LSTM: it drops the space in `DE JONG` and reads J as 1), and binarised copies
 * (47 of 56 fields right in one pass, against 50–52 for grey and contrast-stretched copies).
 */
interface Pass {
  side: number;
  normalise: boolean;
}
const PASSES: readonly Pass[] = [
  { side: 1200, normalise: false },
  { side: 1600, normalise: true },
  // Only when the first two left a field unread and read none differently.
  { side: 2000, normalise: false },
];

export function createTesseractPrintedReader(
  options: TesseractPrintedReaderOptions = {},
): TesseractPrintedReader {
  const worker = onDemandTesseractWorker({
    langPath: options.langPath,
    engine: 'lstm',
    // One block of lines keeps the labels on their values' lines (automatic layout splits them off);
    // its warnings on specks it cannot read ("Image too small to scale!!") would fill the logs.
    parameters: { debug_file: '/dev/null' },
  });

  return {
    async read(image) {
      try {
        return await readImage(() => worker.get(), image);
      } catch {
        return undefined;
      }
    },
    close: () => worker.close(),
  };
}

async function readImage(
  getWorker: () => Promise<Worker>,
  image: Buffer,
): Promise<PrintedReading | undefined> {
  await loadEngines();
  // Decoding fails here, before any OCR, on what is not an image.
  const upright = await sharp(image, { failOn: 'none', limitInputPixels: 100_000_000 })
    .rotate()
    .greyscale()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
  const skew = await estimateSkew(upright);
  const straight = await cropToCard(
    skew === 0 ? upright : await sharp(upright).rotate(skew, { background: '#000000' }).png().toBuffer(),
  );
  for (const rotation of [0, 180]) {
    const oriented = rotation === 0 ? straight : await sharp(straight).rotate(rotation).png().toBuffer();
    const passes: PrintedFields[] = [];
    for (const [index, pass] of PASSES.entries()) {
      if (index >= 2 && !anotherPassMayConfirm(passes)) break;
      let copy = sharp(oriented).resize({ width: pass.side, height: pass.side, fit: 'inside' });
      if (pass.normalise) copy = copy.normalise();
      const { data } = await (await getWorker()).recognize(await copy.png().toBuffer());
      const fields = parseLicenceText(data.text);
      // No licence in the first pass: not this orientation (and no further pass is paid for).
      if (index === 0 && fields === undefined) break;
      // A later pass that recognised nothing is a reading with no fields: it confirms nothing.
      passes.push(fields ?? {});
    }
    if (passes.length > 0) return { layout: 'EU_DRIVING_LICENCE', passes };
  }
  return undefined;
}

/**
 * The card without the table around it: the rows and columns of which most pixels are light (a
 * card's ground), with a small margin. The dark surroundings otherwise come out as rows of junk
 * characters that push the labels off their lines. The image itself when no such box is found.
 */
async function cropToCard(png: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const rows = new Uint32Array(height);
  const columns = new Uint32Array(width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((data[(y * width + x) * channels] ?? 0) > LIGHT) {
        rows[y] = (rows[y] ?? 0) + 1;
        columns[x] = (columns[x] ?? 0) + 1;
      }
    }
  }
  const span = (counts: Uint32Array, length: number) => {
    const inside = (count: number | undefined) => (count ?? 0) > length / 2;
    const first = counts.findIndex((count) => inside(count));
    const last = counts.findLastIndex((count) => inside(count));
    return first < 0 ? undefined : { first, last };
  };
  const vertical = span(rows, width);
  const horizontal = span(columns, height);
  if (!vertical || !horizontal) return png;
  const pad = Math.round(Math.min(width, height) * 0.01);
  const left = Math.max(0, horizontal.first - pad);
  const top = Math.max(0, vertical.first - pad);
  const cropWidth = Math.min(width, horizontal.last + pad + 1) - left;
  const cropHeight = Math.min(height, vertical.last + pad + 1) - top;
  // A box much smaller than the image is more likely a light object on it than the card.
  if (cropWidth < width * 0.4 || cropHeight < height * 0.4) return png;
  return sharp(png).extract({ left, top, width: cropWidth, height: cropHeight }).png().toBuffer();
}

/** Grey level above which a pixel is the card's ground. */
const LIGHT = 140;

/** Side of the copy the skew is measured on, and the angles tried (degrees). */
const SKEW_SIDE = 500;
const SKEW_ANGLES = Array.from({ length: 33 }, (_, index) => -8 + index * 0.5);

/**
 * The angle that makes the text lines horizontal: the rotation whose dark-pixel row profile varies
 * most (lines of text and the gaps between them line up with rows).
 */
async function estimateSkew(png: Buffer): Promise<number> {
  const small = await sharp(png)
    .resize({ width: SKEW_SIDE, height: SKEW_SIDE, fit: 'inside' })
    .png()
    .toBuffer();
  let best = 0;
  let bestScore = -1;
  for (const angle of SKEW_ANGLES) {
    const { data, info } = await sharp(small)
      .rotate(angle, { background: '#ffffff' })
      .threshold(110)
      .raw()
      .toBuffer({ resolveWithObject: true });
    let score = 0;
    let previous = 0;
    for (let y = 0; y < info.height; y++) {
      let dark = 0;
      const row = y * info.width * info.channels;
      for (let x = 0; x < info.width; x++) if ((data[row + x * info.channels] ?? 255) < 128) dark++;
      score += (dark - previous) ** 2;
      previous = dark;
    }
    if (score > bestScore) {
      bestScore = score;
      best = angle;
    }
  }
  return best;
}
