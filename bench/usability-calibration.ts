import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createWorker, OEM, PSM } from 'tesseract.js';
import { createSharpImageInspector, greyForAnalysis, measure } from '#adapters/sharp-image-inspector';
import { type ImageMetrics, isDocumentRegion, judgeUsability } from '#domain/image-rules';
import { documentPhoto, MRZ, mrzBox, type SceneOptions } from '../test/support/usability-images.ts';

/**
 * Calibration of the usability thresholds in shared/domain/image-rules.ts: sweeps each degradation
 * of the generated document photo and prints every metric beside the verdict the current thresholds
 * give, so a threshold can be read off between the last good and the first bad variant. For defocus, exposure
 * and contrast, the MRZ is also read with tesseract's legacy engine: "readable" means what the engine reads, not a
 * guess. Ends with the time of intake and usability on a 12 MP photo.
 *
 *   node bench/usability-calibration.ts [--samples <dir>]   (PNG copies of every variant, to look at)
 */

const samplesArg = process.argv.indexOf('--samples');
const samples = samplesArg > 0 ? process.argv[samplesArg + 1] : undefined;
const inspector = createSharpImageInspector();

const here = dirname(fileURLToPath(import.meta.url));
const langPath = join(here, '../node_modules/@tesseract.js-data/eng/4.0.0');

interface Variant {
  name: string;
  options: SceneOptions;
}

const sweeps: Record<string, Variant[]> = {
  defocus: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8].map((blur) => ({
    name: `blur σ=${blur}`,
    options: { blur, angle: 0 },
  })),
  glare: [0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3].map((glare) => ({
    name: `glare r=${glare}`,
    options: { glare },
  })),
  exposure: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1, 1.4, 2, 2.5, 3, 4, 5].map((exposure) => ({
    name: `gain ×${exposure}`,
    options: { exposure, angle: 0 },
  })),
  contrast: [0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.6, 1].map((contrast) => ({
    name: `contrast ×${contrast}`,
    options: { contrast, angle: 0 },
  })),
  'dim and blurred': [
    { name: 'gain ×0.4 σ=0', options: { exposure: 0.4 } },
    { name: 'gain ×0.4 σ=4', options: { exposure: 0.4, blur: 4 } },
    { name: 'contrast ×0.3 σ=0', options: { contrast: 0.3 } },
    { name: 'contrast ×0.3 σ=4', options: { contrast: 0.3, blur: 4 } },
    { name: 'noise 8 σ=0', options: { noise: 8 } },
    { name: 'noise 8 σ=4', options: { noise: 8, blur: 4 } },
  ],
  'card angle': [0, 5, 10, 15, 20, 30, 45].map((angle) => ({ name: `angle ${angle}°`, options: { angle } })),
  'no card': [1, 2, 3].map((seed) => ({ name: `table seed ${seed}`, options: { card: false, seed } })),
  'no card, degraded': [
    { name: 'table σ=6', options: { card: false, blur: 6 } },
    { name: 'table gain ×2', options: { card: false, exposure: 2 } },
    { name: 'table noise 10', options: { card: false, noise: 10 } },
  ],
};

/** Sweeps rendered square to the frame, so the MRZ can be cut out and read. */
const READ_MRZ = new Set(['defocus', 'exposure', 'contrast']);

let ocr: Awaited<ReturnType<typeof createWorker>> | undefined;

/** Share of the MRZ's characters the legacy engine reads right, position by position. */
async function mrzAccuracy(photo: Buffer): Promise<number> {
  if (!ocr) {
    ocr = await createWorker('eng', OEM.TESSERACT_ONLY, { langPath, cacheMethod: 'none', gzip: true });
    await ocr.setParameters({
      tessedit_char_whitelist: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<',
      tessedit_pageseg_mode: PSM.SINGLE_BLOCK,
    });
  }
  const crop = await sharp(photo).extract(mrzBox()).greyscale().png().toBuffer();
  const { data } = await ocr.recognize(crop);
  const lines = data.text
    .split('\n')
    .map((line) => line.replace(/\s/g, ''))
    .filter((line) => line.length > 10);
  let right = 0;
  MRZ.forEach((expected, i) => {
    const read = lines[i] ?? '';
    for (let c = 0; c < expected.length; c++) if (read[c] === expected[c]) right++;
  });
  return right / MRZ.join('').length;
}

const fixed = (value: number, digits: number) => value.toFixed(digits).padStart(7);

function row(name: string, metrics: ImageMetrics, verdict: string, extra = ''): string {
  const doc = metrics.document;
  const docText = doc
    ? `${fixed(doc.share, 3)} ${fixed(doc.rectangularity, 3)} ${fixed(doc.separation, 1)}${isDocumentRegion(doc) ? '' : ' ✗'}`
    : '   (none)';
  return `${name.padEnd(20)} ${fixed(metrics.brightness, 1)} ${fixed(metrics.contrast, 1)} ${fixed(metrics.clipped, 3)} ${fixed(metrics.sharpness, 4)} ${fixed(metrics.glare, 4)}  ${docText.padEnd(28)} ${verdict.padEnd(12)} ${extra}`;
}

if (samples) mkdirSync(samples, { recursive: true });
console.log(
  `${'variant'.padEnd(20)} ${'bright'.padStart(7)} ${'contr'.padStart(7)} ${'clip'.padStart(7)} ${'sharp'.padStart(7)} ${'glare'.padStart(7)}  ${'doc share  rect    sep'.padEnd(28)} verdict`,
);
for (const [sweep, variants] of Object.entries(sweeps)) {
  console.log(`\n# ${sweep}`);
  for (const variant of variants) {
    const photo = await documentPhoto(variant.options);
    const accepted = await inspector.intake(photo, { contentType: 'image/jpeg', maxBytes: 5 * 1024 * 1024 });
    if (!accepted.ok) {
      console.log(`${variant.name.padEnd(20)} intake refused: ${accepted.reason} (${accepted.detail})`);
      continue;
    }
    const grey = await greyForAnalysis(accepted.image);
    const metrics: ImageMetrics = {
      width: accepted.width,
      height: accepted.height,
      ...measure(grey, 'document'),
    };
    const verdict = judgeUsability(metrics, 'document');
    const extra = READ_MRZ.has(sweep) ? `MRZ read ${(100 * (await mrzAccuracy(photo))).toFixed(1)}%` : '';
    console.log(row(variant.name, metrics, verdict.usable ? 'usable' : verdict.reason, extra));
    if (samples) {
      const file = `${sweep}-${variant.name}`.replace(/[^a-z0-9.]+/gi, '-');
      writeFileSync(join(samples, `${file}.png`), await sharp(photo).resize(800).png().toBuffer());
    }
  }
}
await ocr?.terminate();

// Time: a 12 MP phone photo, intake (full decode, orient, re-encode) then usability.
const big = await documentPhoto({ width: 4_000, height: 3_000 });
const timings = { intake: [] as number[], usability: [] as number[] };
for (let i = 0; i < 6; i++) {
  let start = performance.now();
  const accepted = await inspector.intake(big, { contentType: 'image/jpeg', maxBytes: 5 * 1024 * 1024 });
  timings.intake.push(performance.now() - start);
  if (!accepted.ok) throw new Error(`12 MP photo refused: ${accepted.detail}`);
  start = performance.now();
  await inspector.usability(accepted.image, 'document');
  timings.usability.push(performance.now() - start);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
console.log(
  `\n12 MP photo (${(big.length / 1e6).toFixed(1)} MB), ${availableParallelism()} cores, libvips threads ${sharp.concurrency()}: ` +
    `intake ${median(timings.intake).toFixed(0)} ms, usability ${median(timings.usability).toFixed(0)} ms (median of 6, first run included)`,
);
