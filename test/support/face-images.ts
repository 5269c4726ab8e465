import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/**
 * The only real faces available offline: the 120 face thumbnails in @vladmandic/human's demo
 * screenshot (`assets/screenshot-facematch.jpg`, 1920 × 954): the library's author (cells 0–21,
 * sorted by the demo's similarity to cell 0) and other people. Each thumbnail is about 90 × 100 px,
 * with the demo's labels printed over it, so these are small, noisy faces: good for checking that the
 * pipeline runs and ranks, not a benchmark of a real selfie against a real ID.
 *
 * The labels are ours, by eye: `SAME_PERSON` are cells that show the author; `OTHER_PEOPLE` are
 * cells 27–119, none of whom is the author (several of them may be one another, so only pairs with
 * the author count as impostor pairs). Cells 13–16 and 22–26 are left out as unsure.
 */

export const SAME_PERSON: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 17, 18, 19, 20, 21];
export const OTHER_PEOPLE: readonly number[] = Array.from({ length: 93 }, (_, index) => index + 27);

const ROW_TOPS = [284, 396, 508, 620, 732, 844] as const;
const CELL = { pitch: 96, width: 93, height: 104 };

let screenshot: Promise<Buffer> | undefined;

function humanAsset(name: string): Promise<Buffer> {
  const dist = dirname(createRequire(import.meta.url).resolve('@vladmandic/human'));
  return readFile(join(dist, '..', 'assets', name));
}

/**
 * Thumbnail `index` (0–119), enlarged 3× and set on a grey margin: BlazeFace misses faces that fill
 * the whole frame, as these crops do, and a real photo always has some surroundings.
 */
export async function faceCell(index: number): Promise<Buffer> {
  const top = ROW_TOPS[Math.floor(index / 20)];
  if (top === undefined || index < 0) throw new RangeError(`no face cell ${index}`);
  screenshot ??= humanAsset('screenshot-facematch.jpg');
  return sharp(await screenshot)
    .extract({ left: (index % 20) * CELL.pitch + 1, top, width: CELL.width, height: CELL.height })
    .resize(3 * CELL.width, 3 * CELL.height, { kernel: 'lanczos3' })
    .extend({ top: 120, bottom: 120, left: 140, right: 140, background: '#808080' })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** A plain ID-1 card (856 × 540) with `portrait` on its left and grey text bars on its right. */
export async function cardWithPortrait(portrait: Buffer): Promise<Buffer> {
  const photo = await sharp(portrait).resize(260, 330, { fit: 'cover' }).toBuffer();
  const bars = Array.from(
    { length: 6 },
    (_, line) => `<rect x="340" y="${90 + line * 60}" width="${420 - line * 30}" height="22" fill="#555"/>`,
  ).join('');
  const card = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="856" height="540"><rect width="856" height="540" rx="30" fill="#d9e4ec"/>${bars}</svg>`,
  );
  return sharp(card)
    .composite([{ input: photo, left: 50, top: 110 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** `card` photographed whole: small in a 1600 × 1200 frame on a dark table, as a selfie of an ID. */
export async function cardOnTable(card: Buffer): Promise<Buffer> {
  const small = await sharp(card).resize(640).toBuffer();
  return sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#3b2a1e' } })
    .composite([{ input: small, left: 480, top: 400 }])
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** An even grey photo: no face anywhere. */
export function blankPhoto(): Promise<Buffer> {
  return sharp({ create: { width: 800, height: 600, channels: 3, background: '#9a9a9a' } })
    .jpeg()
    .toBuffer();
}

/** Two different people's faces side by side in one frame. */
export async function twoPeople(left: Buffer, right: Buffer): Promise<Buffer> {
  const [a, b] = await Promise.all([left, right].map((face) => sharp(face).resize(512, 560).toBuffer()));
  return sharp({ create: { width: 1024, height: 560, channels: 3, background: '#808080' } })
    .composite([
      { input: a as Buffer, left: 0, top: 0 },
      { input: b as Buffer, left: 512, top: 0 },
    ])
    .jpeg()
    .toBuffer();
}
