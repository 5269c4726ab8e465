import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { classifyGlyph, type GreyImage, readOcrbGlyphs } from '#adapters/ocrb-classifier';
import { OCRB_GLYPHS } from '#adapters/ocrb-glyphs';
import { DEFAULT_OCRB_FONT, renderOcrbTemplates, templatesModule } from '#adapters/ocrb-render';
import { MRZ_CHARACTERS } from '#domain/mrz';

/**
 * The OCR-B template reader: its committed templates against the installed font, and its reading of
 * MRZ lines drawn the way documents print them (OCR-B on a fixed pitch), in conditions that make
 * tesseract confuse W with N and O with 0. Needs Debian's fonts-ocr-b for the drawings.
 */

const fontInstalled = existsSync(DEFAULT_OCRB_FONT);

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

interface Drawing {
  /** Font size in pixels; the pitch is 25.4/36 of it, as on synthetic-documents.ts's pages. */
  size?: number;
  blur?: number;
  /** Width of a dark band (a table, a background) at each side. */
  border?: number;
  jpegQuality?: number;
}

/** Lines of text on the MRZ grid, each character placed on its own, as a grey image. */
async function drawMrz(lines: string[], drawing: Drawing = {}): Promise<GreyImage> {
  const size = drawing.size ?? 36;
  const pitch = (size * 25.4) / 36;
  const border = drawing.border ?? 0;
  const width = Math.round(Math.max(...lines.map((line) => line.length)) * pitch + size * 2 + border * 2);
  const lineGap = size * 1.7;
  const height = Math.round(lineGap * lines.length + size);
  const text = lines
    .flatMap((line, row) =>
      [...line].map(
        (char, column) =>
          `<text x="${(border + size + column * pitch).toFixed(1)}" y="${(size * 1.2 + row * lineGap).toFixed(1)}" font-size="${size}">${escapeXml(char)}</text>`,
      ),
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="${width}" height="${height}" fill="#eeeeee"/>
    <rect width="${border}" height="${height}" fill="#333333"/>
    <rect x="${width - border}" width="${border}" height="${height}" fill="#333333"/>
    <g font-family="'OCR B'" fill="#111">${text}</g></svg>`;
  let image = sharp(Buffer.from(svg));
  if (drawing.blur) image = sharp(await image.blur(drawing.blur).png().toBuffer());
  if (drawing.jpegQuality) image = sharp(await image.jpeg({ quality: drawing.jpegQuality }).toBuffer());
  const { data, info } = await image.greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

const textOf = (cells: { char: string }[][] | undefined) =>
  cells?.map((row) => row.map((cell) => cell.char).join(''));

const TD3 = ['P<GBRWILLIAMS<<QUENTIN'.padEnd(44, '<'), 'R0C042730<GBR8008046F2711298O0O8S5B2Z<<<<<08'];
/** Every character of the alphabet, and the pairs tesseract confuses side by side. */
const ALPHABET = ['ABCDEFGHIJKLMNOPQRSTUVWXYZ0123', '456789<<WNWN0O0O8B8B5S5S2Z2ZDO'];

describe('OCR-B templates', () => {
  it.skipIf(!fontInstalled)(
    'are what the installed font renders (node shared/adapters/ocrb-render.ts)',
    async () => {
      const fresh = await renderOcrbTemplates();
      for (const char of MRZ_CHARACTERS) {
        expect(Buffer.from(OCRB_GLYPHS[char] ?? '', 'base64'), char).toEqual(Buffer.from(fresh[char] ?? []));
      }
      const committed = readFileSync(
        fileURLToPath(new URL('../../shared/adapters/ocrb-glyphs.ts', import.meta.url)),
        'utf8',
      );
      expect(committed).toBe(templatesModule(fresh, DEFAULT_OCRB_FONT));
    },
  );

  it('hold one distinct glyph for each character of the MRZ alphabet', () => {
    expect(Object.keys(OCRB_GLYPHS).sort()).toEqual([...MRZ_CHARACTERS].sort());
    for (const char of MRZ_CHARACTERS) {
      const template = Buffer.from(OCRB_GLYPHS[char] ?? '', 'base64');
      const reading = classifyGlyph(template);
      expect(reading.char, char).toBe(char);
      expect(reading.score).toBeCloseTo(1, 5);
      // No other template is a near copy: the closest pair (O and 0) still differs.
      const others = [...reading.scores].filter((_, index) => MRZ_CHARACTERS.charAt(index) !== char);
      expect(Math.max(...others), char).toBeLessThan(0.97);
    }
  });
});

describe.skipIf(!fontInstalled)('OCR-B template reader', () => {
  it('reads every character of the alphabet, the confusable pairs included', async () => {
    const cells = readOcrbGlyphs(await drawMrz(ALPHABET), 2, 30);
    expect(textOf(cells)).toEqual(ALPHABET);
  });

  // Under blur, O and 0 differ too little in shape for the correlation alone: the MRZ reader tells
  // them apart by height (the next test) and by field.
  const foldRound = (lines: string[] | undefined) => lines?.map((line) => line.replaceAll('0', 'O'));

  it.each([
    ['small (cap height about 15 px)', { size: 20 }, true],
    ['as the reader scales its crops', { size: 42 }, true],
    ['as a JPEG at quality 50', { size: 36, jpegQuality: 50 }, true],
    ['blurred', { size: 40, blur: 1.2 }, false],
    ['between dark bands of table, blurred', { size: 40, border: 60, blur: 0.7 }, false],
  ] as const)('reads a TD3 MRZ %s', async (_name, drawing, exact) => {
    const cells = readOcrbGlyphs(await drawMrz(TD3, drawing), 2, 44);
    if (exact) expect(textOf(cells)).toEqual(TD3);
    else expect(foldRound(textOf(cells))).toEqual(foldRound(TD3));
    // W against N, the misreading names carry no check digit for, is no close call.
    const w = cells?.[0]?.[5];
    expect(w?.char).toBe('W');
    expect((w?.score ?? 0) - (w?.scores[MRZ_CHARACTERS.indexOf('N')] ?? 1)).toBeGreaterThan(0.15);
  });

  it('measures digits taller than capitals, which tells 0 from O', async () => {
    const cells = readOcrbGlyphs(await drawMrz(['OHOH0808', 'EOE0S5S5'], { size: 40, blur: 1 }), 2, 8);
    const heights = (wanted: string) =>
      (cells ?? []).flat().flatMap((cell) => (cell.char === wanted ? [cell.height] : []));
    const zero = Math.min(...heights('0'), ...heights('8'), ...heights('5'));
    const letters = Math.max(...heights('O'), ...heights('H'), ...heights('E'), ...heights('S'));
    expect(heights('0').length).toBeGreaterThan(0);
    expect(zero).toBeGreaterThan(letters);
  });

  it('reads three lines of a TD1 card, the lowest three rows of text', async () => {
    const lines = [
      'IDSWEN761283907H2W374<<<<<<<<<',
      '7705256<3503203SWE<<<<<<<<<<<3',
      'KOWALSKI<<OLIVER<<<<<<<<<<<<<<',
    ];
    const cells = readOcrbGlyphs(await drawMrz(['PRINTED DATA ABOVE', ...lines], { size: 30 }), 3, 30);
    expect(textOf(cells)).toEqual(lines);
  });
});

describe('OCR-B template reader on what is not an MRZ', () => {
  const grey = (width: number, height: number, value: (x: number, y: number) => number): GreyImage => {
    const data = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
    return { data, width, height };
  };

  it('answers undefined, without throwing', () => {
    expect(
      readOcrbGlyphs(
        grey(800, 120, () => 255),
        2,
        44,
      ),
    ).toBeUndefined();
    expect(
      readOcrbGlyphs(
        grey(800, 120, () => 0),
        2,
        44,
      ),
    ).toBeUndefined();
    expect(
      readOcrbGlyphs(
        grey(10, 10, (x) => (x % 2 ? 0 : 255)),
        2,
        44,
      ),
    ).toBeUndefined();
    expect(readOcrbGlyphs({ data: new Uint8Array(0), width: 0, height: 0 }, 2, 44)).toBeUndefined();
    // One row of marks where two are asked for.
    expect(
      readOcrbGlyphs(
        grey(900, 120, (x, y) => (y > 50 && y < 80 && x % 20 < 8 ? 0 : 255)),
        2,
        44,
      ),
    ).toBeUndefined();
  });

  it('reads noise as glyphs no template matches well', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // Two bands of speckle where an MRZ's two lines would be.
    const band = (y: number) => (y >= 20 && y < 50) || (y >= 80 && y < 110);
    const noise = grey(1000, 140, (_x, y) => (band(y) && random() < 0.3 ? 0 : 255));
    const cells = readOcrbGlyphs(noise, 2, 44);
    expect(cells).toHaveLength(2);
    const scores = (cells ?? []).flat().map((cell) => cell.score);
    expect(Math.max(...scores)).toBeLessThan(0.85);
  });
});
