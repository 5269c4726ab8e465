// node bench/face-accuracy.ts <dir> [--labels pairs.csv]… [--by-name] [--impostors 4000] [--check 40]
//   [--seed 1] [--verbose] [--cards-out /tmp/cards]
//
// The offline face match (shared/adapters/human-face-matcher.ts) on real photographs of real people:
// every genuine pair and a sample of impostor pairs of a labelled directory, one image as the
// document and another as the selfie, decided by `identityVerification` (shared/domain/identity.ts)
// at its default thresholds, as the verification worker does. Two kinds of document:
// - `photo`: the other photograph itself, as uploaded (the best case: a portrait as sharp as a selfie);
// - `card`:  that photograph printed on an ID-1 card (85.6 × 54 mm) at 300 dpi and captured at 1:1,
//   1016 × 640 px: the head and shoulders cropped to an ID portrait (25 × 32 mm, 297 × 380 px, the
//   detector's face box 65% of its width), grey, softened and faded as a print is, on a plain card
//   with text bars, JPEG quality 55.
// The selfie is always the other photograph as it is. Prints, per kind of document: the decisions
// (MATCH, NO_MATCH, NOT_POSSIBLE and why), true- and false-match rates at the thresholds, the
// similarity distributions, a threshold sweep, faces not found, and CPU per comparison.
//
// Labels, one of:
// - one subfolder per person (images directly in <dir> are ignored): `<dir>/<person>/<any>.jpg`;
// - `--labels file.csv` (repeatable): CSV with columns file_x, file_y and decision (Yes/No), paths
//   relative to <dir> or just file names, as deepface's tests/unit/dataset/master.csv; a person is
//   a connected group of "Yes" pairs, called after its first file; only files named in a CSV are used;
// - `--by-name`: flat files named `<person><digits>` or `<person>_<digits>` (LFW's
//   `George_W_Bush_0001.jpg`, face-api.js's `amy1.png`).
//
// Speed: each image (and its card) is described once with the adapter's own `describe` (the code
// `compare` runs on both images); every pair is then decided from those descriptions, built exactly
// as `compare` builds its `FaceComparison`. `--check N` runs `compare` itself on N pairs (genuine and
// impostor, both kinds of document), fails if any result differs from the derived one, and times
// them: those are the CPU figures per comparison. A script, not a test: it writes nothing, unless
// `--cards-out` names a directory to write the printed cards into (to look at them).
// Images are read from the given directory only: no data set is shipped in this repository.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as Tf from '@tensorflow/tfjs-core';
import type { Config, Human } from '@vladmandic/human';
import sharp from 'sharp';
import { createHumanFaceMatcher, type FaceDescription, humanConfig } from '#adapters/human-face-matcher';
import {
  DEFAULT_IDENTITY_THRESHOLDS,
  type FaceComparison,
  type IdentityResult,
  identityVerification,
} from '#domain/identity';
import { seededRandom } from '../test/support/seeded-random.ts';
import { fixed, median, percent, table } from './report.ts';

// ---------------------------------------------------------------------------------------------
// Pure statistics (exported for a unit test)

/** The value at quantile `q` (0–1) of `values`, linear between ranks; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * Math.min(Math.max(q, 0), 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}

/** Share of `scores` at or above `threshold` (a match at `identityVerification`'s `>=`). */
export function shareAtOrAbove(scores: readonly number[], threshold: number): number {
  if (scores.length === 0) return Number.NaN;
  return scores.filter((score) => score >= threshold).length / scores.length;
}

/**
 * The lowest threshold (on the scores seen) at which at most `maxFalseMatch` of the impostor scores
 * match, and the genuine share that still matches there. With n impostors a rate under 1/n cannot
 * be told from zero: the threshold is then just above the highest impostor score.
 */
export function thresholdForFalseMatch(
  genuine: readonly number[],
  impostor: readonly number[],
  maxFalseMatch: number,
): { threshold: number; trueMatch: number; falseMatch: number } {
  const candidates = [...new Set([...genuine, ...impostor])].sort((a, b) => a - b);
  candidates.push((candidates.at(-1) ?? 1) + 1e-9);
  for (const threshold of candidates) {
    const falseMatch = shareAtOrAbove(impostor, threshold);
    if (falseMatch <= maxFalseMatch) {
      return { threshold, trueMatch: shareAtOrAbove(genuine, threshold), falseMatch };
    }
  }
  return { threshold: Number.NaN, trueMatch: Number.NaN, falseMatch: Number.NaN };
}

/** Where false non-match (1 − true match) and false match are closest: the equal error rate. */
export function equalErrorRate(
  genuine: readonly number[],
  impostor: readonly number[],
): { threshold: number; rate: number } {
  let best = { threshold: Number.NaN, rate: Number.NaN, gap: Number.POSITIVE_INFINITY };
  for (const threshold of [...new Set([...genuine, ...impostor])].sort((a, b) => a - b)) {
    const falseNonMatch = 1 - shareAtOrAbove(genuine, threshold);
    const falseMatch = shareAtOrAbove(impostor, threshold);
    const gap = Math.abs(falseNonMatch - falseMatch);
    if (gap < best.gap) best = { threshold, rate: (falseNonMatch + falseMatch) / 2, gap };
  }
  return { threshold: best.threshold, rate: best.rate };
}

/** Upper bound of the 95% confidence interval of a rate of `k` in `n` (Wilson score). */
export function wilsonUpper(k: number, n: number): number {
  if (n === 0) return Number.NaN;
  const z = 1.96;
  const p = k / n;
  const centre = p + (z * z) / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return Math.min(1, (centre + spread) / (1 + (z * z) / n));
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export const seeded = seededRandom;

/** `count` items of `items` drawn without replacement, in a seeded order; all of them when fewer. */
export function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, Math.min(count, pool.length));
}

/** People as connected groups of "same person" pairs (union-find). */
export function groupsOfSamePairs(pairs: ReadonlyArray<readonly [string, string]>): string[][] {
  const parent = new Map<string, string>();
  const root = (x: string): string => {
    let node = x;
    for (let up = parent.get(node); up !== undefined && up !== node; up = parent.get(node)) node = up;
    parent.set(x, node);
    return node;
  };
  for (const [a, b] of pairs) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    parent.set(root(a), root(b));
  }
  const groups = new Map<string, string[]>();
  for (const file of parent.keys()) groups.set(root(file), [...(groups.get(root(file)) ?? []), file]);
  return [...groups.values()].map((files) => files.sort());
}

// ---------------------------------------------------------------------------------------------
// The data set

interface LabelledImage {
  person: string;
  /** Path relative to the data set directory. */
  name: string;
  path: string;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);
const isImage = (file: string): boolean => IMAGE_EXTENSIONS.has(extname(file).toLowerCase());

async function labelledImages(dir: string, labelFiles: string[], byName: boolean): Promise<LabelledImage[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  if (labelFiles.length > 0) return imagesFromPairLists(dir, labelFiles);
  if (byName) {
    return entries
      .filter((entry) => entry.isFile() && isImage(entry.name))
      .flatMap((entry) => {
        const match = /^(.+?)[_-]?\d+$/.exec(basename(entry.name, extname(entry.name)));
        return match ? [{ person: match[1] as string, name: entry.name, path: join(dir, entry.name) }] : [];
      });
  }
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  if (folders.length === 0) {
    throw new Error(`${dir} has no subfolders: give --labels pairs.csv or --by-name (see the header)`);
  }
  const images: LabelledImage[] = [];
  for (const person of folders.sort()) {
    for (const file of (await readdir(join(dir, person))).filter(isImage).sort()) {
      images.push({ person, name: join(person, file), path: join(dir, person, file) });
    }
  }
  return images;
}

async function imagesFromPairLists(dir: string, labelFiles: string[]): Promise<LabelledImage[]> {
  const same: Array<[string, string]> = [];
  const different: Array<[string, string]> = [];
  const named = new Set<string>();
  for (const file of labelFiles) {
    const [header, ...lines] = (await readFile(file, 'utf8')).split(/\r?\n/).filter((line) => line.trim());
    const columns = (header ?? '').split(',').map((column) => column.trim().toLowerCase());
    const [x, y, decision] = ['file_x', 'file_y', 'decision'].map((column) => columns.indexOf(column));
    if (x === undefined || y === undefined || decision === undefined || [x, y, decision].includes(-1)) {
      throw new Error(`${file}: expected the columns file_x, file_y and decision`);
    }
    for (const line of lines) {
      const cells = line.split(',').map((cell) => cell.trim());
      const a = await resolveImage(dir, cells[x] ?? '');
      const b = await resolveImage(dir, cells[y] ?? '');
      named.add(a).add(b);
      (/^(yes|true|1|same)$/i.test(cells[decision] ?? '') ? same : different).push([a, b]);
    }
  }
  const groups = groupsOfSamePairs(same);
  const personOf = new Map<string, string>();
  // A person is called after the first of their files (in sort order).
  const nameOf = (file: string) => basename(file, extname(file));
  for (const files of groups) for (const file of files) personOf.set(file, nameOf(files[0] as string));
  for (const file of named) if (!personOf.has(file)) personOf.set(file, nameOf(file));
  const conflicts = different.filter(([a, b]) => personOf.get(a) === personOf.get(b));
  if (conflicts.length > 0) {
    throw new Error(
      `the labels contradict each other: ${conflicts.map((pair) => pair.join(' ~ ')).join(', ')}`,
    );
  }
  return [...personOf].map(([name, person]) => ({ person, name, path: join(dir, name) }));
}

/** A CSV's path as a path relative to `dir`: as given when it exists there, else its file name. */
async function resolveImage(dir: string, given: string): Promise<string> {
  const exists = (path: string) =>
    stat(join(dir, path)).then(
      (info) => info.isFile(),
      () => false,
    );
  if (await exists(given)) return given;
  if (await exists(basename(given))) return basename(given);
  throw new Error(`${given}: not found in ${dir}`);
}

// ---------------------------------------------------------------------------------------------
// Where the face is (for the card's portrait crop only): human's detector alone, a second instance
// of the same build the adapter loads (whose file:// model loader it shares).

type Box = [number, number, number, number];

const require = createRequire(import.meta.url);

async function faceLocator(): Promise<(image: Buffer) => Promise<Box | undefined>> {
  const humanDist = dirname(require.resolve('@vladmandic/human'));
  const { Human: HumanClass } = require(join(humanDist, 'human.node-wasm.js')) as {
    Human: new (config?: Partial<Config>) => Human;
  };
  // The adapter's own configuration, the detector alone, at a firmer confidence.
  const base = humanConfig(
    join(humanDist, '..', 'models'),
    dirname(require.resolve('@tensorflow/tfjs-backend-wasm')),
  );
  const config: Partial<Config> = {
    ...base,
    face: {
      ...base.face,
      detector: { ...base.face?.detector, minConfidence: 0.5 },
      mesh: { enabled: false },
      description: { enabled: false },
    },
  };
  const human = new HumanClass(config);
  await human.load();
  const tf = human.tf as typeof Tf;
  return async (image) => {
    const { data, info } = await sharp(image)
      .rotate()
      .resize({ width: 1024, height: 1024, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const upright = await sharp(image).rotate().metadata();
    const long = Math.max(
      upright.autoOrient?.width ?? upright.width,
      upright.autoOrient?.height ?? upright.height,
    );
    const scale = long / Math.max(info.width, info.height);
    const input = tf.tensor3d(data, [info.height, info.width, 3], 'int32');
    try {
      const result = await human.detect(input);
      const largest = [...result.face].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];
      return largest && (largest.box.map((value) => value * scale) as Box);
    } finally {
      tf.dispose(input);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// The printed card

const CARD_WIDTH_PX = 1016; // 85.6 mm at 300 dpi
const CARD_HEIGHT_PX = 640; // 54 mm
const PORTRAIT_WIDTH_PX = 297; // 25 mm
const PORTRAIT_HEIGHT_PX = 380; // 32 mm
/** The face box's width as a share of the portrait's width (ICAO: the head fills 70–80% of its height). */
const FACE_SHARE_OF_PORTRAIT_WIDTH = 0.65;

const CARD_BACKGROUND = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH_PX}" height="${CARD_HEIGHT_PX}">` +
    `<rect width="${CARD_WIDTH_PX}" height="${CARD_HEIGHT_PX}" rx="36" fill="#dfe8ee"/>` +
    `<rect x="40" y="34" width="936" height="70" fill="#9fb6c8"/>` +
    Array.from(
      { length: 7 },
      (_, line) =>
        `<rect x="${380}" y="${150 + line * 58}" width="${560 - (line % 3) * 110}" height="24" fill="#4a4a4a"/>`,
    ).join('') +
    '</svg>',
);

/** `photo` with its face at `box`, printed as an ID card's portrait and captured as the card's front. */
async function printedCard(photo: Buffer, box: Box): Promise<Buffer> {
  const upright = await sharp(photo).rotate().toBuffer({ resolveWithObject: true });
  const { width, height } = upright.info;
  const [x, y, w, h] = box;
  let cropWidth = w / FACE_SHARE_OF_PORTRAIT_WIDTH;
  let cropHeight = (cropWidth * PORTRAIT_HEIGHT_PX) / PORTRAIT_WIDTH_PX;
  const fit = Math.min(1, width / cropWidth, height / cropHeight);
  cropWidth *= fit;
  cropHeight *= fit;
  const clamp = (value: number, max: number) => Math.round(Math.min(Math.max(value, 0), max));
  const left = clamp(x + w / 2 - cropWidth / 2, width - cropWidth);
  const top = clamp(y + h / 2 - cropHeight * 0.48, height - cropHeight);
  const portrait = await sharp(upright.data)
    .extract({ left, top, width: Math.floor(cropWidth), height: Math.floor(cropHeight) })
    .resize(PORTRAIT_WIDTH_PX, PORTRAIT_HEIGHT_PX, { fit: 'fill' })
    .greyscale()
    .blur(0.7)
    .linear(0.8, 30)
    .toColourspace('srgb')
    .png()
    .toBuffer();
  return sharp(CARD_BACKGROUND)
    .composite([{ input: portrait, left: 48, top: 150 }])
    .jpeg({ quality: 55 })
    .toBuffer();
}

// ---------------------------------------------------------------------------------------------
// The run

interface Arguments {
  dir: string;
  labels: string[];
  byName: boolean;
  impostors: number;
  check: number;
  seed: number;
  verbose: boolean;
  /** A directory (outside the repository) to write each printed card into, to look at them. */
  cardsOut?: string;
}

function parseArguments(argv: string[]): Arguments {
  const parsed: Arguments = {
    dir: '',
    labels: [],
    byName: false,
    impostors: 4000,
    check: 40,
    seed: 1,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--labels') parsed.labels.push(value());
    else if (arg === '--by-name') parsed.byName = true;
    else if (arg === '--impostors') parsed.impostors = Number(value());
    else if (arg === '--check') parsed.check = Number(value());
    else if (arg === '--seed') parsed.seed = Number(value());
    else if (arg === '--verbose') parsed.verbose = true;
    else if (arg === '--cards-out') parsed.cardsOut = value();
    else if (!arg.startsWith('--') && parsed.dir === '') parsed.dir = arg;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (parsed.dir === '') {
    throw new Error(
      'usage: node bench/face-accuracy.ts <dir> [--labels pairs.csv]… [--by-name] [--impostors 4000] [--check 40] [--seed 1] [--verbose] [--cards-out dir]',
    );
  }
  return parsed;
}

type DocumentKind = 'photo' | 'card';
const KINDS: readonly DocumentKind[] = ['photo', 'card'];

interface Described {
  image: LabelledImage;
  bytes: Buffer;
  photo: FaceDescription;
  /** Absent when the detector found no face to crop the portrait around. */
  card?: { bytes: Buffer; description: FaceDescription };
}

interface Pair {
  document: number;
  selfie: number;
  genuine: boolean;
}

interface Decided extends Pair {
  kind: DocumentKind;
  comparison: FaceComparison;
  result: IdentityResult;
}

/** What `compare(selfie, document)` answers, from the two images' descriptions (as compare builds it). */
async function comparisonOf(
  selfie: FaceDescription,
  documentImage: FaceDescription,
  similarity: (a: readonly number[], b: readonly number[]) => Promise<number>,
): Promise<FaceComparison> {
  const comparison: FaceComparison = { selfieFaces: selfie.count, documentFaces: documentImage.count };
  if (selfie.largest !== undefined) {
    comparison.selfieFaceWidthPx = selfie.largest.widthPx;
    comparison.selfieFaceShare = selfie.largest.share;
  }
  if (selfie.largest?.embedding && documentImage.largest?.embedding) {
    comparison.similarity = await similarity(selfie.largest.embedding, documentImage.largest.embedding);
  }
  return comparison;
}

/** The decision as one label: MATCH, MATCH (invalid: reason), NO_MATCH, NOT_POSSIBLE (reason). */
function outcomeOf(result: IdentityResult): string {
  const { similarity, validity, reason } = result.identityVerification;
  if (similarity === 'NOT_POSSIBLE') return `NOT_POSSIBLE (${reason ?? 'no face on the document'})`;
  return validity ? similarity : `${similarity}, invalid (${reason})`;
}

const cpuMs = (before: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const images = await labelledImages(args.dir, args.labels, args.byName);
  const people = new Map<string, number>();
  for (const image of images) people.set(image.person, (people.get(image.person) ?? 0) + 1);
  console.log(
    `${args.dir}: ${images.length} images of ${people.size} people ` +
      `(${[...people.values()].filter((n) => n >= 2).length} with 2 or more; images a person: ` +
      `${Math.min(...people.values())}–${Math.max(...people.values())})`,
  );
  const thresholds = DEFAULT_IDENTITY_THRESHOLDS;
  console.log(
    `thresholds (shared/domain/identity.ts): match ≥ ${thresholds.match}, same source ≥ ${thresholds.sameSource}, ` +
      `selfie face ≥ ${thresholds.minSelfieFaceWidthPx} px, whole document < ${thresholds.wholeDocumentFaceShare} of the frame`,
  );

  const matcher = createHumanFaceMatcher();
  const initStarted = performance.now();
  await matcher.ready();
  console.log(`matcher init: ${Math.round(performance.now() - initStarted)} ms`);
  const locate = await faceLocator();

  // Each image and its card described once.
  const described: Described[] = [];
  const describeCpu: number[] = [];
  for (const image of images) {
    const bytes = await readFile(image.path);
    const before = process.cpuUsage();
    const photo = await matcher.describe(bytes);
    describeCpu.push(cpuMs(before));
    const box = await locate(bytes);
    const entry: Described = { image, bytes, photo };
    if (box) {
      const card = await printedCard(bytes, box);
      entry.card = { bytes: card, description: await matcher.describe(card) };
      if (args.cardsOut) {
        const out = join(args.cardsOut, `${image.name.replaceAll('/', '_')}.card.jpg`);
        await mkdir(args.cardsOut, { recursive: true });
        await writeFile(out, card);
      }
    }
    described.push(entry);
    if (args.verbose) {
      const faces = (d: FaceDescription | undefined) =>
        d ? `${d.count} face(s)${d.largest ? `, ${d.largest.widthPx} px` : ''}` : 'no card';
      console.log(
        `  ${image.name} [${image.person}]: photo ${faces(photo)}; card ${faces(entry.card?.description)}`,
      );
    }
  }

  // Pairs: every ordered genuine pair; a seeded sample of the ordered impostor pairs.
  const genuine: Pair[] = [];
  const impostorPool: Pair[] = [];
  described.forEach((a, i) => {
    described.forEach((b, j) => {
      if (i === j) return;
      (a.image.person === b.image.person ? genuine : impostorPool).push({
        document: i,
        selfie: j,
        genuine: a.image.person === b.image.person,
      });
    });
  });
  const random = seeded(args.seed);
  const impostors = sample(impostorPool, args.impostors, random);
  console.log(
    `pairs (ordered: document, selfie): ${genuine.length} genuine (all), ${impostors.length} impostor ` +
      `(${impostors.length === impostorPool.length ? 'all' : `a seeded sample of ${impostorPool.length}`})`,
  );

  const documentDescription = (entry: Described, kind: DocumentKind): FaceDescription =>
    kind === 'photo' ? entry.photo : (entry.card?.description ?? { count: 0 });
  const decided: Decided[] = [];
  for (const kind of KINDS) {
    for (const pair of [...genuine, ...impostors]) {
      const selfie = described[pair.selfie] as Described;
      const document = described[pair.document] as Described;
      const comparison = await comparisonOf(
        selfie.photo,
        documentDescription(document, kind),
        matcher.similarity,
      );
      decided.push({ ...pair, kind, comparison, result: identityVerification(comparison, thresholds) });
    }
  }

  // Faces found.
  const photos = described.map((entry) => entry.photo);
  const cards = described.map((entry) => entry.card?.description ?? { count: 0 });
  const detection = (list: FaceDescription[]) => [
    String(list.filter((d) => d.count === 0).length),
    String(list.filter((d) => d.largest !== undefined && d.largest.embedding === undefined).length),
    String(list.filter((d) => d.count > 1).length),
    String(
      list.filter((d) => (d.largest?.widthPx ?? Number.POSITIVE_INFINITY) < thresholds.minSelfieFaceWidthPx)
        .length,
    ),
    fixed(median(list.flatMap((d) => (d.largest ? [d.largest.widthPx] : []))), 0),
  ];
  console.log(`\nFaces found in the ${described.length} images`);
  console.log(
    table(
      [
        'image',
        'no face',
        'no descriptor',
        '2+ prominent faces',
        `face < ${thresholds.minSelfieFaceWidthPx} px`,
        'median face px',
      ],
      [
        ['photo (selfie, photo document)', ...detection(photos)],
        ['card (printed document)', ...detection(cards)],
      ],
    ),
  );

  // Decisions per kind of document.
  for (const kind of KINDS) {
    const ofKind = decided.filter((d) => d.kind === kind);
    const outcomes = [...new Set(ofKind.map((d) => outcomeOf(d.result)))].sort();
    const count = (genuinePairs: boolean, outcome: string) =>
      ofKind.filter((d) => d.genuine === genuinePairs && outcomeOf(d.result) === outcome).length;
    const totals = [genuine.length, impostors.length];
    console.log(`\nDecisions, document = ${kind} (identityVerification at the default thresholds)`);
    console.log(
      table(
        ['outcome', 'genuine pairs', 'impostor pairs'],
        outcomes.map((outcome) => [
          outcome,
          `${count(true, outcome)} (${percent(count(true, outcome) / (totals[0] || 1))})`,
          `${count(false, outcome)} (${percent(count(false, outcome) / (totals[1] || 1))})`,
        ]),
      ),
    );
    const scores = (genuinePairs: boolean) =>
      ofKind.flatMap((d) =>
        d.genuine === genuinePairs && d.comparison.similarity !== undefined ? [d.comparison.similarity] : [],
      );
    const accepted = (genuinePairs: boolean) =>
      ofKind.filter(
        (d) =>
          d.genuine === genuinePairs &&
          d.result.identityVerification.similarity === 'MATCH' &&
          d.result.identityVerification.validity,
      ).length;
    const [g, i] = [scores(true), scores(false)];
    const acceptedImpostors = accepted(false);
    console.log(
      `true-match rate (MATCH and valid): ${percent(accepted(true) / (genuine.length || 1))} of all genuine pairs, ` +
        `${percent(accepted(true) / (g.length || 1))} of the ${g.length} with a similarity; ` +
        `false-match rate: ${fixed((100 * acceptedImpostors) / (i.length || 1), 2)}% ` +
        `(${acceptedImpostors} of the ${i.length} impostor pairs with a similarity; ` +
        `95% upper bound ${fixed(100 * wilsonUpper(acceptedImpostors, i.length), 2)}%)`,
    );
    const distribution = (values: number[]) => [
      String(values.length),
      ...[0, 0.05, 0.25, 0.5, 0.75, 0.95, 1].map((q) => fixed(quantile(values, q), 3)),
    ];
    console.log(
      table(
        ['similarity', 'n', 'min', 'p5', 'p25', 'median', 'p75', 'p95', 'max'],
        [
          ['genuine', ...distribution(g)],
          ['impostor', ...distribution(i)],
        ],
      ),
    );
    const sweep = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];
    console.log(
      table(
        ['score ≥', ...sweep.map((t) => fixed(t, 2))],
        [
          ['true match', ...sweep.map((t) => percent(shareAtOrAbove(g, t)))],
          ['false match', ...sweep.map((t) => fixed(100 * shareAtOrAbove(i, t), 1))],
        ],
      ),
    );
    const eer = equalErrorRate(g, i);
    const operating = [0.01, 0.001].map((rate) => {
      const at = thresholdForFalseMatch(g, i, rate);
      return `false match ≤ ${fixed(rate * 100, 1)}%: threshold ${fixed(at.threshold, 3)}, true match ${percent(at.trueMatch)}`;
    });
    console.log(
      `(false match in %, of pairs with a similarity) equal error rate ${fixed(eer.rate * 100, 1)}% at ${fixed(eer.threshold, 3)}; ${operating.join('; ')}`,
    );
    const falseMatches = ofKind.filter(
      (d) => !d.genuine && d.result.identityVerification.similarity === 'MATCH',
    );
    const involved = new Map<string, number>();
    for (const d of falseMatches) {
      for (const index of new Set([d.document, d.selfie])) {
        const name = described[index]?.image.name ?? '?';
        involved.set(name, (involved.get(name) ?? 0) + 1);
      }
    }
    if (falseMatches.length > 0) {
      console.log(
        `images in the false matches (pairs): ${[...involved]
          .sort((a, b) => b[1] - a[1])
          .map(([name, n]) => `${name} ${n}`)
          .join(', ')}`,
      );
    }
    const perPerson = [...people.keys()].flatMap((person) => {
      const pairs = ofKind.filter((d) => d.genuine && described[d.selfie]?.image.person === person);
      const matched = pairs.filter(
        (d) => d.result.identityVerification.similarity === 'MATCH' && d.result.identityVerification.validity,
      ).length;
      return pairs.length > 0 ? [`${person} ${matched}/${pairs.length}`] : [];
    });
    console.log(`genuine MATCH per person: ${perPerson.join(', ')}`);
    if (args.verbose) {
      const show = (d: Decided) =>
        `${fixed(d.comparison.similarity ?? Number.NaN, 3)} ${described[d.document]?.image.name} ~ ${described[d.selfie]?.image.name}`;
      const withScore = ofKind.filter((d) => d.comparison.similarity !== undefined);
      const bySimilarity = (a: Decided, b: Decided) =>
        (a.comparison.similarity ?? 0) - (b.comparison.similarity ?? 0);
      console.log(
        'lowest genuine:',
        withScore
          .filter((d) => d.genuine)
          .sort(bySimilarity)
          .slice(0, 8)
          .map(show),
      );
      console.log(
        'highest impostor:',
        withScore
          .filter((d) => !d.genuine)
          .sort(bySimilarity)
          .slice(-8)
          .map(show),
      );
    }
  }

  // compare() itself on a sample: same answers as the derived ones, and its CPU time.
  if (args.check > 0) {
    const chosen = [
      ...sample(
        decided.filter((d) => d.genuine),
        Math.ceil(args.check / 2),
        random,
      ),
      ...sample(
        decided.filter((d) => !d.genuine),
        Math.floor(args.check / 2),
        random,
      ),
    ];
    const cpu: number[] = [];
    const wall: number[] = [];
    let differing = 0;
    for (const d of chosen) {
      const selfie = described[d.selfie] as Described;
      const document = described[d.document] as Described;
      const documentBytes = d.kind === 'photo' ? document.bytes : document.card?.bytes;
      if (documentBytes === undefined) continue;
      const started = performance.now();
      const before = process.cpuUsage();
      const comparison = await matcher.compare(selfie.bytes, documentBytes);
      cpu.push(cpuMs(before));
      wall.push(performance.now() - started);
      const same =
        JSON.stringify({ ...comparison, similarity: comparison.similarity?.toFixed(9) }) ===
        JSON.stringify({ ...d.comparison, similarity: d.comparison.similarity?.toFixed(9) });
      if (!same) {
        differing++;
        console.error(`compare() differs on ${document.image.name} ~ ${selfie.image.name} (${d.kind}):`, {
          compare: comparison,
          derived: d.comparison,
        });
      }
    }
    console.log(
      `\ncompare() on ${cpu.length} pairs: ${differing} differ from the derived results; ` +
        `a comparison: CPU median ${fixed(median(cpu), 0)} ms, p95 ${fixed(quantile(cpu, 0.95), 0)} ms; ` +
        `wall median ${fixed(median(wall), 0)} ms, p95 ${fixed(quantile(wall, 0.95), 0)} ms ` +
        `(describing one image: CPU median ${fixed(median(describeCpu), 0)} ms; ` +
        `${relative(process.cwd(), args.dir) || '.'}, node ${process.version}, ${process.arch})`,
    );
    if (differing > 0) process.exitCode = 1;
  }
}

if (import.meta.main) await main();
