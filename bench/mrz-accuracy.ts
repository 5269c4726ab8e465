// node bench/mrz-accuracy.ts [count] [--verbose]: the offline MRZ engine's accuracy and speed on
// synthetic documents in mixed conditions (TD3 and TD1, right-angle and small rotations, blur, JPEG,
// low resolution). Prints exact / valid / wrong-but-valid counts and the median time an image.
// A script, not a test: it asserts nothing and writes nothing.
import { performance } from 'node:perf_hooks';
import { createTesseractMrzReader } from '#adapters/tesseract-mrz-reader';
import type { MrzReading } from '#domain/mrz';
import {
  type CaptureOptions,
  renderIdCard,
  renderPassport,
  type SyntheticDocument,
  seededRandom,
} from '../test/support/synthetic-documents.ts';

const count = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 30);
const verbose = process.argv.includes('--verbose');

/** Conditions for document `i`, drawn from a fixed seed so every run measures the same set. */
function conditions(i: number): CaptureOptions & { kind: 'TD3' | 'TD1' } {
  const random = seededRandom(9000 + i);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const options: CaptureOptions & { kind: 'TD3' | 'TD1' } = {
    kind: random() < 0.65 ? 'TD3' : 'TD1',
    rotation: pick([0, 0, 0, 180, 180, 90, 270, 2, -3, 5]),
    scale: pick([1, 1, 0.8, 0.65]),
    margin: pick([0, 0, 40]),
  };
  const blur = pick([0, 0, 0.7, 1.1]);
  if (blur) options.blur = blur;
  const quality = pick([0, 90, 75, 60]);
  if (quality) options.jpegQuality = quality;
  return options;
}

/** Wrong where a check digit vouches for it (names and state codes have none). */
function checkedDataWrong(reading: MrzReading, document: SyntheticDocument): boolean {
  return (
    reading.fields.documentNumber !== document.fields.documentNumber ||
    reading.fields.birthDate !== document.fields.birthDate ||
    reading.fields.expirationDate !== document.fields.expirationDate ||
    (reading.fields.personalNumber ?? '') !== (document.fields.personalNumber ?? '')
  );
}

function sameData(reading: MrzReading, document: SyntheticDocument): boolean {
  return reading.lines.join('\n') === document.lines.join('\n');
}

const reader = createTesseractMrzReader({ clock: { now: () => new Date('2026-01-01T00:00:00Z') } });
const warm = performance.now();
await reader.read((await renderPassport({ seed: 1 })).image);
console.log(`worker start and first read: ${Math.round(performance.now() - warm)} ms`);

let exact = 0;
let valid = 0;
let wrongButValid = 0;
let misreadUnchecked = 0;
let none = 0;
const times: number[] = [];
// CPU time (this process, the OCR worker thread included): steadier than wall time on a shared machine.
const cpuTimes: number[] = [];
for (let i = 0; i < count; i++) {
  const { kind, ...capture } = conditions(i);
  const document =
    kind === 'TD3'
      ? await renderPassport({ seed: 100 + i, ...capture })
      : await renderIdCard({ seed: 100 + i, ...capture });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const reading = await reader.read(document.image);
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  times.push(elapsed);
  cpuTimes.push((cpu.user + cpu.system) / 1000);
  const isExact = reading !== undefined && sameData(reading, document);
  if (isExact) exact++;
  if (reading?.valid) valid++;
  if (reading?.valid && !isExact && checkedDataWrong(reading, document)) wrongButValid++;
  else if (reading?.valid && !isExact) misreadUnchecked++;
  if (!reading) none++;
  if (verbose || (reading && !(isExact && reading.valid))) {
    const outcome = !reading
      ? 'none'
      : isExact
        ? reading.valid
          ? 'exact'
          : 'exact, not vouched for'
        : reading.valid
          ? 'WRONG-BUT-VALID'
          : 'invalid';
    console.log(`#${i} ${kind} ${JSON.stringify(capture)} ${Math.round(elapsed)} ms: ${outcome}`);
    if (reading && !isExact)
      console.log(`   expected ${document.lines.join(' ')}\n   read     ${reading.lines.join(' ')}`);
  }
}
await reader.close();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length
    ? ((sorted[(sorted.length - 1) >> 1] ?? 0) + (sorted[sorted.length >> 1] ?? 0)) / 2
    : 0;
}
console.log(
  `${count} documents: ${exact} exact, ${valid} valid, ${wrongButValid} wrong-but-valid, ` +
    `${misreadUnchecked} valid with a misread name or state, ${none} none; ` +
    `an image: median ${Math.round(median(times))} ms wall (max ${Math.round(Math.max(...times))}), ` +
    `median ${Math.round(median(cpuTimes))} ms CPU (max ${Math.round(Math.max(...cpuTimes))})`,
);
