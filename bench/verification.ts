// node bench/verification.ts [--documents N] [--variants clean,blur,…] [--printed N] [--verbose] [--summary FILE]
//
// The verification worker's pipeline, in this process, on generated passports (TD3) and ID cards
// (TD1) in a set of capture conditions: intake (shared/adapters/sharp-image-inspector.ts) → MRZ
// reader (shared/adapters/tesseract-mrz-reader.ts) → decide (shared/domain/decision.ts), side by
// side as shared/use-cases/verify.ts runs them (a card's back, then its front when the back gave no
// valid reading). Reports per variant: MRZ field accuracy, exact and valid readings, and the wrong
// fields reported under APPROVED_VERIFIED (each one printed); the CPU time of each step; documents
// per minute per core; and one verification's AWS cost at list prices (bench/aws-cost.ts).
// bench/README.md has the figures and how they were measured. Writes nothing into the repository.
//
// --printed N (default 48; 0 skips): as many EU-format driving licence fronts, which have no MRZ and no
// barcode, half clean and half photographed on a desk, through intake → MRZ reader (finds nothing)
// → printed-field reader (shared/adapters/tesseract-printed-reader.ts) → decide. Reports the fields
// confirmed right, the single-pass accuracy, APPROVED_VERIFIED and the wrong fields under it, and the
// CPU of each read. `--documents 0` runs the printed documents alone.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createSharpImageInspector } from '#adapters/sharp-image-inspector';
import { createTesseractMrzReader } from '#adapters/tesseract-mrz-reader';
import { createTesseractPrintedReader } from '#adapters/tesseract-printed-reader';
import type { VerificationOutcome } from '#domain/callback';
import { countryOfMrz, decide } from '#domain/decision';
import type { Usability } from '#domain/image-rules';
import { MAX_UPLOAD_BYTES } from '#domain/journey';
import type { MrzLineFields, MrzReading } from '#domain/mrz';
import { agreement, CONFIRMED_FIELDS, type PrintedFields, type PrintedReading } from '#domain/printed-fields';
import type { Clock } from '#use-cases/ports';
import {
  type CaptureOptions,
  type LicenceFields,
  licenceTruth,
  renderDrivingLicence,
  renderIdCard,
  renderPassport,
  seededRandom,
} from '../test/support/synthetic-documents.ts';
import { costOfOneVerification, printCost } from './aws-cost.ts';
import { fixed, median, percent, table } from './report.ts';

/** The issue's aims (issue 8). */
export const VERIFICATION_AIM = {
  cleanFieldAccuracy: 0.99,
  degradedFieldAccuracy: 0.95,
  documentsPerMinutePerCore: 60,
  costPerVerificationUsd: 0.002,
};

/** A fixed day: the documents expire from 2027 on, and a birth year's century follows "now". */
const TODAY = new Date('2026-11-01T00:00:00Z');
const clock: Clock = { now: () => TODAY };

// ── Variants ────────────────────────────────────────────────────────────────────────────────────────

interface Capture {
  options: CaptureOptions;
  /** Applied to the rendered PNG, before the final JPEG encoding. */
  effect?: (image: Buffer, random: () => number) => Promise<Buffer>;
  /** JPEG quality of the photo as uploaded (a phone's camera: 90). */
  quality: number;
}

interface Variant {
  name: string;
  description: string;
  capture(random: () => number, kind: 'TD1' | 'TD3'): Capture;
}

const between = (random: () => number, low: number, high: number) => low + random() * (high - low);
const sign = (random: () => number) => (random() < 0.5 ? -1 : 1);

/** Short sides of the rendered pages (before scaling): synthetic-documents.ts draws them this size. */
const SHORT_SIDE = { TD3: 880, TD1: 638 };

export const VARIANTS: readonly Variant[] = [
  {
    name: 'clean',
    description: 'upright, sharp, JPEG q90',
    capture: () => ({ options: {}, quality: 90 }),
  },
  {
    name: 'blur',
    description: 'gaussian blur σ 0.8–1.3 px',
    capture: (random) => ({ options: { blur: between(random, 0.8, 1.3) }, quality: 90 }),
  },
  {
    name: 'rotated',
    description: '±2–6° on a dark background',
    capture: (random) => ({ options: { rotation: sign(random) * between(random, 2, 6) }, quality: 90 }),
  },
  {
    name: 'upside-down',
    description: '180°',
    capture: () => ({ options: { rotation: 180 }, quality: 90 }),
  },
  {
    name: 'glare',
    description: 'a saturated spot (r 10–16% of the width) on the printed data, not the MRZ',
    capture: () => ({ options: {}, effect: glare, quality: 90 }),
  },
  {
    name: 'dark',
    description: 'exposure × 0.30–0.45',
    capture: () => ({ options: {}, effect: dark, quality: 90 }),
  },
  {
    name: 'jpeg-50',
    description: 'JPEG q45–55',
    capture: (random) => ({ options: {}, quality: Math.round(between(random, 45, 55)) }),
  },
  {
    name: 'low-res',
    description: 'short side 500–600 px (the worker takes ≥ 480; the journey asks 640)',
    capture: (random, kind) => ({
      options: { scale: between(random, 500, 600) / (SHORT_SIDE[kind] ?? 640) },
      quality: 90,
    }),
  },
  {
    name: 'desk',
    description: 'photographed on a desk: 40–120 px of table, ±1–4°, JPEG q80',
    capture: (random) => ({
      options: {
        margin: Math.round(between(random, 40, 120)),
        rotation: sign(random) * between(random, 1, 4),
      },
      quality: 80,
    }),
  },
];

async function glare(image: Buffer, random: () => number): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(image).metadata();
  const radius = Math.round(width * between(random, 0.1, 0.16));
  // Above the MRZ band (the lowest fifth of both layouts): a glare on the MRZ itself is the journey's
  // 2006 GLARE reject, not a reading to score.
  const cx = Math.round(between(random, 0.2, 0.8) * width);
  const cy = Math.round(between(random, 0.15, 0.5) * height);
  const spot = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><radialGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="1"/>
    <stop offset="0.45" stop-color="#fff" stop-opacity="0.95"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>
    <ellipse cx="${cx}" cy="${cy}" rx="${radius}" ry="${Math.round(radius * 0.7)}" fill="url(#g)"/></svg>`;
  return sharp(image)
    .composite([{ input: Buffer.from(spot) }])
    .png()
    .toBuffer();
}

async function dark(image: Buffer, random: () => number): Promise<Buffer> {
  return sharp(image)
    .linear(between(random, 0.3, 0.45), 0)
    .png()
    .toBuffer();
}

// ── One document ────────────────────────────────────────────────────────────────────────────────────

type Kind = 'TD1' | 'TD3';

interface Generated {
  kind: Kind;
  seed: number;
  /** Images in the order the worker reads them: a passport's photo page; a card's back, then front. */
  sides: Buffer[];
  fields: MrzLineFields;
  lines: string[];
  conditions: string;
}

async function generate(variant: Variant, index: number, seed: number): Promise<Generated> {
  const random = seededRandom(seed * 7919);
  const kind: Kind = index % 2 === 0 ? 'TD3' : 'TD1';
  const capture = variant.capture(random, kind);
  const finish = async (png: Buffer) => {
    const image = capture.effect ? await capture.effect(png, random) : png;
    return sharp(image).jpeg({ quality: capture.quality }).toBuffer();
  };
  const conditions = JSON.stringify({ ...capture.options, quality: capture.quality }, (_key, value) =>
    typeof value === 'number' ? Math.round(value * 100) / 100 : value,
  );
  if (kind === 'TD3') {
    const document = await renderPassport({ seed, ...capture.options });
    return { kind, seed, sides: [await finish(document.image)], ...document, conditions };
  }
  const card = await renderIdCard({ seed, ...capture.options });
  return {
    kind,
    seed,
    sides: [await finish(card.image), await finish(card.front)],
    fields: card.fields,
    lines: card.lines,
    conditions,
  };
}

/** The MRZ fields scored, each as the reading names it. */
const SCORED = {
  TD3: [
    'documentCode',
    'issuingState',
    'documentNumber',
    'nationality',
    'lastName',
    'firstName',
    'birthDate',
    'sex',
    'expirationDate',
    'personalNumber',
  ],
  TD1: [
    'documentCode',
    'issuingState',
    'documentNumber',
    'optionalData1',
    'birthDate',
    'sex',
    'expirationDate',
    'nationality',
    'lastName',
    'firstName',
  ],
} as const;

/** Fillers and spacing do not count: `GARCIA<LOPEZ`, `GARCIA LOPEZ` and `D<<`/`D` are each one value. */
const normal = (value: string | undefined) => (value ?? '').replace(/</g, ' ').replace(/\s+/g, ' ').trim();

/** What a correct APPROVED_VERIFIED outcome reports for the document; absent fields as undefined. */
function expectedOutcome(
  kind: Kind,
  fields: MrzLineFields,
): Record<(typeof REPORTED_FIELDS)[number], string | undefined> {
  return {
    idType: kind === 'TD3' ? 'PASSPORT' : 'ID_CARD',
    idCountry: countryOfMrz(fields.issuingState),
    idNumber: fields.documentNumber,
    idFirstName: fields.firstName,
    idLastName: fields.lastName,
    idDob: fields.birthDate,
    idExpiry: fields.expirationDate,
    personalNumber: kind === 'TD3' ? fields.personalNumber : undefined,
    optionalData1: kind === 'TD1' ? fields.optionalData1 : undefined,
    optionalData2: undefined,
    gender: fields.sex === 'X' ? undefined : fields.sex,
    nationality: countryOfMrz(fields.nationality),
  };
}

const REPORTED_FIELDS = [
  'idType',
  'idCountry',
  'idNumber',
  'idFirstName',
  'idLastName',
  'idDob',
  'idExpiry',
  'personalNumber',
  'optionalData1',
  'optionalData2',
  'gender',
  'nationality',
] as const;

interface WrongField {
  field: string;
  expected: string | undefined;
  reported: string;
}

export interface DocumentResult {
  variant: string;
  kind: Kind;
  seed: number;
  conditions: string;
  fieldsExpected: number;
  fieldsRight: number;
  exact: boolean;
  valid: boolean;
  status: string;
  /** Under APPROVED_VERIFIED, every reported field that differs from the document. */
  wrong: WrongField[];
  /** Right fields the customer receives (APPROVED_VERIFIED only). */
  fieldsDelivered: number;
  /** Fields a correct APPROVED_VERIFIED outcome carries for this document. */
  fieldsDeliverable: number;
  usable: boolean;
  unusableReason?: string;
  intakeRefused?: string;
  readLines?: string[];
  expectedLines: string[];
}

/** CPU and wall milliseconds of each call of a step. */
export interface StepSamples {
  cpu: number[];
  wall: number[];
}

export type StepName = 'usability' | 'intake' | 'mrz' | 'decide';
export const STEP_LABELS: Record<StepName, string> = {
  usability: 'usability check (journey capture, per image)',
  intake: 'intake: checks, full decode, normalise (per image)',
  mrz: 'MRZ: find, OCR, repair, parse (per image)',
  decide: 'decide (per document)',
};

async function timed<T>(samples: StepSamples, work: () => Promise<T> | T): Promise<T> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const spent = process.cpuUsage(cpu);
  samples.cpu.push((spent.user + spent.system) / 1000);
  samples.wall.push(performance.now() - wall);
  return result;
}

// ── The run ─────────────────────────────────────────────────────────────────────────────────────────

export interface VerificationBenchOptions {
  documents: number;
  variants: readonly string[];
  verbose?: boolean;
}

export interface VerificationReport {
  results: DocumentResult[];
  steps: Record<StepName, StepSamples>;
  /** CPU ms of the whole worker pipeline (intake + MRZ + decide) for each document. */
  pipelineCpu: number[];
  /** CPU ms of starting the OCR worker and the first read (once per Lambda container). */
  coldStartCpuMs: number;
  coldStartWallMs: number;
  missed: string[];
}

export async function runVerificationBench(options: VerificationBenchOptions): Promise<VerificationReport> {
  const variants = options.variants.map((name) => {
    const variant = VARIANTS.find((candidate) => candidate.name === name);
    if (!variant) {
      throw new Error(`unknown variant ${name}; known: ${VARIANTS.map((one) => one.name).join(', ')}`);
    }
    return variant;
  });
  const perVariant = Math.ceil(options.documents / variants.length);
  const inspector = createSharpImageInspector();
  const reader = createTesseractMrzReader({ clock });
  const steps: Record<StepName, StepSamples> = {
    usability: { cpu: [], wall: [] },
    intake: { cpu: [], wall: [] },
    mrz: { cpu: [], wall: [] },
    decide: { cpu: [], wall: [] },
  };
  const results: DocumentResult[] = [];
  const pipelineCpu: number[] = [];

  // What a Lambda container pays once: the OCR worker's start, its traineddata, the first read.
  const warmWall = performance.now();
  const warmCpu = process.cpuUsage();
  const first = await renderPassport({ seed: 1 });
  const firstIntake = await inspector.intake(first.image, {
    contentType: 'image/png',
    maxBytes: MAX_UPLOAD_BYTES,
  });
  if (firstIntake.ok) await reader.read(firstIntake.image);
  const warmSpent = process.cpuUsage(warmCpu);
  const coldStartCpuMs = (warmSpent.user + warmSpent.system) / 1000;
  const coldStartWallMs = performance.now() - warmWall;

  console.log(
    `Verifying ${perVariant * variants.length} generated documents (${perVariant} per variant, TD3 and TD1 alternating) through intake → MRZ → decide…`,
  );
  try {
    for (const [v, variant] of variants.entries()) {
      const before = results.length;
      for (let k = 0; k < perVariant; k++) {
        const seed = 20_000 + v * 1_000 + k;
        const document = await generate(variant, k, seed);
        results.push(await verifyOne(variant.name, document, { inspector, reader, steps, pipelineCpu }));
        const last = results.at(-1);
        if (last && options.verbose) printDocument(last);
      }
      const mine = results.slice(before);
      const right = mine.reduce((sum, one) => sum + one.fieldsRight, 0);
      const expected = mine.reduce((sum, one) => sum + one.fieldsExpected, 0);
      console.log(
        `  ${variant.name.padEnd(12)} ${percent(right / expected).padStart(4)} of fields, ${mine.filter((one) => one.exact).length}/${mine.length} exact`,
      );
    }
  } finally {
    await reader.close();
  }

  return {
    results,
    steps,
    pipelineCpu,
    coldStartCpuMs,
    coldStartWallMs,
    missed: judge(results, pipelineCpu),
  };
}

interface Engines {
  inspector: ReturnType<typeof createSharpImageInspector>;
  reader: ReturnType<typeof createTesseractMrzReader>;
  steps: Record<StepName, StepSamples>;
  pipelineCpu: number[];
}

/** verify.ts's judge(), step by step with a timer around each. */
async function verifyOne(variant: string, document: Generated, engines: Engines): Promise<DocumentResult> {
  const { inspector, reader, steps } = engines;
  const contentType = 'image/jpeg';
  let usability: Usability | undefined;

  let pipeline = 0;
  const add = (samples: StepSamples) => {
    pipeline += samples.cpu.at(-1) ?? 0;
  };
  let reading: MrzReading | undefined;
  let intakeRefused: string | undefined;
  let outcome: VerificationOutcome | undefined;
  for (const side of document.sides) {
    const intake = await timed(steps.intake, () =>
      inspector.intake(side, { contentType, maxBytes: MAX_UPLOAD_BYTES }),
    );
    add(steps.intake);
    if (!intake.ok) {
      intakeRefused = `${intake.reason}: ${intake.detail}`;
      outcome = { verificationStatus: 'ERROR_NOT_READABLE_ID' };
      break;
    }
    const read = await timed(steps.mrz, () => reader.read(intake.image));
    add(steps.mrz);
    if (read?.valid) {
      reading = read;
      break;
    }
    reading ??= read;
  }
  // The journey's acceptance check on the MRZ page, as the capture call runs it on intake's output
  // (the capture call runs intake too): timed for the capture call's cost, not part of the worker.
  for (const side of document.sides.slice(0, 1)) {
    const intake = await inspector.intake(side, { contentType, maxBytes: MAX_UPLOAD_BYTES });
    usability = intake.ok
      ? await timed(steps.usability, () => inspector.usability(intake.image, 'document'))
      : { usable: false, reason: intake.reason };
  }
  const idType = document.kind === 'TD3' ? 'PASSPORT' : 'ID_CARD';
  outcome ??= await timed(steps.decide, () =>
    decide({
      chosen: { country: countryOfMrz(document.fields.issuingState), idType },
      preset: {},
      mrz: reading,
      today: TODAY.toISOString().slice(0, 10),
    }),
  );
  if (!intakeRefused) add(steps.decide);
  engines.pipelineCpu.push(pipeline);

  // Field accuracy of the reading, whatever its validity.
  const names = SCORED[document.kind];
  const expectedFields = document.fields as unknown as Record<string, string | undefined>;
  const readFields = (reading?.fields ?? {}) as unknown as Record<string, string | undefined>;
  const fieldsRight = names.filter(
    (name) => reading !== undefined && normal(readFields[name]) === normal(expectedFields[name]),
  ).length;
  const exact = reading !== undefined && reading.lines.join('\n') === document.lines.join('\n');
  if (exact && fieldsRight !== names.length) {
    throw new Error(
      `bench bug: seed ${document.seed} read exactly but ${names.length - fieldsRight} fields compare unequal`,
    );
  }

  // What the customer would receive: under APPROVED_VERIFIED, every field must be the document's.
  const wrong: WrongField[] = [];
  let fieldsDelivered = 0;
  const expected = expectedOutcome(document.kind, document.fields);
  const fieldsDeliverable = REPORTED_FIELDS.filter((field) => expected[field] !== undefined).length;
  if (outcome.verificationStatus === 'APPROVED_VERIFIED') {
    const reported = outcome as unknown as Record<string, unknown>;
    for (const field of REPORTED_FIELDS) {
      const value = reported[field];
      if (value === undefined) continue;
      if (normal(String(value)) === normal(expected[field])) fieldsDelivered++;
      else wrong.push({ field, expected: expected[field], reported: String(value) });
    }
  }

  return {
    variant,
    kind: document.kind,
    seed: document.seed,
    conditions: document.conditions,
    fieldsExpected: names.length,
    fieldsRight,
    exact,
    valid: reading?.valid === true,
    status: outcome.verificationStatus,
    wrong,
    fieldsDelivered,
    fieldsDeliverable,
    usable: usability?.usable === true,
    ...(usability && !usability.usable ? { unusableReason: usability.reason } : {}),
    ...(intakeRefused ? { intakeRefused } : {}),
    ...(reading ? { readLines: reading.lines } : {}),
    expectedLines: document.lines,
  };
}

function printDocument(result: DocumentResult): void {
  const outcome = result.exact ? 'exact' : result.valid ? 'valid, not exact' : 'not valid';
  console.log(
    `    ${result.variant} ${result.kind} seed ${result.seed} ${result.conditions}: ${outcome}, ${result.fieldsRight}/${result.fieldsExpected} fields, ${result.status}${result.usable ? '' : ` (journey: ${result.unusableReason})`}${result.intakeRefused ? ` (intake: ${result.intakeRefused})` : ''}`,
  );
  if (!result.exact) {
    console.log(`      expected ${result.expectedLines.join(' ')}`);
    console.log(`      read     ${result.readLines?.join(' ') ?? '(nothing)'}`);
  }
}

const isClean = (variant: string) => variant === 'clean';

function judge(results: readonly DocumentResult[], pipelineCpu: readonly number[]): string[] {
  const missed: string[] = [];
  const accuracy = (of: readonly DocumentResult[]) =>
    of.reduce((sum, one) => sum + one.fieldsRight, 0) / of.reduce((sum, one) => sum + one.fieldsExpected, 0);
  const clean = results.filter((one) => isClean(one.variant));
  const degraded = results.filter((one) => !isClean(one.variant));
  if (clean.length > 0 && !(accuracy(clean) >= VERIFICATION_AIM.cleanFieldAccuracy)) {
    missed.push(
      `MRZ fields right on clean images ${percent(accuracy(clean))} (aim ≥ ${percent(VERIFICATION_AIM.cleanFieldAccuracy)})`,
    );
  }
  for (const variant of new Set(degraded.map((one) => one.variant))) {
    const mine = degraded.filter((one) => one.variant === variant);
    if (!(accuracy(mine) >= VERIFICATION_AIM.degradedFieldAccuracy)) {
      missed.push(
        `MRZ fields right on ${variant} ${fixed(accuracy(mine) * 100, 1)}% (aim ≥ ${percent(VERIFICATION_AIM.degradedFieldAccuracy)})`,
      );
    }
  }
  const wrong = results.reduce((sum, one) => sum + one.wrong.length, 0);
  if (wrong > 0) missed.push(`${wrong} wrong fields reported under APPROVED_VERIFIED (aim 0)`);
  const perMinute = documentsPerMinutePerCore(pipelineCpu);
  if (!(perMinute >= VERIFICATION_AIM.documentsPerMinutePerCore)) {
    missed.push(
      `${fixed(perMinute, 0)} documents verified per minute per core (aim ≥ ${VERIFICATION_AIM.documentsPerMinutePerCore})`,
    );
  }
  return missed;
}

/** From the mean CPU time of the worker's pipeline: a core does 60,000 ms of work a minute. */
export const documentsPerMinutePerCore = (pipelineCpu: readonly number[]) =>
  60_000 / (pipelineCpu.reduce((sum, ms) => sum + ms, 0) / pipelineCpu.length);

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

export function printVerificationReport(report: VerificationReport): void {
  const { results, steps } = report;
  const variants = [...new Set(results.map((one) => one.variant))];
  const rows = variants.map((variant) => {
    const mine = results.filter((one) => one.variant === variant);
    const right = mine.reduce((sum, one) => sum + one.fieldsRight, 0);
    const expected = mine.reduce((sum, one) => sum + one.fieldsExpected, 0);
    const delivered = mine.reduce((sum, one) => sum + one.fieldsDelivered, 0);
    const deliverable = mine.reduce((sum, one) => sum + one.fieldsDeliverable, 0);
    const approved = mine.filter((one) => one.status === 'APPROVED_VERIFIED').length;
    const wrong = mine.reduce((sum, one) => sum + one.wrong.length, 0);
    return [
      variant,
      String(mine.length),
      `${right}/${expected}`,
      `${fixed((right / expected) * 100, 1)}%`,
      `${mine.filter((one) => one.exact).length}`,
      `${mine.filter((one) => one.valid).length}`,
      `${approved}`,
      `${fixed((delivered / deliverable) * 100, 1)}%`,
      String(wrong),
      `${mine.filter((one) => one.usable).length}`,
    ];
  });
  const all = (of: (one: DocumentResult) => number) => results.reduce((sum, one) => sum + of(one), 0);
  rows.push([
    'all',
    String(results.length),
    `${all((one) => one.fieldsRight)}/${all((one) => one.fieldsExpected)}`,
    `${fixed((all((one) => one.fieldsRight) / all((one) => one.fieldsExpected)) * 100, 1)}%`,
    String(results.filter((one) => one.exact).length),
    String(results.filter((one) => one.valid).length),
    String(results.filter((one) => one.status === 'APPROVED_VERIFIED').length),
    `${fixed((all((one) => one.fieldsDelivered) / all((one) => one.fieldsDeliverable)) * 100, 1)}%`,
    String(all((one) => one.wrong.length)),
    String(results.filter((one) => one.usable).length),
  ]);
  console.log(
    `\nVerification accuracy by variant (${results.length} generated documents; the reading's MRZ fields against the document's)\n`,
  );
  console.log(
    table(
      [
        'variant',
        'docs',
        'fields right',
        'accuracy',
        'exact',
        'valid',
        'APPROVED',
        'delivered right',
        'WRONG under APPROVED',
        'journey: usable',
      ],
      rows,
    ),
  );
  console.log(
    [
      '(accuracy: MRZ fields the reader got right, valid reading or not. delivered right: right fields in APPROVED_VERIFIED',
      'outcomes, of the fields a correct outcome carries for every document (idType, idCountry, idNumber, names, dates…).',
      "journey: usable: passed the journey's capture check (intake + usability); it looks for a document against its",
      'surroundings, so a full-frame image is NO_DOCUMENT there: it tells the journey apart, not the worker.)',
    ].join('\n'),
  );
  for (const variant of VARIANTS.filter((one) => variants.includes(one.name))) {
    console.log(`  ${variant.name}: ${variant.description}`);
  }
  const statuses = new Map<string, number>();
  for (const one of results) statuses.set(one.status, (statuses.get(one.status) ?? 0) + 1);
  console.log(
    `Verdicts: ${[...statuses].map(([status, count]) => `${status} ${count}`).join(', ')}; intake refused ${results.filter((one) => one.intakeRefused).length}.`,
  );

  const wrongCases = results.filter((one) => one.wrong.length > 0);
  if (wrongCases.length === 0) {
    console.log('No wrong field was reported under APPROVED_VERIFIED.');
  } else {
    console.log(`\nWRONG FIELDS REPORTED UNDER APPROVED_VERIFIED (${wrongCases.length} documents):`);
    for (const one of wrongCases) {
      console.log(`  ${one.variant} ${one.kind} seed ${one.seed} ${one.conditions}`);
      for (const field of one.wrong) {
        console.log(
          `    ${field.field}: reported ${field.reported}, document has ${field.expected ?? '(none)'}`,
        );
      }
      console.log(`    expected ${one.expectedLines.join(' ')}\n    read     ${one.readLines?.join(' ')}`);
    }
  }

  console.log(
    `\nTime of each step (ms; CPU time of this process, all its threads; ${cpus().length} cores)\n`,
  );
  const stepRows = (Object.keys(STEP_LABELS) as StepName[]).map((name) => [
    STEP_LABELS[name],
    String(steps[name].cpu.length),
    fixed(median(steps[name].cpu), 1),
    fixed(percentile(steps[name].cpu, 95), 1),
    fixed(mean(steps[name].cpu), 1),
    fixed(median(steps[name].wall), 1),
    fixed(percentile(steps[name].wall, 95), 1),
  ]);
  stepRows.push([
    'worker pipeline (intake + MRZ + decide, per document)',
    String(report.pipelineCpu.length),
    fixed(median(report.pipelineCpu), 1),
    fixed(percentile(report.pipelineCpu, 95), 1),
    fixed(mean(report.pipelineCpu), 1),
    '',
    '',
  ]);
  console.log(table(['step', 'calls', 'CPU p50', 'CPU p95', 'CPU mean', 'wall p50', 'wall p95'], stepRows));
  console.log(
    `Once per container: the OCR worker's start and first read, ${fixed(report.coldStartCpuMs, 0)} ms CPU (${fixed(report.coldStartWallMs, 0)} ms wall).`,
  );
  const perMinute = documentsPerMinutePerCore(report.pipelineCpu);
  console.log(
    `\nDocuments verified per minute per core: ${fixed(perMinute, 0)} (60,000 ms / ${fixed(mean(report.pipelineCpu), 0)} ms mean CPU per document); aim ≥ ${VERIFICATION_AIM.documentsPerMinutePerCore}: ${perMinute >= VERIFICATION_AIM.documentsPerMinutePerCore ? 'met' : 'NOT met'}`,
  );

  const costs = costOfOneVerification({
    captureCpuMs: mean(steps.intake.cpu) + mean(steps.usability.cpu),
    workerCpuMs: mean(report.pipelineCpu),
    workerColdStartCpuMs: report.coldStartCpuMs,
    workerImagesPerDocument: steps.intake.cpu.length / report.pipelineCpu.length,
  });
  printCost(costs);
  const dearest = Math.max(...costs.map((cost) => cost.totalUsd));
  console.log(
    `Aim < $${VERIFICATION_AIM.costPerVerificationUsd} per verification (judged on the dearest journey above): ${dearest < VERIFICATION_AIM.costPerVerificationUsd ? 'met' : 'NOT met'}`,
  );
  if (!(dearest < VERIFICATION_AIM.costPerVerificationUsd)) {
    report.missed.push(
      `one verification costs up to $${dearest.toFixed(5)} in AWS (aim < $${VERIFICATION_AIM.costPerVerificationUsd})`,
    );
  }
}

// ── Printed-only documents (driving licence fronts) ─────────────────────────────────────────────────

/** The variants of the printed-only set: a clean scan, and a photo on a desk (the MRZ set's `desk`). */
export const PRINTED_VARIANTS = ['clean', 'desk'] as const;

export interface PrintedResult {
  variant: string;
  seed: number;
  conditions: string;
  /** Of the 7 confirmed fields: right in the first pass alone, and confirmed right (agreed by ≥ 2 passes). */
  firstPassRight: number;
  confirmedRight: number;
  /** Confirmed fields that are wrong (agreed by ≥ 2 passes, none differing, and not the document's). */
  confirmedWrong: number;
  passes: number;
  status: string;
  why?: string;
  /** Under APPROVED_VERIFIED, every reported field that differs from the document. */
  wrong: WrongField[];
  readCpu: number;
  mrzCpu: number;
  pipelineCpu: number;
}

export interface PrintedReport {
  results: PrintedResult[];
  coldStartCpuMs: number;
  missed: string[];
}

function cpuOf<T>(work: () => Promise<T>): Promise<{ result: T; cpu: number }> {
  const start = process.cpuUsage();
  return work().then((result) => {
    const spent = process.cpuUsage(start);
    return { result, cpu: (spent.user + spent.system) / 1000 };
  });
}

export async function runPrintedBench(options: {
  documents: number;
  verbose?: boolean;
}): Promise<PrintedReport> {
  const inspector = createSharpImageInspector();
  const mrzReader = createTesseractMrzReader({ clock });
  const printedReader = createTesseractPrintedReader();
  const results: PrintedResult[] = [];
  const warm = await renderDrivingLicence({ seed: 1 });
  const cold = await cpuOf(() => printedReader.read(warm.image));
  const perVariant = Math.ceil(options.documents / PRINTED_VARIANTS.length);
  console.log(
    `\nReading ${perVariant * PRINTED_VARIANTS.length} generated driving licence fronts (no MRZ, no barcode; ${perVariant} per variant) through intake → MRZ → printed fields → decide…`,
  );
  try {
    for (const [v, variant] of PRINTED_VARIANTS.entries()) {
      const capture = VARIANTS.find((one) => one.name === variant)?.capture;
      if (!capture) throw new Error(`bench bug: no variant ${variant}`);
      for (let k = 0; k < perVariant; k++) {
        const seed = 40_000 + v * 1_000 + k;
        const random = seededRandom(seed * 7919);
        const conditions = capture(random, 'TD1');
        const licence = await renderDrivingLicence({ seed, ...conditions.options });
        const image = await sharp(licence.image).jpeg({ quality: conditions.quality }).toBuffer();
        const intake = await cpuOf(() =>
          inspector.intake(image, { contentType: 'image/jpeg', maxBytes: MAX_UPLOAD_BYTES }),
        );
        if (!intake.result.ok)
          throw new Error(`intake refused licence seed ${seed}: ${intake.result.detail}`);
        const front = intake.result.image;
        const mrz = await cpuOf(() => mrzReader.read(front));
        const read = await cpuOf(async () =>
          mrz.result === undefined ? printedReader.read(front) : undefined,
        );
        const decided = await cpuOf(async () =>
          decide({
            chosen: { country: licence.fields.country, idType: 'DRIVING_LICENSE' },
            preset: {},
            mrz: mrz.result,
            printed: read.result,
            today: TODAY.toISOString().slice(0, 10),
          }),
        );
        const result = scorePrinted(variant, seed, licence.fields, read.result, decided.result);
        results.push({
          ...result,
          conditions: JSON.stringify({ ...conditions.options, quality: conditions.quality }, (_key, value) =>
            typeof value === 'number' ? Math.round(value * 100) / 100 : value,
          ),
          readCpu: read.cpu,
          mrzCpu: mrz.cpu,
          pipelineCpu: intake.cpu + mrz.cpu + read.cpu + decided.cpu,
        });
        const last = results.at(-1);
        if (last && options.verbose) {
          console.log(
            `    ${variant} seed ${seed} ${last.conditions}: ${last.status}${last.why ? ` (${last.why})` : ''}, ${last.confirmedRight}/7 confirmed right, ${last.passes} passes, ${fixed(last.readCpu, 0)} ms CPU`,
          );
        }
      }
    }
  } finally {
    await Promise.all([mrzReader.close(), printedReader.close()]);
  }
  const missed: string[] = [];
  const wrong = results.reduce((sum, one) => sum + one.wrong.length, 0);
  if (wrong > 0) missed.push(`${wrong} wrong printed fields reported under APPROVED_VERIFIED (aim 0)`);
  return { results, coldStartCpuMs: cold.cpu, missed };
}

function scorePrinted(
  variant: string,
  seed: number,
  fields: LicenceFields,
  reading: PrintedReading | undefined,
  outcome: VerificationOutcome,
): Omit<PrintedResult, 'conditions' | 'readCpu' | 'mrzCpu' | 'pipelineCpu'> {
  const truth = licenceTruth(fields);
  const passes: PrintedFields[] = reading?.passes ?? [];
  const first = passes[0] ?? {};
  const { missing, differing } = agreement(passes);
  let confirmedRight = 0;
  let confirmedWrong = 0;
  for (const field of CONFIRMED_FIELDS) {
    if (missing.includes(field) || differing.includes(field)) continue;
    const value = passes.find((pass) => pass[field] !== undefined)?.[field];
    if (value === truth[field]) confirmedRight++;
    else confirmedWrong++;
  }
  const wrong: WrongField[] = [];
  if (outcome.verificationStatus === 'APPROVED_VERIFIED') {
    const expected: Record<string, string> = {
      idType: 'DRIVING_LICENSE',
      idCountry: truth.country,
      idNumber: truth.documentNumber,
      idFirstName: truth.firstName,
      idLastName: truth.lastName,
      idDob: truth.birthDate,
      idExpiry: truth.expirationDate,
    };
    const reported = outcome as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(expected)) {
      if (reported[field] !== value) {
        wrong.push({ field, expected: value, reported: String(reported[field] ?? '(none)') });
      }
    }
  }
  const why =
    differing.length > 0
      ? `DISAGREE ${differing.join(',')}`
      : missing.length > 0
        ? `MISSING ${missing.join(',')}`
        : undefined;
  return {
    variant,
    seed,
    firstPassRight: CONFIRMED_FIELDS.filter((field) => first[field] === truth[field]).length,
    confirmedRight,
    confirmedWrong,
    passes: passes.length,
    status: outcome.verificationStatus,
    ...(reading === undefined ? { why: 'no licence recognised' } : why ? { why } : {}),
    wrong,
  };
}

export function printPrintedReport(report: PrintedReport): void {
  const { results } = report;
  const fieldsOf = (of: readonly PrintedResult[]) => of.length * CONFIRMED_FIELDS.length;
  const sum = (of: readonly PrintedResult[], pick: (one: PrintedResult) => number) =>
    of.reduce((total, one) => total + pick(one), 0);
  const rows = [...PRINTED_VARIANTS, 'all'].map((variant) => {
    const mine = variant === 'all' ? results : results.filter((one) => one.variant === variant);
    return [
      variant,
      String(mine.length),
      `${fixed((sum(mine, (one) => one.firstPassRight) / fieldsOf(mine)) * 100, 1)}%`,
      `${fixed((sum(mine, (one) => one.confirmedRight) / fieldsOf(mine)) * 100, 1)}%`,
      String(sum(mine, (one) => one.confirmedWrong)),
      String(mine.filter((one) => one.status === 'APPROVED_VERIFIED').length),
      String(sum(mine, (one) => one.wrong.length)),
      fixed(median(mine.map((one) => one.readCpu)), 0),
      fixed(
        percentile(
          mine.map((one) => one.readCpu),
          95,
        ),
        0,
      ),
      fixed(mean(mine.map((one) => one.pipelineCpu)), 0),
    ];
  });
  console.log(
    `\nPrinted-only documents: EU-format driving licence fronts (${results.length}; the 7 fields a verified reading reports or checks)\n`,
  );
  console.log(
    table(
      [
        'variant',
        'docs',
        'fields right, 1st pass',
        'fields confirmed right',
        'confirmed wrong',
        'APPROVED',
        'WRONG under APPROVED',
        'read CPU p50',
        'read CPU p95',
        'pipeline CPU mean',
      ],
      rows,
    ),
  );
  console.log(
    [
      '(fields right, 1st pass: what one OCR pass alone reads right. fields confirmed right: read identically by ≥ 2 passes',
      'and otherwise by none, and right. confirmed wrong: so confirmed, and wrong (a shared misread). read CPU: the printed-field',
      "reader's ms per image; pipeline: intake + MRZ reader (which finds nothing) + printed fields + decide, per document.)",
    ].join('\n'),
  );
  const statuses = new Map<string, number>();
  for (const one of results) statuses.set(one.status, (statuses.get(one.status) ?? 0) + 1);
  console.log(`Verdicts: ${[...statuses].map(([status, count]) => `${status} ${count}`).join(', ')}.`);
  const reasons = new Map<string, number>();
  for (const one of results) {
    if (one.why) {
      const key = one.why.split(' ')[0] ?? one.why;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
  }
  console.log(
    `Not confirmed: ${[...reasons].map(([why, count]) => `${why} ${count}`).join(', ') || 'none'}.`,
  );
  const passCounts = new Map<number, number>();
  for (const one of results) passCounts.set(one.passes, (passCounts.get(one.passes) ?? 0) + 1);
  console.log(
    `OCR passes per document: ${[...passCounts]
      .sort(([a], [b]) => a - b)
      .map(([passes, count]) => `${passes}: ${count}`)
      .join(', ')}.`,
  );
  for (const one of results.filter((result) => result.wrong.length > 0)) {
    console.log(`  WRONG under APPROVED: ${one.variant} seed ${one.seed} ${one.conditions}`);
    for (const field of one.wrong)
      console.log(`    ${field.field}: reported ${field.reported}, document has ${field.expected}`);
  }
  console.log(
    `Once per container: the printed reader's OCR worker start and first read, ${fixed(report.coldStartCpuMs, 0)} ms CPU.`,
  );
}

// ── Command line ────────────────────────────────────────────────────────────────────────────────────

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string', default: process.env.BENCH_VERIFY_DOCUMENTS ?? '216' },
      variants: {
        type: 'string',
        default: process.env.BENCH_VERIFY_VARIANTS ?? VARIANTS.map((one) => one.name).join(','),
      },
      printed: { type: 'string', default: process.env.BENCH_VERIFY_PRINTED ?? '48' },
      verbose: { type: 'boolean', default: false },
      summary: { type: 'string' },
    },
  });
  const documents = Number(values.documents);
  if (!Number.isInteger(documents) || documents < 0)
    throw new Error('--documents must be a non-negative integer');
  const printed = Number(values.printed);
  if (!Number.isInteger(printed) || printed < 0) throw new Error('--printed must be a non-negative integer');
  const started = performance.now();
  const missed: string[] = [];
  if (documents > 0) {
    const report = await runVerificationBench({
      documents,
      variants: values.variants.split(',').map((name) => name.trim()),
      verbose: values.verbose,
    });
    printVerificationReport(report);
    missed.push(...report.missed);
  }
  if (printed > 0) {
    const report = await runPrintedBench({ documents: printed, verbose: values.verbose });
    printPrintedReport(report);
    missed.push(...report.missed);
  }
  console.log(`\nVerification bench took ${fixed((performance.now() - started) / 1000, 0)} s.`);
  if (values.summary) writeFileSync(values.summary, JSON.stringify({ missed }));
  if (missed.length > 0) {
    console.error(`\nVerification aims missed: ${missed.join('; ')}.`);
    process.exitCode = 2;
  }
}
