import { OCRB_GLYPHS } from '#adapters/ocrb-glyphs';
import { MRZ_CHARACTERS } from '#domain/mrz';

/**
 * A second MRZ reader, independent of tesseract: the MRZ is printed in OCR-B on a fixed grid (44
 * characters a line in TD3, 36 in TD2, 30 in TD1), so each character's cell can be cut out and its
 * glyph compared with the 37 glyphs of the MRZ alphabet rendered from the OCR-B font
 * (ocrb-glyphs.ts, rendered by ocrb-render.ts). Comparison is normalised cross-correlation of ink
 * maps, each glyph scaled by its line's capital height and centred on its ink box.
 *
 *   crop of the MRZ (grey) ─▶ Otsu ─▶ the text rows (the lowest `lines`) ─▶ per row: the pitch and
 *   offset of the grid that centres its ink in `length` cells ─▶ per cell: ink box, resample to the
 *   template canvas ─▶ correlation with every template
 *
 * Pure computation on pixels; no font, no I/O at run time.
 */

/** Height in pixels of a capital on the template canvas. */
export const CAP_HEIGHT = 28;
export const CANVAS_WIDTH = 32;
export const CANVAS_HEIGHT = 36;
const CANVAS_SIZE = CANVAS_WIDTH * CANVAS_HEIGHT;

export interface GreyImage {
  /** One byte a pixel, row by row; dark ink on a light ground. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface GlyphReading {
  /** The best-matching character of MRZ_CHARACTERS, or '' for a cell with no ink. */
  char: string;
  /** Its correlation, −1 to 1 (0 for an empty cell). */
  score: number;
  /** The correlation with each of MRZ_CHARACTERS, in that order. */
  scores: Float32Array;
  /** Height of the glyph's ink in pixels (0 for an empty cell): OCR-B's digits are taller than its capitals. */
  height: number;
}

let templates: Float32Array[] | undefined;

/** Zero mean, unit length: the dot product of two such vectors is their correlation. */
function normalised(values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(values.length);
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i] ?? 0;
  mean /= values.length || 1;
  let norm = 0;
  for (let i = 0; i < values.length; i++) {
    const value = (values[i] ?? 0) - mean;
    out[i] = value;
    norm += value * value;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / norm;
  return out;
}

function loadTemplates(): Float32Array[] {
  templates ??= [...MRZ_CHARACTERS].map((char) => {
    const encoded = OCRB_GLYPHS[char];
    if (!encoded) throw new Error(`no OCR-B template for ${char}`);
    const data = Buffer.from(encoded, 'base64');
    if (data.length !== CANVAS_SIZE)
      throw new Error(`OCR-B template for ${char} is not ${CANVAS_SIZE} bytes`);
    return normalised(data);
  });
  return templates;
}

/** The correlation of a canvas-sized ink map with every template. */
export function classifyGlyph(canvas: ArrayLike<number>): GlyphReading {
  const all = loadTemplates();
  const sample = normalised(canvas);
  const scores = new Float32Array(all.length);
  let best = -1;
  for (const [index, template] of all.entries()) {
    let dot = 0;
    for (let i = 0; i < CANVAS_SIZE; i++) dot += (sample[i] ?? 0) * (template[i] ?? 0);
    scores[index] = dot;
    if (best < 0 || dot > (scores[best] ?? 0)) best = index;
  }
  return { char: MRZ_CHARACTERS.charAt(best), score: scores[best] ?? 0, scores, height: 0 };
}

export function otsu(data: Uint8Array): number {
  const histogram = new Float64Array(256);
  for (const value of data) histogram[value] = (histogram[value] ?? 0) + 1;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * (histogram[i] ?? 0);
  let sumBackground = 0;
  let weightBackground = 0;
  let best = 0;
  let threshold = 127;
  for (let i = 0; i < 256; i++) {
    weightBackground += histogram[i] ?? 0;
    if (weightBackground === 0) continue;
    const weightForeground = data.length - weightBackground;
    if (weightForeground === 0) break;
    sumBackground += i * (histogram[i] ?? 0);
    const meanBackground = sumBackground / weightBackground;
    const meanForeground = (sum - sumBackground) / weightForeground;
    const between = weightBackground * weightForeground * (meanBackground - meanForeground) ** 2;
    if (between > best) {
      best = between;
      threshold = i;
    }
  }
  return threshold;
}

interface Span {
  start: number;
  end: number;
}

/**
 * Reads every cell of an MRZ crop: `lines` rows of `length` characters, the lowest rows of text in
 * `grey`. Undefined when that many rows of text are not found; a cell with no ink reads ''.
 */
export function readOcrbGlyphs(grey: GreyImage, lines: number, length: number): GlyphReading[][] | undefined {
  const { data, width, height } = grey;
  if (width < length * 4 || height < lines * 6) return undefined;
  const threshold = otsu(data);
  let inkSum = 0;
  let inkCount = 0;
  let paperSum = 0;
  for (const value of data) {
    if (value <= threshold) {
      inkSum += value;
      inkCount++;
    } else paperSum += value;
  }
  if (inkCount === 0 || inkCount === data.length) return undefined;
  const black = inkSum / inkCount;
  const white = paperSum / (data.length - inkCount);
  const contrast = Math.max(1, white - black);
  const mask = inkMask(grey, threshold, Math.max(8, height * 0.45));
  const ink = (x: number, y: number) => mask[y * width + x] === 1;

  // Text rows: runs of rows with ink across a good part of the width.
  const rowInk = new Array<number>(height).fill(0);
  for (let y = 0; y < height; y++) {
    let count = 0;
    for (let x = 0; x < width; x++) if (ink(x, y)) count++;
    rowInk[y] = count;
  }
  const minimum = Math.max(2, width * 0.02);
  const runs: Span[] = [];
  let start = -1;
  for (let y = 0; y <= height; y++) {
    const dense = y < height && (rowInk[y] ?? 0) >= minimum;
    if (dense && start < 0) start = y;
    if (!dense && start >= 0) {
      if (y - start >= 3) runs.push({ start, end: y });
      start = -1;
    }
  }
  const tallest = Math.max(0, ...runs.map((run) => run.end - run.start));
  const rows = runs.filter((run) => run.end - run.start >= tallest * 0.5).slice(-lines);
  if (rows.length < lines) return undefined;

  const readings: GlyphReading[][] = [];
  for (const [index, row] of rows.entries()) {
    const above = rows[index - 1];
    const below = rows[index + 1];
    const bandHeight = row.end - row.start;
    // Room above and below the row for a glyph the row's threshold cut short, up to halfway to the next row.
    const top = Math.max(
      above ? Math.ceil((above.end + row.start) / 2) : 0,
      row.start - Math.ceil(bandHeight * 0.3),
    );
    const bottom = Math.min(
      below ? Math.floor((row.end + below.start) / 2) : height,
      row.end + Math.ceil(bandHeight * 0.3),
    );
    const cells = readRow(grey, ink, top, bottom, bandHeight, length);
    if (!cells) return undefined;
    const sample = (x: number, y: number) => {
      const value = data[y * width + x] ?? 255;
      return Math.min(1, Math.max(0, (white - value) / contrast));
    };
    readings.push(
      cells.map((cell) =>
        cell ? { ...classifyGlyph(resample(cell, sample)), height: cell.bottom - cell.top } : emptyCell(),
      ),
    );
  }
  return readings;
}

/**
 * 1 where a pixel is as dark as ink and belongs to a connected blot no taller than `maxHeight`: the
 * table or background around a document, and its edge, are dark but not text.
 */
function inkMask(grey: GreyImage, threshold: number, maxHeight: number): Uint8Array {
  const { data, width, height } = grey;
  const size = width * height;
  // Each dark pixel's blot (numbered from 1), and each blot's height.
  const labels = new Int32Array(size);
  const heights: number[] = [0];
  const stack = new Int32Array(size);
  for (let start = 0; start < size; start++) {
    if (labels[start] !== 0 || (data[start] ?? 255) > threshold) continue;
    const label = heights.length;
    labels[start] = label;
    stack[0] = start;
    let pending = 1;
    let top = height;
    let bottom = 0;
    while (pending > 0) {
      pending--;
      const at = stack[pending] ?? 0;
      const y = (at / width) | 0;
      const x = at - y * width;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      const neighbours = [x > 0 ? at - 1 : -1, x < width - 1 ? at + 1 : -1, at - width, at + width];
      for (const next of neighbours) {
        if (next < 0 || next >= size || labels[next] !== 0 || (data[next] ?? 255) > threshold) continue;
        labels[next] = label;
        stack[pending++] = next;
      }
    }
    heights.push(bottom - top + 1);
  }
  const mask = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const label = labels[i] ?? 0;
    if (label > 0 && (heights[label] ?? 0) <= maxHeight) mask[i] = 1;
  }
  return mask;
}

function emptyCell(): GlyphReading {
  return { char: '', score: 0, scores: new Float32Array(MRZ_CHARACTERS.length), height: 0 };
}

interface Cell {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The ink box of each of the `length` cells of the row between `top` and `bottom`. */
function readRow(
  grey: GreyImage,
  ink: (x: number, y: number) => boolean,
  top: number,
  bottom: number,
  bandHeight: number,
  length: number,
): (Cell | undefined)[] | undefined {
  const { width } = grey;
  const columns = new Float64Array(width);
  for (let y = top; y < bottom; y++)
    for (let x = 0; x < width; x++) if (ink(x, y)) columns[x] = (columns[x] ?? 0) + 1;
  // The row's extent: the longest stretch of inked columns with no gap wider than a few characters.
  const maxGap = Math.max(4, bandHeight * 2.5);
  let left = 0;
  let right = 0;
  let runLeft = -1;
  let lastInk = -1;
  for (let x = 0; x < width; x++) {
    if ((columns[x] ?? 0) === 0) continue;
    if (runLeft < 0 || x - lastInk > maxGap) runLeft = x;
    lastInk = x;
    if (lastInk + 1 - runLeft > right - left) {
      left = runLeft;
      right = lastInk + 1;
    }
  }
  const span = right - left;
  if (span < length * 3) return undefined;

  // The grid (pitch, offset) that puts the ink closest to its cells' centres: in a fixed-pitch font
  // every glyph is centred in its cell. Coarse, then fine around the coarse best.
  const xs: number[] = [];
  const weights: number[] = [];
  for (let x = left; x < right; x++) {
    const weight = columns[x] ?? 0;
    if (weight > 0) {
      xs.push(x + 0.5);
      weights.push(weight);
    }
  }
  const cost = (p: number, x0: number) => {
    let total = 0;
    for (let k = 0; k < xs.length; k++) {
      const phase = ((((xs[k] ?? 0) - x0) % p) + p) % p;
      const distance = phase - p / 2;
      total += (weights[k] ?? 0) * distance * distance;
    }
    return total;
  };
  const lowPitch = span / length;
  const highPitch = span / (length - 1);
  const coarsePitch = Math.max(0.01, (highPitch - lowPitch) / 10);
  let best = { cost: Number.POSITIVE_INFINITY, pitch: lowPitch, offset: left };
  const search = (
    fromPitch: number,
    toPitch: number,
    pitchStep: number,
    offsets: (p: number) => [number, number, number],
  ) => {
    for (let p = fromPitch; p <= toPitch + 1e-9; p += pitchStep) {
      const [from, to, step] = offsets(p);
      // Cells must cover the row's ink: the grid starts at or before it and ends at or after it.
      for (let x0 = Math.max(from, right - length * p); x0 <= Math.min(to, left) + 1e-9; x0 += step) {
        const value = cost(p, x0);
        if (value < best.cost) best = { cost: value, pitch: p, offset: x0 };
      }
    }
  };
  search(lowPitch, highPitch, coarsePitch, () => [right - length * highPitch, left, 1]);
  const coarse = best;
  search(
    Math.max(lowPitch, coarse.pitch - coarsePitch),
    Math.min(highPitch, coarse.pitch + coarsePitch),
    coarsePitch / 5,
    () => [coarse.offset - 1.5, coarse.offset + 1.5, 0.125],
  );
  const { pitch, offset } = best;

  const boxes: (Cell | undefined)[] = [];
  for (let i = 0; i < length; i++) {
    const cellLeft = Math.max(0, Math.round(offset + i * pitch));
    const cellRight = Math.min(width, Math.round(offset + (i + 1) * pitch));
    boxes.push(inkBoxIn(ink, cellLeft, cellRight, top, bottom));
  }
  return boxes.some((box) => box !== undefined) ? boxes : undefined;
}

/** The box of the ink in a window, leaving out edge rows and columns of a single pixel (noise). */
function inkBoxIn(
  ink: (x: number, y: number) => boolean,
  left: number,
  right: number,
  top: number,
  bottom: number,
): Cell | undefined {
  const w = right - left;
  const h = bottom - top;
  if (w <= 0 || h <= 0) return undefined;
  const columns = new Array<number>(w).fill(0);
  const rows = new Array<number>(h).fill(0);
  let total = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      if (!ink(x, y)) continue;
      columns[x - left] = (columns[x - left] ?? 0) + 1;
      rows[y - top] = (rows[y - top] ?? 0) + 1;
      total++;
    }
  }
  if (total < 4) return undefined;
  let l = 0;
  let r = w;
  let t = 0;
  let b = h;
  while (l < r && (columns[l] ?? 0) <= 1) l++;
  while (r > l && (columns[r - 1] ?? 0) <= 1) r--;
  while (t < b && (rows[t] ?? 0) <= 1) t++;
  while (b > t && (rows[b - 1] ?? 0) <= 1) b--;
  if (r - l < 1 || b - t < 1) return undefined;
  return { left: left + l, right: left + r, top: top + t, bottom: top + b };
}

/** The cell's ink scaled to the canvas (CAP_HEIGHT tall), its ink box centred. */
function resample(cell: Cell, sample: (x: number, y: number) => number): Float32Array {
  const scale = CAP_HEIGHT / (cell.bottom - cell.top);
  const centreX = (cell.left + cell.right) / 2;
  const centreY = (cell.top + cell.bottom) / 2;
  const out = new Float32Array(CANVAS_SIZE);
  // Ink outside the cell's box (a neighbour's, a speck) stays out.
  const minX = cell.left - 1;
  const maxX = cell.right;
  const minY = cell.top - 1;
  const maxY = cell.bottom;
  const at = (px: number, py: number) =>
    px < minX || px > maxX || py < minY || py > maxY ? 0 : sample(px, py);
  for (let v = 0; v < CANVAS_HEIGHT; v++) {
    const y = centreY + (v + 0.5 - CANVAS_HEIGHT / 2) / scale - 0.5;
    if (y < minY || y > maxY) continue;
    const y0 = Math.floor(y);
    const fy = y - y0;
    for (let u = 0; u < CANVAS_WIDTH; u++) {
      const x = centreX + (u + 0.5 - CANVAS_WIDTH / 2) / scale - 0.5;
      if (x < minX || x > maxX) continue;
      const x0 = Math.floor(x);
      const fx = x - x0;
      out[v * CANVAS_WIDTH + u] =
        at(x0, y0) * (1 - fx) * (1 - fy) +
        at(x0 + 1, y0) * fx * (1 - fy) +
        at(x0, y0 + 1) * (1 - fx) * fy +
        at(x0 + 1, y0 + 1) * fx * fy;
    }
  }
  return out;
}
