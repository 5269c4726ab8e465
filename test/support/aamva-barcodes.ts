import bwipjs from 'bwip-js';
import { type AamvaPayloadFields, composeAamva } from '#domain/aamva';
import { type CaptureOptions, capture, randomFields, seededRandom } from './synthetic-documents.ts';

/**
 * Synthetic backs of North-American driving licences and ID cards: an AAMVA payload of seeded data,
 * drawn as PDF417 by bwip-js (error correction level 5, 13 data columns: the shape AAMVA recommends
 * and most issuers print) on an ID-1 card with a little printed text, then captured like the other
 * synthetic documents (rotation, blur, JPEG, scale, margin).
 */

export interface LicenceBackOptions extends CaptureOptions {
  /** Picks the holder's data; the same seed always gives the same card. */
  seed: number;
  /** AAMVA version, 1–10; default 10. */
  version?: number;
  /** Default: picked by the seed, three in four US. */
  country?: 'USA' | 'CAN';
  /** Default `DL`. */
  subfile?: 'DL' | 'ID';
  /** Pixels per PDF417 module on the card as drawn (before `scale`); default 3. */
  moduleWidth?: number;
}

export interface SyntheticLicenceBack {
  image: Buffer;
  /** The exact text in the barcode. */
  payload: string;
  fields: AamvaPayloadFields;
}

interface Jurisdiction {
  state: string;
  iin: string;
  city: string;
  zip: string;
}

/** Jurisdictions with their Issuer Identification Numbers, for plausible headers. */
const US: readonly Jurisdiction[] = [
  { state: 'CA', iin: '636014', city: 'SACRAMENTO', zip: '958140000' },
  { state: 'NY', iin: '636001', city: 'ALBANY', zip: '122070000' },
  { state: 'TX', iin: '636015', city: 'AUSTIN', zip: '787011234' },
  { state: 'FL', iin: '636010', city: 'TALLAHASSEE', zip: '323010000' },
  { state: 'VA', iin: '636000', city: 'RICHMOND', zip: '232690000' },
  { state: 'WA', iin: '636045', city: 'OLYMPIA', zip: '985010000' },
];
const CANADA: readonly Jurisdiction[] = [
  { state: 'ON', iin: '636012', city: 'TORONTO', zip: 'M5V 2T6' },
  { state: 'BC', iin: '636028', city: 'VICTORIA', zip: 'V8W 1A1' },
  { state: 'QC', iin: '604428', city: 'QUEBEC', zip: 'G1R 4S9' },
];
const STREETS = ['MAIN STREET', 'OAK AVENUE', 'WEST BROAD STREET', 'MAPLE DRIVE', 'RUE SAINT-JEAN'];
const MIDDLE_NAMES = ['LEE', 'MARIE', 'JAMES', 'ROSE', 'ALEXANDER'];

const pick = <T>(random: () => number, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)] as T;

/** The card's data for `seed`: the names and dates of `randomFields`, a jurisdiction and an address. */
export function licenceFields(
  seed: number,
  options: Pick<LicenceBackOptions, 'version' | 'country' | 'subfile'> = {},
): AamvaPayloadFields {
  const base = randomFields(seed, 'TD1');
  const random = seededRandom(seed ^ 0x5eed);
  const country = options.country ?? (random() < 0.75 ? 'USA' : 'CAN');
  const place = pick(random, country === 'USA' ? US : CANADA);
  const issueYear = Number(base.expirationDate.slice(0, 4)) - 8;
  const fields: AamvaPayloadFields = {
    subfile: options.subfile ?? 'DL',
    iin: place.iin,
    version: options.version ?? 10,
    documentNumber: base.documentNumber,
    lastName: base.lastName,
    firstName: base.firstName,
    birthDate: base.birthDate,
    expirationDate: base.expirationDate,
    issueDate: `${issueYear}${base.expirationDate.slice(4)}`.replace('-02-29', '-02-28'),
    sex: base.sex,
    state: place.state,
    country,
    street: `${1 + Math.floor(random() * 9000)} ${pick(random, STREETS)}`,
    city: place.city,
    postalCode: place.zip,
  };
  if (random() < 0.5) fields.middleName = pick(random, MIDDLE_NAMES);
  return fields;
}

const CARD_WIDTH = 1010;
const CARD_HEIGHT = 638;

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A PDF417 symbol as PNG, black on white (bwip-js leaves the background transparent otherwise). */
export function pdf417(payload: string, moduleWidth = 3): Promise<Buffer> {
  // PDF417's own options (columns, error correction level) are BWIPP's, outside bwip-js's types.
  const options: bwipjs.RenderOptions & { columns: number; eclevel: number } = {
    bcid: 'pdf417',
    text: payload,
    columns: 13,
    eclevel: 5,
    scale: moduleWidth,
    backgroundcolor: 'FFFFFF',
    paddingwidth: 4,
    paddingheight: 4,
  };
  return bwipjs.toBuffer(options);
}

/** The back of a licence: a header band, the PDF417 across the middle, a line of print under it. */
export async function renderLicenceBack(options: LicenceBackOptions): Promise<SyntheticLicenceBack> {
  const fields = licenceFields(options.seed, options);
  const payload = composeAamva(fields);
  const symbol = await pdf417(payload, options.moduleWidth);
  const { width, height } = pngSize(symbol);
  const x = Math.round((CARD_WIDTH - width) / 2);
  const y = Math.max(90, Math.round((CARD_HEIGHT - height) / 2));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${CARD_WIDTH}" height="${Math.max(CARD_HEIGHT, y + height + 80)}" font-family="'DejaVu Sans', sans-serif">
    <rect width="100%" height="100%" rx="36" fill="#f3f1ea"/>
    <rect x="0" y="0" width="${CARD_WIDTH}" height="70" fill="#2b4f7a"/>
    <text x="40" y="46" font-size="28" fill="#ffffff">${escapeXml(fields.state)} ${fields.subfile === 'ID' ? 'IDENTIFICATION CARD' : 'DRIVER LICENSE'}</text>
    <image x="${x}" y="${y}" width="${width}" height="${height}" xlink:href="data:image/png;base64,${symbol.toString('base64')}"/>
    <text x="40" y="${y + height + 50}" font-size="22" fill="#333">${escapeXml(fields.documentNumber)}  CLASS C  NO RESTRICTIONS</text>
  </svg>`;
  return { image: await capture(svg, options), payload, fields };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
