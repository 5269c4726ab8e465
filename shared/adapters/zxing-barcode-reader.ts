import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type sharpModule from 'sharp';
import type { ReaderOptions } from 'zxing-wasm/reader';
import { type AamvaData, parseAamva } from '#domain/aamva';

/**
 * The offline PDF417 engine for the back of North-American driving licences and ID cards: ZXing-C++
 * compiled to WASM (zxing-wasm), its AAMVA payload parsed by shared/domain/aamva.ts.
 *
 *   image ─▶ EXIF-oriented, white under transparency, long side ≤ 2400 px ─▶ for each of 0°, ∓1.5°,
 *   ∓3°: rotate, decode PDF417 (any quarter turn) ─▶ first payload that parses as AAMVA
 *
 * ZXing's PDF417 detector reads a symbol tilted by up to about 2° from any quarter turn, upside down
 * included, and nothing beyond (measured on generated backs: 2° read, 2.5° and 3° not), so small
 * deskews are tried with sharp: ±1.5° and ±3° together reach about ±5°. No separate 180° pass: an
 * upside-down symbol (and one at 178° or 183°, after the deskew) is read where an upright one is, so
 * the pass only added its cost to every image without a barcode.
 *
 * No network: zxing-wasm fetches its `.wasm` from a CDN unless told otherwise, so the bytes are read
 * from node_modules (`zxing-wasm/reader/zxing_reader.wasm`, 1 MB) and handed to the module as
 * `wasmBinary` (`locateFile` too, so nothing falls back to the CDN). In Lambda, zxing-wasm is installed
 * beside the bundle (a function's `nodeModules`), or the file ships alone and `wasmPath` names it.
 */

export interface BarcodeReader {
  /**
   * The AAMVA data of the PDF417 on `image` (JPEG, PNG, WebP…); undefined when there is none or the
   * image cannot be decoded. Throws only when the engine itself cannot be loaded.
   */
  readPdf417(image: Buffer): Promise<AamvaData | undefined>;
}

export interface ZxingBarcodeReaderOptions {
  /** Path of `zxing_reader.wasm`; default: the one in node_modules. */
  wasmPath?: string;
}

/** Clockwise degrees tried in order; ZXing itself reads each within about ±2°, at any quarter turn. */
export const DESKEW_ANGLES = [0, -1.5, 1.5, -3, 3] as const;
/** Larger photos are scaled down: a card filling it keeps 4+ px a module, and decoding time grows with pixels. */
const MAX_SIDE_PX = 2400;
/** Below this short side there is no barcode worth reading. */
const MIN_SIDE_PX = 64;
const MAX_INPUT_PIXELS = 8000 * 8000;

const READER_OPTIONS: ReaderOptions = {
  formats: ['PDF417'],
  tryHarder: true,
  tryRotate: true,
  tryInvert: false,
  tryDownscale: true,
  // Control characters (the AAMVA separators) as they are: the default "HRI" mode spells them `<LF>`.
  textMode: 'Plain',
  maxNumberOfSymbols: 2,
};

type Zxing = typeof import('zxing-wasm/reader');

const require = createRequire(import.meta.url);

export function createBarcodeReader(options: ZxingBarcodeReaderOptions = {}): BarcodeReader {
  let engines: Promise<{ zxing: Zxing; sharp: typeof sharpModule }> | undefined;
  const load = () => {
    engines ??= loadEngines(options).catch((error: unknown) => {
      engines = undefined; // a failed load (a missing .wasm) is retried on the next call
      throw error;
    });
    return engines;
  };

  return {
    async readPdf417(image) {
      // An engine that cannot load (a .wasm missing from the package) throws: the message is
      // retried and lands in the dead-letter queue, rather than every licence reading as nothing.
      const { zxing, sharp } = await load();
      let pixels: Pixels;
      try {
        pixels = await decode(sharp, image);
      } catch {
        return undefined;
      }
      if (Math.min(pixels.width, pixels.height) < MIN_SIDE_PX) return undefined;
      for (const angle of DESKEW_ANGLES) {
        try {
          const found = await readAt(zxing, sharp, pixels, angle);
          if (found) return found;
        } catch {
          // One rotation failing (out of WASM memory on a huge image) leaves the others to try.
        }
      }
      return undefined;
    },
  };
}

async function loadEngines(options: ZxingBarcodeReaderOptions) {
  // Loaded on first use, not imported: esbuild would hoist the externals into any bundle carrying this.
  const [zxing, sharp, wasm] = await Promise.all([
    import('zxing-wasm/reader'),
    import('sharp').then((module) => module.default),
    readFile(options.wasmPath ?? require.resolve('zxing-wasm/reader/zxing_reader.wasm')),
  ]);
  const wasmBinary = wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer;
  await zxing.prepareZXingModule({
    overrides: { wasmBinary, locateFile: (path: string) => path },
    fireImmediately: true,
  });
  return { zxing, sharp };
}

interface Pixels {
  data: Buffer;
  width: number;
  height: number;
}

/** RGBA at the working size, EXIF orientation applied, transparency on white. */
async function decode(sharp: typeof sharpModule, bytes: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
    .rotate()
    .resize({ width: MAX_SIDE_PX, height: MAX_SIDE_PX, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function readAt(
  zxing: Zxing,
  sharp: typeof sharpModule,
  pixels: Pixels,
  angle: number,
): Promise<AamvaData | undefined> {
  const image = angle === 0 ? pixels : await rotate(sharp, pixels, angle);
  const results = await zxing.readBarcodes(
    {
      // sharp's buffers are never shared memory.
      data: new Uint8ClampedArray(
        image.data.buffer as ArrayBuffer,
        image.data.byteOffset,
        image.data.byteLength,
      ),
      width: image.width,
      height: image.height,
      colorSpace: 'srgb',
    },
    READER_OPTIONS,
  );
  for (const result of results) {
    if (!result.isValid) continue;
    const parsed = parseAamva(result.text) ?? parseAamva(Buffer.from(result.bytes).toString('latin1'));
    if (parsed) return parsed;
  }
  return undefined;
}

async function rotate(sharp: typeof sharpModule, pixels: Pixels, angle: number): Promise<Pixels> {
  const { data, info } = await sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: 4 },
  })
    .rotate(angle, { background: '#ffffff' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
