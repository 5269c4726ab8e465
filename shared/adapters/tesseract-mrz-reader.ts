import type sharpModule from 'sharp';
import type { Sharp } from 'sharp';
import type { Worker } from 'tesseract.js';
import { type GlyphReading, otsu, readOcrbGlyphs } from '#adapters/ocrb-classifier';
import { onDemandTesseractWorker } from '#adapters/tesseract-worker';
import { MRZ_CHARACTERS, type MrzReading, readMrzText } from '#domain/mrz';
import { type Clock, systemClock } from '#use-cases/ports';

/**
 * The offline MRZ engine: finds the machine-readable zone in a photo or scan of a document and reads
 * it with tesseract's legacy engine (which reads OCR-B far better than its LSTM one), then cleans,
 * repairs and checks it with the domain's rules. Nothing is fetched at run time: the engine's wasm comes
 * from tesseract.js-core and the English traineddata from @tesseract.js-data/eng.
 *
 *   image ─▶ grey, EXIF-oriented ─▶ for each of 0°, 180°, 90°, 270°: deskew, find the MRZ band at the
 *   bottom, crop, scale to a fixed character height, binarise, OCR ─▶ the same crop read a second
 *   time, cell by cell, against OCR-B glyph templates (ocrb-classifier.ts) ─▶ the two fused character
 *   by character (fuse()); where they do not vouch for every character, tesseract again at a larger
 *   scale ─▶ first reading whose every check digit passes and every character is vouched for (else
 *   the best reading found, not valid)
 *
 * `valid` therefore means more than the check digits: the names and the document number, which no
 * check digit protects (names) or protects weakly (O for 0 twice cancels out), were read the same by
 * two independent readers, or decided by the templates where tesseract's misreadings are known
 * (W/N, O/0). Without the templates, nothing is reported valid.
 */

export interface MrzReader {
  /** The MRZ read from `image` (JPEG, PNG, WebP…), or undefined when none is found; never throws. */
  read(image: Buffer): Promise<MrzReading | undefined>;
  /** Ends the OCR worker; a later `read` starts a new one. */
  close(): Promise<void>;
}

export interface TesseractMrzReaderOptions {
  /** Folder holding the legacy-capable `eng.traineddata.gz`; defaults to @tesseract.js-data/eng's 4.0.0. */
  langPath?: string;
  /** "Now" for the century of two-digit birth years. */
  clock?: Clock;
}

/** Largest side the image is worked at; more costs time and reads no better. */
const MAX_SIDE = 2000;
/** Side of the copy used to find the MRZ band and the skew. */
const ANALYSIS_SIDE = 900;
/** Character height (in pixels) the MRZ crop is scaled to before OCR. */
const TARGET_CAP_HEIGHTS = [30, 40] as const;
const ROTATIONS = [0, 180, 90, 270] as const;

/**
 * sharp is loaded on first use, not imported: esbuild would hoist a static import of the external
 * package to the top of any bundle that carries this module (tesseract.js likewise, in
 * ./tesseract-worker.ts).
 */
let sharp: typeof sharpModule;
async function loadEngines(): Promise<void> {
  sharp ??= (await import('sharp')).default;
}

export function createTesseractMrzReader(options: TesseractMrzReaderOptions = {}): MrzReader {
  const clock = options.clock ?? systemClock;
  const worker = onDemandTesseractWorker({
    langPath: options.langPath,
    engine: 'legacy',
    parameters: { tessedit_char_whitelist: MRZ_CHARACTERS },
  });

  return {
    async read(image) {
      try {
        return await readImage(await worker.get(), image, clock.now());
      } catch {
        return undefined;
      }
    },
    close: () => worker.close(),
  };
}

interface Grey {
  data: Uint8Array;
  width: number;
  height: number;
}

async function toGrey(pipeline: Sharp): Promise<Grey> {
  const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

const fromGrey = (grey: Grey) =>
  sharp(Buffer.from(grey.data.buffer, grey.data.byteOffset, grey.data.length), {
    raw: { width: grey.width, height: grey.height, channels: 1 },
  });

async function readImage(worker: Worker, image: Buffer, now: Date): Promise<MrzReading | undefined> {
  await loadEngines();
  let original: Grey;
  try {
    original = await toGrey(
      sharp(image, { failOn: 'none', limitInputPixels: 100_000_000 })
        .rotate()
        .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true }),
    );
  } catch {
    return undefined;
  }
  let best: MrzReading | undefined;
  for (const rotation of ROTATIONS) {
    const rotated = rotation === 0 ? original : await toGrey(fromGrey(original).rotate(rotation));
    const reading = await readOrientation(worker, rotated, now);
    // A plausible reading means this is the document's orientation, whether or not it checks out.
    if (reading && plausible(reading)) return reading;
    if (reading && (!best || score(reading) > score(best))) best = reading;
  }
  return best && plausible(best) ? best : undefined;
}

function score(reading: MrzReading): number {
  return (reading.valid ? 10 : 0) + Object.values(reading.checks).filter(Boolean).length;
}

/**
 * Text read at the wrong orientation can still come out MRZ-shaped (vertical strokes read as `0`,
 * `1`, `I`); a real MRZ, even misread, has a calendar date and at least two passing check digits.
 */
function plausible(reading: MrzReading): boolean {
  return (
    (reading.fields.birthDate !== undefined || reading.fields.expirationDate !== undefined) &&
    score(reading) >= 2
  );
}

async function readOrientation(worker: Worker, grey: Grey, now: Date): Promise<MrzReading | undefined> {
  const factor = Math.min(1, ANALYSIS_SIDE / Math.max(grey.width, grey.height));
  let analysis = await toGrey(
    fromGrey(grey).resize({ width: Math.max(1, Math.round(grey.width * factor)), kernel: 'linear' }),
  );
  let binary = binarise(analysis, otsu(analysis.data));
  const skew = estimateSkew(binary);
  let full = grey;
  if (Math.abs(skew) >= 0.5) {
    full = await toGrey(fromGrey(grey).rotate(-skew, { background: '#ffffff' }));
    analysis = await toGrey(
      fromGrey(full).resize({ width: Math.max(1, Math.round(full.width * factor)), kernel: 'linear' }),
    );
    binary = binarise(analysis, otsu(analysis.data));
  }
  const band = findMrzBand(binary);
  if (!band) return undefined;

  const scale = 1 / factor;
  const left = Math.max(0, Math.floor((band.left - band.lineHeight) * scale));
  const top = Math.max(0, Math.floor((band.top - band.lineHeight * 0.8) * scale));
  const right = Math.min(full.width, Math.ceil((band.right + band.lineHeight) * scale));
  const bottom = Math.min(full.height, Math.ceil((band.bottom + band.lineHeight * 0.8) * scale));
  if (right - left < 20 || bottom - top < 10) return undefined;
  const capHeight = band.lineHeight * scale;

  const readAt = async (target: number): Promise<Scaled> => {
    const resize = target / capHeight;
    const crop = await toGrey(
      fromGrey(full)
        .extract({ left, top, width: right - left, height: bottom - top })
        .resize({ width: Math.max(1, Math.round((right - left) * resize)), kernel: 'cubic' }),
    );
    const threshold = otsu(crop.data);
    const png = await fromGrey({ ...crop, data: crop.data.map((v) => (v > threshold ? 255 : 0)) })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const { data } = await worker.recognize(png);
    return { crop, reading: readMrzText(data.text, { referenceDate: now }) };
  };

  // The template reader works on the first scale's crop; a second tesseract reading, at another scale,
  // only where the first and the templates leave a character unvouched for (on the 216 documents of
  // bench/verification.ts: none).
  const [first, second] = TARGET_CAP_HEIGHTS;
  const one = await readAt(first);
  const reading = one.reading;
  if (!reading || !plausible(reading)) return reading;
  const glyphs = templateReading(one.crop, reading, now);
  const fusedOne = fuse([reading], glyphs, now);
  if (fusedOne.confirmed) return fusedOne.reading;
  const two = await readAt(second);
  const readings = two.reading ? [reading, two.reading] : [reading];
  return fuse(readings, glyphs, now).reading;
}

interface Scaled {
  crop: Grey;
  reading: MrzReading | undefined;
}

const SHAPE: Record<MrzReading['format'], { lines: number; length: number }> = {
  TD1: { lines: 3, length: 30 },
  TD2: { lines: 2, length: 36 },
  TD3: { lines: 2, length: 44 },
};

interface TemplateReading {
  /** The template reader's best characters, repaired as tesseract's are; '?' where a cell had no ink. */
  lines: string[];
  cells: GlyphReading[][];
  /** Median ink heights of the capitals and of the digits 1–9 read with confidence, for O against 0. */
  letterHeight: number;
  digitHeight: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length
    ? ((sorted[(sorted.length - 1) >> 1] ?? 0) + (sorted[sorted.length >> 1] ?? 0)) / 2
    : 0;
};

/** The OCR-B template reader on the same crop, in the layout tesseract found. */
function templateReading(crop: Grey, reading: MrzReading, now: Date): TemplateReading | undefined {
  const { lines, length } = SHAPE[reading.format];
  const cells = readOcrbGlyphs(crop, lines, length);
  if (!cells) return undefined;
  const raw = cells.map((row) => row.map((cell) => cell.char || '?').join(''));
  const repaired = readMrzText(
    raw.map((line) => line.replaceAll('?', '<')),
    { referenceDate: now },
  );
  const fitted = repaired && repaired.format === reading.format ? repaired.lines : raw;
  const sure = cells.flat().filter((cell) => cell.score >= OVERRIDE_SCORE);
  return {
    cells,
    lines: fitted.map((line, l) => [...line].map((char, i) => (raw[l]?.[i] === '?' ? '?' : char)).join('')),
    letterHeight: median(sure.filter((cell) => /^[A-NP-Z]$/.test(cell.char)).map((cell) => cell.height)),
    digitHeight: median(sure.filter((cell) => /^[1-9]$/.test(cell.char)).map((cell) => cell.height)),
  };
}

/**
 * O or 0 by the glyph's height: OCR-B's digits stand about 7% taller than its capitals (O 228 and 0 244
 * units, against capitals' 218–227 and digits' 239–244), a difference that survives blur and scale
 * where the shapes' (O is a little wider) barely does. Undefined when the height is in between.
 */
function roundByHeight(cell: GlyphReading, template: TemplateReading): 'O' | '0' | undefined {
  const { letterHeight, digitHeight } = template;
  const expectedO = letterHeight * 1.02;
  const expectedZero = digitHeight * 1.01;
  if (!letterHeight || !digitHeight || expectedZero - expectedO < 1) return undefined;
  const z = (cell.height - expectedO) / (expectedZero - expectedO);
  if (z <= 0.6) return 'O';
  if (z >= 0.74) return '0';
  return undefined;
}

interface Fused {
  reading: MrzReading;
  /** Every character is vouched for: see fuse(). */
  confirmed: boolean;
}

/**
 * How much better (in correlation) the template reader's character must match than tesseract's for
 * the template's to stand against it. Measured on the 216 documents of bench/verification.ts: where
 * the two differed and the template was right, it won by 0.20 or more, except O against 0.
 */
const OVERRIDE_MARGIN = 0.15;
/**
 * O and 0 differ in OCR-B's shapes by little more than width: their correlations differ by 0.05 at
 * most (measured: right by 0.020–0.047, wrong by at most 0.009). A shape preferring the other by
 * this much vetoes the height's decision (roundByHeight).
 */
const ROUND_MARGIN = 0.015;
/** A glyph matching no template this well is not one to overrule tesseract with (measured: ≥ 0.93). */
const OVERRIDE_SCORE = 0.85;

type Span = [line: number, start: number, end: number];

/** The fields that hold letters and digits, where O and 0 are both possible. */
const ALPHANUMERIC: Record<MrzReading['format'], Span[]> = {
  TD1: [
    [0, 5, 14],
    [0, 15, 30],
    [1, 18, 29],
  ],
  TD2: [
    [1, 0, 9],
    [1, 28, 35],
  ],
  TD3: [
    [1, 0, 9],
    [1, 28, 42],
  ],
};

/** Dates and check digits: digits only. Everything else (codes, states, names, sex) is letters. */
const NUMERIC: Record<MrzReading['format'], Span[]> = {
  TD1: [
    [0, 14, 15],
    [1, 0, 7],
    [1, 8, 15],
    [1, 29, 30],
  ],
  TD2: [
    [1, 9, 10],
    [1, 13, 20],
    [1, 21, 28],
    [1, 35, 36],
  ],
  TD3: [
    [1, 9, 10],
    [1, 13, 20],
    [1, 21, 28],
    [1, 42, 44],
  ],
};

const within = (spans: Span[], line: number, index: number) =>
  spans.some(([at, from, to]) => at === line && index >= from && index < to);

const ROUND = new Set(['O', '0']);

/**
 * Character by character, the template reader's reading, each character vouched for by one of:
 * - a tesseract reading has the same character;
 * - the template reader prefers it to every tesseract reading's character there by OVERRIDE_MARGIN
 *   (a clear W where tesseract read N; names carry no check digit to catch that).
 * Where O and 0 are both possible (an O read for 0 twice can pass a document number's check digit),
 * the glyph's height decides between them (roundByHeight), and the shapes must not disagree by
 * ROUND_MARGIN. A character nothing vouches for leaves tesseract's in place and the reading not valid.
 */
function fuse(readings: MrzReading[], template: TemplateReading | undefined, now: Date): Fused {
  const [main] = readings as [MrzReading];
  if (!template) return { reading: { ...main, valid: false }, confirmed: false };
  const same = readings.filter((one) => one.format === main.format);
  let confirmed = true;
  const lines = main.lines.map((line, l) =>
    [...line]
      .map((char, i) => {
        const cell = template.cells[l]?.[i];
        let glyph = template.lines[l]?.[i];
        if (glyph === undefined || glyph === '?' || !cell) {
          confirmed = false;
          return char;
        }
        const score = (of: string) => cell.scores[MRZ_CHARACTERS.indexOf(of)] ?? -1;
        const alphanumeric = within(ALPHANUMERIC[main.format], l, i);
        const numeric = within(NUMERIC[main.format], l, i);
        // O and 0 where the field allows only one of them are the same reading of it.
        const canonical = (of: string) => (ROUND.has(of) && !alphanumeric ? (numeric ? '0' : 'O') : of);
        glyph = canonical(glyph);
        if (alphanumeric && ROUND.has(glyph)) {
          const byHeight = roundByHeight(cell, template);
          const other = byHeight === 'O' ? '0' : 'O';
          if (!byHeight || score(other) - score(byHeight) >= ROUND_MARGIN) {
            confirmed = false;
            return char;
          }
          glyph = byHeight;
        }
        const kind = (of: string) => (alphanumeric && ROUND.has(of) ? 'round' : canonical(of));
        const others = same
          .map((one) => one.lines[l]?.[i] ?? '')
          .filter((other) => kind(other) !== kind(glyph));
        const ours = score(cell.char);
        const decisive =
          ours >= OVERRIDE_SCORE && others.every((other) => ours - score(other) >= OVERRIDE_MARGIN);
        if (others.length < same.length || decisive) return glyph;
        confirmed = false;
        return char;
      })
      .join(''),
  );
  const fused = readMrzText(lines, { referenceDate: now }) ?? main;
  if (confirmed && fused.valid) return { reading: fused, confirmed: true };
  return { reading: { ...fused, valid: false }, confirmed: false };
}

// ── Image analysis on a small binarised copy ───────────────────────────────────────────────────────

/** 1 where ink is. */
function binarise(grey: Grey, threshold: number): Grey {
  return { ...grey, data: grey.data.map((v) => (v <= threshold ? 1 : 0)) };
}

/**
 * The skew in degrees (clockwise positive) that makes text rows most horizontal: the angle whose
 * projection of stroke edges onto rows is most peaked. Only the lower half counts, where the MRZ is.
 */
function estimateSkew(binary: Grey): number {
  const { data, width, height } = binary;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = Math.floor(height / 2); y < height; y += 1) {
    for (let x = 1; x < width; x++) {
      // Stroke edges, not ink: a dark background or a photo would outweigh the text.
      if (data[y * width + x] && !data[y * width + x - 1]) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  if (xs.length < 50) return 0;
  let bestAngle = 0;
  let bestScore = -1;
  const bins = new Float64Array(height * 2 + width);
  for (let angle = -15; angle <= 15; angle += 0.5) {
    const tan = Math.tan((angle * Math.PI) / 180);
    bins.fill(0);
    for (let i = 0; i < xs.length; i++) {
      const row = Math.round((ys[i] ?? 0) - (xs[i] ?? 0) * tan) + width;
      bins[row] = (bins[row] ?? 0) + 1;
    }
    let total = 0;
    for (const count of bins) total += count * count;
    if (total > bestScore) {
      bestScore = total;
      bestAngle = angle;
    }
  }
  return bestAngle;
}

interface Band {
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Height of one text line (the characters' height). */
  lineHeight: number;
}

interface Row {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * The MRZ: the lowest group of two or three evenly spaced text rows, each dense with strokes and
 * spanning much of the image's width.
 */
function findMrzBand(binary: Grey): Band | undefined {
  const { data, width, height } = binary;
  const transitions = new Array<number>(height).fill(0);
  for (let y = 0; y < height; y++) {
    let count = 0;
    for (let x = 1; x < width; x++) {
      if (data[y * width + x] && !data[y * width + x - 1]) count++;
    }
    transitions[y] = count;
  }
  // A row of MRZ text crosses at least one stroke for most of its 30 to 44 characters.
  const minimum = 22;
  const rows: Row[] = [];
  let start = -1;
  for (let y = 0; y <= height; y++) {
    const dense = y < height && (transitions[y] ?? 0) >= minimum;
    if (dense && start < 0) start = y;
    if (!dense && start >= 0) {
      if (y - start >= 3) rows.push(extent(binary, start, y));
      start = -1;
    }
  }
  const wide = rows.filter((row) => row.right - row.left >= width * 0.4);
  for (let last = wide.length - 1; last >= 0; last--) {
    const bottomRow = wide[last] as Row;
    const group = [bottomRow];
    for (let i = last - 1; i >= 0 && group.length < 3; i--) {
      const above = wide[i] as Row;
      const below = group[0] as Row;
      const heightNow = below.bottom - below.top;
      const gap = below.top - above.bottom;
      const similar = Math.abs(above.bottom - above.top - heightNow) <= Math.max(3, heightNow * 0.4);
      if (!similar || gap > heightNow * 2.2 || gap < 0) break;
      group.unshift(above);
    }
    if (group.length < 2) continue;
    const first = group[0] as Row;
    const lineHeight = group.reduce((sum, row) => sum + row.bottom - row.top, 0) / group.length;
    return {
      top: first.top,
      bottom: bottomRow.bottom,
      left: Math.min(...group.map((row) => row.left)),
      right: Math.max(...group.map((row) => row.right)),
      lineHeight,
    };
  }
  return undefined;
}

/** Horizontal extent of the ink in rows [top, bottom), ignoring stray specks at either end. */
function extent(binary: Grey, top: number, bottom: number): Row {
  const { data, width } = binary;
  const columns = new Array<number>(width).fill(0);
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < width; x++) if (data[y * width + x]) columns[x] = (columns[x] ?? 0) + 1;
  }
  // Characters are at most a few character widths apart; a longer run of blank columns ends the row.
  const maxGap = Math.max(4, (bottom - top) * 2.5);
  let bestLeft = 0;
  let bestRight = 0;
  let runLeft = -1;
  let lastInk = -1;
  for (let x = 0; x <= width; x++) {
    const ink = x < width && (columns[x] ?? 0) > 0;
    if (!ink) continue;
    if (runLeft < 0 || x - lastInk > maxGap) runLeft = x;
    lastInk = x;
    if (lastInk - runLeft > bestRight - bestLeft) {
      bestLeft = runLeft;
      bestRight = lastInk + 1;
    }
  }
  return { top, bottom, left: bestLeft, right: bestRight };
}
