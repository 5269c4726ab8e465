import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * Generated images for the usability checks and their calibration (bench/usability-calibration.ts):
 * an ID-1 card with printed fields, a portrait and an MRZ (OCR-B) lying on a dark wooden table,
 * photographed with sensor noise and JPEG compression, and its degradations (defocus, glare, under-
 * and overexposure, flat light, no card, low resolution), plus malformed files (truncated, mislabelled,
 * random, empty, 1 × 1, a decompression bomb, EXIF-rotated).
 */

export interface SceneOptions {
  /** Frame size in px; 1,600 × 1,200 unless given. */
  width?: number;
  height?: number;
  /** Whether the card is on the table (default true). */
  card?: boolean;
  /** Defocus: gaussian sigma in px of a 1,600-px-wide frame (scaled with the frame). */
  blur?: number;
  /** Radius of a saturated glare spot on the card, as a share of the card's width (0 for none). */
  glare?: number;
  /** Exposure gain applied after the optics, clipped like a sensor (1 = correct). */
  exposure?: number;
  /** Contrast around mid-grey, as haze or flat light gives (1 = unchanged). */
  contrast?: number;
  /** Sensor noise, standard deviation in grey levels (default 3). */
  noise?: number;
  /** Card rotation in degrees (default 4: hand-held photos are never square). */
  angle?: number;
  seed?: number;
}

const BASE_WIDTH = 1_600;

/** Where the MRZ lies in a frame rendered with `angle: 0`, with a margin: for reading it in the calibration. */
export function mrzBox(width = BASE_WIDTH, height = Math.round((width * 3) / 4)) {
  const cw = width * 0.55;
  const ch = cw / 1.586;
  const mm = cw / 85.6;
  const left = (width - cw) / 2;
  const top = (height - ch) / 2;
  return {
    left: Math.round(left + 1 * mm),
    top: Math.round(top + 38.5 * mm),
    width: Math.round(83.6 * mm),
    height: Math.round(14.5 * mm),
  };
}

/** A small deterministic PRNG, so that every run of the tests sees the same pixels. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/** The card's machine-readable zone (TD1), printed in OCR-B. */
export const MRZ = [
  'I<UTOD231458907<<<<<<<<<<<<<<<',
  '7408122F1204159UTO<<<<<<<<<<<6',
  'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
];

function sceneSvg(width: number, height: number, options: SceneOptions, random: () => number): string {
  const grain = Array.from({ length: 40 }, () => {
    const y = random() * height;
    const h = 2 + random() * 18;
    const shade = random() < 0.5 ? '#4a3a2e' : '#1d1713';
    return `<rect x="0" y="${y.toFixed(1)}" width="${width}" height="${h.toFixed(1)}" fill="${shade}" opacity="${(0.2 + random() * 0.4).toFixed(2)}"/>`;
  }).join('');
  const table = `<rect width="${width}" height="${height}" fill="#2e2520"/>${grain}`;
  if (options.card === false) return svg(width, height, table);

  // An ID-1 card (85.6 × 54 mm) filling 55% of the frame's width.
  const cw = width * 0.55;
  const ch = cw / 1.586;
  const mm = cw / 85.6;
  const fields = [
    ['SURNAME', 'ERIKSSON'],
    ['GIVEN NAMES', 'ANNA MARIA'],
    ['DATE OF BIRTH', '12 08 1974'],
    ['DOCUMENT NO', 'D23145890'],
    ['EXPIRY', '15 04 2032'],
  ]
    .map(
      ([label, value], i) =>
        `<text x="${30 * mm}" y="${(14 + i * 6.2) * mm}" font-family="DejaVu Sans" font-size="${1.6 * mm}" fill="#4b5a66">${label}</text>` +
        `<text x="${30 * mm}" y="${(16.8 + i * 6.2) * mm}" font-family="DejaVu Sans" font-weight="bold" font-size="${2.6 * mm}" fill="#1c1c1c">${value}</text>`,
    )
    .join('');
  const mrz = MRZ.map(
    (line, i) =>
      `<text x="${3 * mm}" y="${(43 + i * 4.3) * mm}" font-family="OCR B" font-size="${3.3 * mm}" fill="#111" textLength="${79.6 * mm}">${line.replaceAll('<', '&lt;')}</text>`,
  ).join('');
  const card =
    `<rect width="${cw}" height="${ch}" rx="${3 * mm}" fill="#e4ebe6"/>` +
    `<rect width="${cw}" height="${8 * mm}" fill="#2f6a8f"/>` +
    `<text x="${3 * mm}" y="${5.6 * mm}" font-family="DejaVu Sans" font-weight="bold" font-size="${3.6 * mm}" fill="#fff">UTOPIA · IDENTITY CARD</text>` +
    `<rect x="${3 * mm}" y="${11 * mm}" width="${24 * mm}" height="${28 * mm}" fill="#9aa6ad"/>` +
    `<ellipse cx="${15 * mm}" cy="${22 * mm}" rx="${6.5 * mm}" ry="${8 * mm}" fill="#c9a58a"/>` +
    `<rect x="${5 * mm}" y="${31 * mm}" width="${20 * mm}" height="${8 * mm}" rx="${4 * mm}" fill="#3c4650"/>` +
    fields +
    `<rect x="${64 * mm}" y="${30 * mm}" width="${18 * mm}" height="${8 * mm}" fill="none" stroke="#2f6a8f" stroke-width="${0.4 * mm}"/>` +
    mrz;
  const glare = options.glare
    ? `<defs><radialGradient id="glare"><stop offset="0" stop-color="#fff" stop-opacity="1"/><stop offset="0.7" stop-color="#fff" stop-opacity="1"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>` +
      `<circle cx="${cw * 0.62}" cy="${ch * 0.45}" r="${options.glare * cw}" fill="url(#glare)"/>`
    : '';
  const angle = options.angle ?? 4;
  const placed = `<g transform="translate(${(width - cw) / 2} ${(height - ch) / 2}) rotate(${angle} ${cw / 2} ${ch / 2})">${card}${glare}</g>`;
  return svg(width, height, table + placed);
}

const svg = (width: number, height: number, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;

/** The photographed scene as raw RGB pixels. */
async function sceneRaw(options: SceneOptions): Promise<{ data: Buffer; width: number; height: number }> {
  const width = options.width ?? BASE_WIDTH;
  const height = options.height ?? Math.round((width * 3) / 4);
  const random = prng(options.seed ?? 7);
  let pipeline = sharp(Buffer.from(sceneSvg(width, height, options, random))).removeAlpha();
  const sigma = (options.blur ?? 0) * (width / BASE_WIDTH);
  if (sigma >= 0.3) pipeline = sharp(await pipeline.png().toBuffer()).blur(sigma);
  const gain = options.exposure ?? 1;
  const contrast = options.contrast ?? 1;
  if (gain !== 1 || contrast !== 1) {
    // Contrast around mid-grey, then the exposure gain; the sensor clips at 0 and 255.
    pipeline = sharp(await pipeline.png().toBuffer()).linear(contrast * gain, 128 * (1 - contrast) * gain);
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const noise = options.noise ?? 3;
  if (noise > 0) {
    for (let i = 0; i < data.length; i++) {
      // Sum of three uniforms: close enough to gaussian for sensor noise.
      const n = (random() + random() + random() - 1.5) * 2 * noise;
      data[i] = Math.max(0, Math.min(255, Math.round((data[i] as number) + n)));
    }
  }
  return { data, width: info.width, height: info.height };
}

/** A JPEG photo of the scene, as a phone would upload it. */
export async function documentPhoto(options: SceneOptions = {}): Promise<Buffer> {
  const { data, width, height } = await sceneRaw(options);
  return sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** The same scene as a PNG (a screenshot or a scanner's output). */
export async function documentPng(options: SceneOptions = {}): Promise<Buffer> {
  const { data, width, height } = await sceneRaw(options);
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/**
 * The card photographed with the phone held sideways, as cameras store it: the pixels turned a
 * quarter anticlockwise (`height` × `width`) with EXIF orientation 6, which tells the reader to turn
 * them back clockwise. Read correctly it is `upright`, `width` × `height`.
 */
export async function exifRotatedPhoto(
  width = 1_600,
  height = 1_200,
): Promise<{ stored: Buffer; upright: Buffer }> {
  const upright = await documentPhoto({ width, height });
  const turned = await sharp(upright).rotate(-90).raw().toBuffer({ resolveWithObject: true });
  const stored = await sharp(turned.data, {
    raw: { width: turned.info.width, height: turned.info.height, channels: 3 },
  })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 88 })
    .toBuffer();
  return { stored, upright };
}

/** A clean photo cut short, as an interrupted upload leaves it: the header is intact. */
export async function truncatedJpeg(keep = 0.6): Promise<Buffer> {
  const whole = await documentPhoto();
  return whole.subarray(0, Math.floor(whole.length * keep));
}

export function randomBytes(length: number, seed = 1): Buffer {
  const random = prng(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** JPEG magic bytes followed by garbage: passes a sniff, fails the header. */
export function jpegMagicThenGarbage(length = 4_096): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(length, 3)]);
}

export function onePixelPng(): Promise<Buffer> {
  return sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
}

/** A valid, one-colour PNG of the given size (cheap to make whatever the size: 1-bit grey). */
export function plainPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const row = 1 + Math.ceil(width / 8);
  const pixels = deflateSync(Buffer.alloc(row * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A decompression bomb: a 20,000 × 20,000 PNG (400 MP) in about 50 KB. */
export function pngBomb(side = 20_000): Buffer {
  return plainPng(side, side);
}
