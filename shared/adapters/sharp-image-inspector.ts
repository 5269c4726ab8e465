import type sharpModule from 'sharp';

/**
 * sharp is loaded on first use, not imported: esbuild hoists a static import of an external package
 * to the top of the bundle, and functions that carry this module without calling it (the journey's
 * upload and submit) do not install sharp.
 */
let sharp: typeof sharpModule;
async function loadSharp(): Promise<void> {
  sharp ??= (await import('sharp')).default;
}

import {
  ANALYSIS_LONG_SIDE_PX,
  type DocumentRegion,
  declaredImageFormat,
  GLARE_LEVEL,
  type ImageKind,
  type ImageMetrics,
  isDocumentRegion,
  judgeUsability,
  MAX_IMAGE_BYTES,
  MAX_INPUT_PIXELS,
  MAX_SIDE_PX,
  MIN_INTAKE_SHORT_SIDE_PX,
  NORMALISED_JPEG_QUALITY,
  NORMALISED_LONG_SIDE_PX,
  sniffImageFormat,
  type UnusableReason,
  type Usability,
} from '#domain/image-rules';
import type { ImageInspector, IntakeResult } from '#use-cases/ports';

/**
 * Intake and usability with sharp (libvips): the worker's steps 1 and 2, and the verdict the
 * journey's acceptance loop shows. Nothing here throws: every failure, whatever the bytes, is a
 * verdict. The decisions live in shared/domain/image-rules.ts; this file only measures.
 */

export function createSharpImageInspector(): ImageInspector {
  return { intake, usability };
}

const refuse = (reason: UnusableReason, detail: string): IntakeResult => ({ ok: false, reason, detail });

async function intake(
  bytes: Buffer,
  declared: { contentType: string; maxBytes: number },
): Promise<IntakeResult> {
  await loadSharp();
  try {
    if (bytes.length === 0) return refuse('NOT_AN_IMAGE', 'the file is empty');
    const maxBytes = Math.min(declared.maxBytes, MAX_IMAGE_BYTES);
    if (bytes.length > maxBytes) {
      return refuse('TOO_LARGE', `the file has ${bytes.length} bytes, more than the ${maxBytes} allowed`);
    }
    const real = sniffImageFormat(bytes);
    if (!real) return refuse('NOT_AN_IMAGE', 'the file is neither a JPEG nor a PNG image');
    const claimed = declaredImageFormat(declared.contentType);
    if (!claimed) return refuse('NOT_AN_IMAGE', `the type ${declared.contentType} is not accepted`);
    if (claimed !== real) {
      return refuse(
        'NOT_AN_IMAGE',
        `declared as ${declared.contentType} but the file is a ${real.toUpperCase()}`,
      );
    }

    // The header only: the dimensions are checked before a single pixel is decoded.
    const header = await sharp(bytes, { failOn: 'error', limitInputPixels: false }).metadata();
    if (header.format !== real)
      return refuse('NOT_AN_IMAGE', `the file is not a valid ${real.toUpperCase()}`);
    const { width, height } = header;
    if (Math.max(width, height) > MAX_SIDE_PX) {
      return refuse('TOO_LARGE', `${width} × ${height} px; each side must be under ${MAX_SIDE_PX + 1} px`);
    }
    if (width * height > MAX_INPUT_PIXELS) {
      return refuse('TOO_LARGE', `${width} × ${height} px is more than ${MAX_INPUT_PIXELS} pixels`);
    }
    if (Math.min(width, height) < MIN_INTAKE_SHORT_SIDE_PX) {
      return refuse(
        'TOO_SMALL',
        `${width} × ${height} px; the short side must be at least ${MIN_INTAKE_SHORT_SIDE_PX} px`,
      );
    }

    // The full decode: a truncated or corrupt file passes the header read and fails only here.
    let pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true });
    if (Math.max(width, height) > NORMALISED_LONG_SIDE_PX) {
      pipeline = pipeline.resize({
        width: NORMALISED_LONG_SIDE_PX,
        height: NORMALISED_LONG_SIDE_PX,
        fit: 'inside',
      });
    }
    if (header.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
    // Output is sRGB without metadata (no GPS position kept); Huffman optimisation would double the encode time.
    const { data, info } = await pipeline
      .jpeg({ quality: NORMALISED_JPEG_QUALITY, optimiseCoding: false })
      .toBuffer({ resolveWithObject: true });
    return { ok: true, image: data, width: info.width, height: info.height, format: real };
  } catch (error) {
    return refuse('NOT_AN_IMAGE', `the image cannot be decoded: ${describe(error)}`);
  }
}

async function usability(image: Buffer, kind: ImageKind): Promise<Usability> {
  await loadSharp();
  try {
    if (image.length === 0 || !sniffImageFormat(image)) return { usable: false, reason: 'NOT_AN_IMAGE' };
    const header = await sharp(image, { failOn: 'error', limitInputPixels: false }).metadata();
    const { width, height } = header.autoOrient;
    if (Math.max(width, height) > MAX_SIDE_PX || width * height > MAX_INPUT_PIXELS) {
      return { usable: false, reason: 'TOO_LARGE' };
    }
    const grey = await greyForAnalysis(image, header.hasAlpha);
    return judgeUsability({ width, height, ...measure(grey, kind) }, kind);
  } catch {
    return { usable: false, reason: 'NOT_AN_IMAGE' };
  }
}

/** A single-channel 8-bit image. */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * The image as grey levels at ANALYSIS_LONG_SIDE_PX, rendered to a buffer: every metric is computed
 * here in plain loops (sharp's `stats()` after `convolve()` would report the input's statistics).
 */
export async function greyForAnalysis(image: Buffer, hasAlpha = true): Promise<GreyImage> {
  await loadSharp();
  let pipeline = sharp(image, {
    failOn: 'error',
    limitInputPixels: MAX_INPUT_PIXELS,
    autoOrient: true,
  }).resize({
    width: ANALYSIS_LONG_SIDE_PX,
    height: ANALYSIS_LONG_SIDE_PX,
    fit: 'inside',
    withoutEnlargement: true,
  });
  if (hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
  const { data, info } = await pipeline
    .greyscale()
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height),
    width: info.width,
    height: info.height,
  };
}

/** The pixels judged: the document's inside when one is found, the whole frame otherwise. */
type Region = Uint8Array;

/** Everything `judgeUsability` reads, apart from the original dimensions. */
export function measure(grey: GreyImage, kind: ImageKind): Omit<ImageMetrics, 'width' | 'height'> {
  const document = kind === 'document' ? findDocument(grey) : undefined;
  // Judged on the document when there is one: the table around it says nothing about the print.
  const region =
    document && isDocumentRegion(document.region)
      ? document.inside
      : new Uint8Array(grey.data.length).fill(1);
  const { mean, stdev, clipped } = tones(grey, region);
  return {
    brightness: mean,
    contrast: stdev,
    clipped,
    sharpness: stdev < 1 ? 0 : laplacianVariance(grey, region) / (stdev * stdev),
    glare: glareShare(grey, region),
    ...(kind === 'document' ? { document: document?.region ?? null } : {}),
  };
}

function tones(grey: GreyImage, region: Region): { mean: number; stdev: number; clipped: number } {
  let n = 0;
  let sum = 0;
  let squares = 0;
  let saturated = 0;
  for (let i = 0; i < region.length; i++) {
    if (!region[i]) continue;
    const v = grey.data[i] as number;
    n++;
    sum += v;
    squares += v * v;
    if (v >= GLARE_LEVEL) saturated++;
  }
  if (n === 0) return { mean: 0, stdev: 0, clipped: 0 };
  const mean = sum / n;
  return { mean, stdev: Math.sqrt(Math.max(0, squares / n - mean * mean)), clipped: saturated / n };
}

/**
 * Variance of the 4-neighbour Laplacian inside the region. Divided by the region's grey-level
 * variance it becomes the sharpness, which then does not move with exposure or contrast (judged on
 * their own); the document's own border is left out of the region, so a card's outline against the
 * table does not pass for sharp print.
 */
function laplacianVariance(grey: GreyImage, region: Region): number {
  const { data, width, height } = grey;
  let n = 0;
  let sum = 0;
  let squares = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (!region[i]) continue;
      const lap =
        4 * (data[i] as number) -
        (data[i - 1] as number) -
        (data[i + 1] as number) -
        (data[i - width] as number) -
        (data[i + width] as number);
      n++;
      sum += lap;
      squares += lap * lap;
    }
  }
  return n === 0 ? 0 : squares / n - (sum / n) ** 2;
}

/** The largest 4-connected patch of saturated pixels inside the region, as a share of the region. */
function glareShare(grey: GreyImage, region: Region): number {
  const mask = new Uint8Array(region.length);
  let n = 0;
  for (let i = 0; i < region.length; i++) {
    if (!region[i]) continue;
    n++;
    if ((grey.data[i] as number) >= GLARE_LEVEL) mask[i] = 1;
  }
  return n === 0 ? 0 : largestComponent(mask, grey.width, grey.height).size / n;
}

/** Labels the 4-connected components of `mask` (1 = member); returns the largest, its pixels marked 2. */
function largestComponent(
  mask: Uint8Array,
  w: number,
  h: number,
): { size: number; labels: Int32Array; label: number } {
  const labels = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  let best = { size: 0, label: 0 };
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1 || labels[start] !== 0) continue;
    next++;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    while (top > 0) {
      const i = stack[--top] as number;
      size++;
      const x = i % w;
      if (x > 0 && mask[i - 1] === 1 && labels[i - 1] === 0) {
        labels[i - 1] = next;
        stack[top++] = i - 1;
      }
      if (x < w - 1 && mask[i + 1] === 1 && labels[i + 1] === 0) {
        labels[i + 1] = next;
        stack[top++] = i + 1;
      }
      if (i >= w && mask[i - w] === 1 && labels[i - w] === 0) {
        labels[i - w] = next;
        stack[top++] = i - w;
      }
      if (i + w < mask.length && mask[i + w] === 1 && labels[i + w] === 0) {
        labels[i + w] = next;
        stack[top++] = i + w;
      }
    }
    if (size > best.size) best = { size, label: next };
  }
  return { size: best.size, labels, label: best.label };
}

/** The long side of the coarse image on which the document is looked for. */
const COARSE_LONG_SIDE = 128;

/**
 * The document as a region of distinct tone: on a coarse copy (text and texture averaged away), an
 * Otsu threshold splits the frame in two tones; for each tone, its largest connected region with
 * holes filled (the print on a card) is a candidate, scored by how close it is to a rectangle at any
 * angle (its area over that of the smallest rectangle enclosing it) among those that leave some
 * background around them. Honest limits: a document filling
 * the whole frame, or one on a background of the same tone, is not found.
 */
function findDocument(grey: GreyImage): { region: DocumentRegion; inside: Region } | undefined {
  const factor = Math.max(1, Math.ceil(Math.max(grey.width, grey.height) / COARSE_LONG_SIDE));
  const w = Math.max(1, Math.floor(grey.width / factor));
  const h = Math.max(1, Math.floor(grey.height / factor));
  const coarse = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * grey.width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += grey.data[row + dx] as number;
      }
      coarse[y * w + x] = sum / (factor * factor);
    }
  }
  const threshold = otsu(coarse);
  let best: { region: DocumentRegion; inside: Region } | undefined;
  for (const bright of [true, false]) {
    const mask = new Uint8Array(w * h);
    for (let i = 0; i < mask.length; i++) if ((coarse[i] as number) > threshold === bright) mask[i] = 1;
    const { size, labels, label } = largestComponent(mask, w, h);
    if (size === 0) continue;
    const filled = fillHoles(labels, label, w, h);
    let area = 0;
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (filled[i]) {
          area++;
          inside += coarse[i] as number;
        } else {
          outside += coarse[i] as number;
        }
      }
    }
    const rest = w * h - area;
    // A region that covers the whole frame is the background around nothing, or a crop we cannot tell from it.
    if (rest < 0.02 * w * h) continue;
    const region: DocumentRegion = {
      share: area / (w * h),
      rectangularity: area / minimumRectangleArea(boundaryCorners(filled, w, h)),
      separation: Math.abs(inside / area - outside / rest),
    };
    const score = (candidate: DocumentRegion) => candidate.rectangularity * Math.min(1, candidate.share * 4);
    if (!best || score(region) > score(best.region)) {
      best = { region, inside: interior(filled, w, h, factor, grey) };
    }
  }
  return best;
}

/**
 * The region at the analysis size, less a margin of one coarse pixel: the document's own border
 * stays out, so its outline against the background is not taken for print.
 */
function interior(filled: Uint8Array, w: number, h: number, factor: number, grey: GreyImage): Region {
  const region = new Uint8Array(grey.width * grey.height);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (!filled[i] || !filled[i - 1] || !filled[i + 1] || !filled[i - w] || !filled[i + w]) continue;
      for (let dy = 0; dy < factor; dy++) {
        region.fill(
          1,
          (y * factor + dy) * grey.width + x * factor,
          (y * factor + dy) * grey.width + (x + 1) * factor,
        );
      }
    }
  }
  return region;
}

/** The corners of the region's pixels that lie on its border: all a convex hull needs. */
function boundaryCorners(filled: Uint8Array, w: number, h: number): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!filled[i]) continue;
      const edge =
        x === 0 ||
        y === 0 ||
        x === w - 1 ||
        y === h - 1 ||
        !filled[i - 1] ||
        !filled[i + 1] ||
        !filled[i - w] ||
        !filled[i + w];
      if (edge) points.push([x, y], [x + 1, y], [x, y + 1], [x + 1, y + 1]);
    }
  }
  return points;
}

/** Area of the smallest rectangle, at any angle, that encloses the points (one side lies on a hull edge). */
function minimumRectangleArea(points: Array<[number, number]>): number {
  const hull = convexHull(points);
  if (hull.length < 3) return Number.POSITIVE_INFINITY;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < hull.length; i++) {
    const [ax, ay] = hull[i] as [number, number];
    const [bx, by] = hull[(i + 1) % hull.length] as [number, number];
    const length = Math.hypot(bx - ax, by - ay);
    if (length === 0) continue;
    const ux = (bx - ax) / length;
    const uy = (by - ay) / length;
    let minU = Number.POSITIVE_INFINITY;
    let maxU = Number.NEGATIVE_INFINITY;
    let minV = Number.POSITIVE_INFINITY;
    let maxV = Number.NEGATIVE_INFINITY;
    for (const [px, py] of hull) {
      const u = (px - ax) * ux + (py - ay) * uy;
      const v = -(px - ax) * uy + (py - ay) * ux;
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
    }
    best = Math.min(best, (maxU - minU) * (maxV - minV));
  }
  return best;
}

/** Andrew's monotone chain. */
function convexHull(points: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: Array<[number, number]>) => {
    const chain: Array<[number, number]> = [];
    for (const p of list) {
      while (
        chain.length >= 2 &&
        cross(chain[chain.length - 2] as [number, number], chain[chain.length - 1] as [number, number], p) <=
          0
      ) {
        chain.pop();
      }
      chain.push(p);
    }
    chain.pop();
    return chain;
  };
  return [...half(sorted), ...half(sorted.reverse())];
}

/** The component `label` with every hole in it filled: what the outside cannot reach from the border. */
function fillHoles(labels: Int32Array, label: number, w: number, h: number): Uint8Array {
  const reached = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  let top = 0;
  const push = (i: number) => {
    if (labels[i] !== label && reached[i] === 0) {
      reached[i] = 1;
      stack[top++] = i;
    }
  };
  for (let x = 0; x < w; x++) {
    push(x);
    push((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    push(y * w);
    push(y * w + w - 1);
  }
  while (top > 0) {
    const i = stack[--top] as number;
    const x = i % w;
    if (x > 0) push(i - 1);
    if (x < w - 1) push(i + 1);
    if (i >= w) push(i - w);
    if (i < (h - 1) * w) push(i + w);
  }
  const filled = new Uint8Array(w * h);
  for (let i = 0; i < filled.length; i++) filled[i] = reached[i] ? 0 : 1;
  return filled;
}

/** Otsu's threshold: the grey level that best separates the values into two tones. */
function otsu(values: Float64Array): number {
  const histogram = new Float64Array(256);
  for (const v of values) {
    const level = Math.min(255, Math.max(0, Math.round(v)));
    histogram[level] = (histogram[level] as number) + 1;
  }
  const total = values.length;
  let sumAll = 0;
  for (let t = 0; t < 256; t++) sumAll += t * (histogram[t] as number);
  let weightBelow = 0;
  let sumBelow = 0;
  let bestVariance = -1;
  let threshold = 127;
  for (let t = 0; t < 256; t++) {
    weightBelow += histogram[t] as number;
    if (weightBelow === 0) continue;
    const weightAbove = total - weightBelow;
    if (weightAbove === 0) break;
    sumBelow += t * (histogram[t] as number);
    const meanBelow = sumBelow / weightBelow;
    const meanAbove = (sumAll - sumBelow) / weightAbove;
    const between = weightBelow * weightAbove * (meanBelow - meanAbove) ** 2;
    if (between > bestVariance) {
      bestVariance = between;
      threshold = t;
    }
  }
  return threshold;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 200) ?? 'unknown error';
}
