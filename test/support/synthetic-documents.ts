import sharp from 'sharp';
import { type MrzLineFields, mrzLines } from '#domain/mrz';
import type { CONFIRMED_FIELDS } from '#domain/printed-fields';
import { seededRandom } from './seeded-random.ts';

type ConfirmedField = (typeof CONFIRMED_FIELDS)[number];

/**
 * Synthetic identity documents for tests and benchmarks: a TD3 passport data page and a TD1 ID card
 * (front and back), drawn as SVG and rendered with sharp, with valid MRZ lines and seeded random data,
 * so a test can make N distinct documents and know what each should read.
 *
 * The MRZ is set in OCR-B (Debian's `fonts-ocr-b`) on the ICAO grid of 2.54 mm a character, each
 * character placed on its own, so the grid holds whatever font fontconfig substitutes when OCR-B is
 * missing (DejaVu Sans Mono, then any monospace font).
 */

export interface CaptureOptions {
  /** Clockwise degrees: right angles turn the image losslessly, others on a dark background. */
  rotation?: number;
  /** Gaussian blur sigma (0.3–1000); none when absent. */
  blur?: number;
  /** JPEG quality (1–100); PNG when absent. */
  jpegQuality?: number;
  /** Resize factor applied to the rendered document (e.g. 0.6 for a low-resolution photo). */
  scale?: number;
  /** Pixels of dark background around the document, as in a photo of a card on a table. */
  margin?: number;
}

export interface DocumentOptions extends CaptureOptions {
  /** Picks the holder's data; the same seed always gives the same document. */
  seed: number;
}

export interface SyntheticDocument {
  /** The page that carries the MRZ (a card's back). */
  image: Buffer;
  fields: MrzLineFields;
  lines: string[];
}

export interface SyntheticCard extends SyntheticDocument {
  /** The card's front: photo and printed data, no MRZ. */
  front: Buffer;
}

export const MRZ_FONT_FAMILY = "'OCR B', 'OCR-B', 'DejaVu Sans Mono', monospace";
const TEXT_FONT_FAMILY = "'DejaVu Sans', sans-serif";

// ── Seeded data ─────────────────────────────────────────────────────────────────────────────────────

export { seededRandom };

const LAST_NAMES = [
  'ERIKSSON',
  'MUSTERMANN',
  'DUPONT',
  'ROSSI',
  'GARCIA LOPEZ',
  'NOWAK',
  'VAN DER BERG',
  'OCONNOR',
  'SMITH',
  'JOHANSEN',
  'KOWALSKI',
  'MARTIN',
  'BAKER',
  'NGUYEN',
  'SCHMIDT',
  'PETROV',
  'MUELLER',
  'FERREIRA',
  'LINDQVIST',
  'HAUGEN',
  'MORENO',
  'DE JONG',
  'TANAKA',
  'WILLIAMS',
  'ZIMMERMANN',
  'QUINN',
  'BJORKLUND',
  'XAVIER',
  'YILMAZ',
  'OKAFOR',
];
const FIRST_NAMES = [
  'ANNA MARIA',
  'ERIKA',
  'JEAN LUC',
  'GIULIA',
  'CARLOS',
  'ZOFIA',
  'PIETER',
  'SIOBHAN',
  'JOHN PAUL',
  'INGRID',
  'TOMASZ',
  'CLAIRE',
  'OLIVER',
  'LINH',
  'KLAUS',
  'OLGA',
  'HANS PETER',
  'BEATRIZ',
  'SVEN',
  'KARI',
  'LUCIA',
  'DAAN',
  'YUKI',
  'GRACE',
  'FRIEDRICH',
  'MAEVE',
  'BO',
  'QUENTIN',
  'AYSE',
  'CHIDI',
];
const STATES = [
  'UTO',
  'D',
  'FRA',
  'GBR',
  'NLD',
  'ITA',
  'ESP',
  'CAN',
  'SWE',
  'POL',
  'AUT',
  'BEL',
  'IRL',
  'NOR',
];
// Document numbers here leave out the letters OCR takes for digits (B D G I O Q S Z), as many issuers
// do. A misread there can pass the check digit (S and 8, G and 6 count the same modulo 10), so the
// reader cannot vouch for such numbers: see the MRZ reader's notes.
const NUMBER_LETTERS = 'ACEFHJKLMNPRTUVWXY';
const DIGITS = '0123456789';

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function characters(random: () => number, length: number, letterShare: number): string {
  let value = '';
  for (let i = 0; i < length; i++) {
    value += random() < letterShare ? pick(random, [...NUMBER_LETTERS]) : pick(random, [...DIGITS]);
  }
  return value;
}

function isoDay(random: () => number, fromYear: number, toYear: number): string {
  const from = Date.UTC(fromYear, 0, 1);
  const to = Date.UTC(toYear, 11, 31);
  return new Date(from + Math.floor(random() * ((to - from) / 86_400_000)) * 86_400_000)
    .toISOString()
    .slice(0, 10);
}

/** The holder and document data for `seed`: same seed, same data. */
export function randomFields(seed: number, format: 'TD1' | 'TD3'): MrzLineFields {
  const random = seededRandom(seed);
  const state = pick(random, STATES);
  const fields: MrzLineFields = {
    format,
    documentCode: format === 'TD3' ? 'P' : pick(random, ['I', 'ID']),
    issuingState: state,
    documentNumber: pick(random, [...NUMBER_LETTERS]) + characters(random, 8, 0.25),
    nationality: random() < 0.85 ? state : pick(random, STATES),
    lastName: pick(random, LAST_NAMES),
    firstName: pick(random, FIRST_NAMES),
    birthDate: isoDay(random, 1950, 2007),
    sex: pick(random, ['M', 'F', 'F', 'M', 'X'] as const),
    expirationDate: isoDay(random, 2027, 2036),
  };
  if (format === 'TD3' && random() < 0.5)
    fields.personalNumber = characters(random, 8 + Math.floor(random() * 7), 0.2);
  if (format === 'TD1' && random() < 0.5) fields.optionalData1 = characters(random, 6, 0.3);
  return fields;
}

// ── Drawing ─────────────────────────────────────────────────────────────────────────────────────────

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** One `<text>` per character, on the fixed MRZ grid. */
function mrzSvg(
  lines: string[],
  x: number,
  firstBaseline: number,
  pitch: number,
  lineGap: number,
  size: number,
) {
  return lines
    .flatMap((line, row) =>
      [...line].map(
        (char, column) =>
          `<text x="${(x + column * pitch).toFixed(1)}" y="${firstBaseline + row * lineGap}" font-size="${size}">${escapeXml(char)}</text>`,
      ),
    )
    .join('');
}

function face(x: number, y: number, width: number, height: number): string {
  const cx = x + width / 2;
  return `
    <rect x="${x}" y="${y}" width="${width}" height="${height}" fill="#c9d3dc" stroke="#7a8794" stroke-width="2"/>
    <path d="M ${x + width * 0.12} ${y + height} Q ${cx} ${y + height * 0.58} ${x + width * 0.88} ${y + height} Z" fill="#4a5866"/>
    <ellipse cx="${cx}" cy="${y + height * 0.4}" rx="${width * 0.25}" ry="${height * 0.22}" fill="#e2b999"/>
    <path d="M ${cx - width * 0.26} ${y + height * 0.36} Q ${cx} ${y + height * 0.08} ${cx + width * 0.26} ${y + height * 0.36} Q ${cx} ${y + height * 0.22} ${cx - width * 0.26} ${y + height * 0.36} Z" fill="#5b3b24"/>
    <ellipse cx="${cx - width * 0.09}" cy="${y + height * 0.39}" rx="${width * 0.03}" ry="${height * 0.015}" fill="#2d2d2d"/>
    <ellipse cx="${cx + width * 0.09}" cy="${y + height * 0.39}" rx="${width * 0.03}" ry="${height * 0.015}" fill="#2d2d2d"/>
    <path d="M ${cx - width * 0.08} ${y + height * 0.52} Q ${cx} ${y + height * 0.56} ${cx + width * 0.08} ${y + height * 0.52}" stroke="#8a4a3a" stroke-width="3" fill="none"/>`;
}

/** Faint wavy lines, as the security print behind a data page. */
function guilloche(width: number, height: number, random: () => number, colour: string): string {
  let paths = '';
  for (let i = 0; i < 14; i++) {
    const y = (height / 14) * i + random() * 20;
    const amplitude = 8 + random() * 18;
    const period = 120 + random() * 160;
    let d = `M 0 ${y.toFixed(1)}`;
    for (let x = 20; x <= width; x += 20) {
      d += ` L ${x} ${(y + amplitude * Math.sin((x / period) * Math.PI * 2)).toFixed(1)}`;
    }
    paths += `<path d="${d}" stroke="${colour}" stroke-width="1.2" fill="none"/>`;
  }
  return paths;
}

function labelled(x: number, y: number, label: string, value: string): string {
  return `<text x="${x}" y="${y}" font-size="15" fill="#55606b">${escapeXml(label)}</text>
    <text x="${x}" y="${y + 28}" font-size="24" font-weight="bold" fill="#1d2329">${escapeXml(value)}</text>`;
}

const printedDate = (iso: string) => {
  const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  return `${iso.slice(8, 10)} ${months[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;
};

function passportSvg(fields: MrzLineFields, lines: string[], random: () => number): string {
  const width = 1250;
  const height = 880;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${TEXT_FONT_FAMILY}">
    <rect width="${width}" height="${height}" fill="#f4f1e8"/>
    ${guilloche(width, 640, random, '#d9e3de')}
    <text x="60" y="70" font-size="30" font-weight="bold" fill="#2a3f5a">PASSPORT · PASSEPORT</text>
    <text x="860" y="70" font-size="22" fill="#2a3f5a">${escapeXml(fields.issuingState)}</text>
    ${face(60, 120, 300, 380)}
    ${labelled(410, 130, 'Type / Type', fields.documentCode)}
    ${labelled(600, 130, 'Code / Code', fields.issuingState)}
    ${labelled(820, 130, 'Passport No. / No. du passeport', fields.documentNumber)}
    ${labelled(410, 205, 'Surname / Nom', fields.lastName)}
    ${labelled(410, 280, 'Given names / Prénoms', fields.firstName)}
    ${labelled(410, 355, 'Nationality / Nationalité', fields.nationality)}
    ${labelled(410, 430, 'Date of birth / Date de naissance', printedDate(fields.birthDate))}
    ${labelled(860, 430, 'Sex / Sexe', fields.sex)}
    ${labelled(410, 505, 'Date of expiry / Date d’expiration', printedDate(fields.expirationDate))}
    ${fields.personalNumber ? labelled(860, 505, 'Personal No.', fields.personalNumber) : ''}
    <path d="M 80 560 C 140 520 180 600 240 550 S 320 540 340 570" stroke="#1d3a7a" stroke-width="2.5" fill="none"/>
    <!-- Paper as a phone photographs it: bright, never clipped (a clipped area is glare to the inspector). -->
    <rect x="0" y="690" width="${width}" height="${height - 690}" fill="#eeece4"/>
    <g font-family="${MRZ_FONT_FAMILY}" fill="#111">${mrzSvg(lines, 66, 770, 25.4, 62, 36)}</g>
  </svg>`;
}

const CARD_WIDTH = 1010;
const CARD_HEIGHT = 638;

function cardFrontSvg(fields: MrzLineFields, random: () => number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}" font-family="${TEXT_FONT_FAMILY}">
    <rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" rx="36" fill="#eef2f6"/>
    ${guilloche(CARD_WIDTH, CARD_HEIGHT, random, '#d6e0ea')}
    <text x="40" y="64" font-size="28" font-weight="bold" fill="#2a3f5a">IDENTITY CARD · ${escapeXml(fields.issuingState)}</text>
    ${face(40, 110, 260, 340)}
    ${labelled(340, 120, 'Surname', fields.lastName)}
    ${labelled(340, 195, 'Given names', fields.firstName)}
    ${labelled(340, 270, 'Date of birth', printedDate(fields.birthDate))}
    ${labelled(700, 270, 'Sex', fields.sex)}
    ${labelled(340, 345, 'Nationality', fields.nationality)}
    ${labelled(340, 420, 'Document No.', fields.documentNumber)}
    ${labelled(700, 420, 'Expiry', printedDate(fields.expirationDate))}
  </svg>`;
}

function cardBackSvg(fields: MrzLineFields, lines: string[], random: () => number): string {
  let bars = '';
  for (let x = 60; x < 560; x += 4 + Math.floor(random() * 6)) {
    bars += `<rect x="${x}" y="200" width="${1 + Math.floor(random() * 3)}" height="90" fill="#2b2b2b"/>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}" font-family="${TEXT_FONT_FAMILY}">
    <rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" rx="36" fill="#eef2f6"/>
    ${guilloche(CARD_WIDTH, 380, random, '#d6e0ea')}
    ${labelled(60, 70, 'Address', `${1 + Math.floor(random() * 200)} MAIN STREET, CAPITAL CITY`)}
    ${labelled(60, 145, 'Issued', `${printedDate(fields.expirationDate).slice(0, 7)}${Number(fields.expirationDate.slice(0, 4)) - 10}`)}
    ${bars}
    <rect x="0" y="420" width="${CARD_WIDTH}" height="${CARD_HEIGHT - 420}" fill="#eceff2"/>
    <g font-family="${MRZ_FONT_FAMILY}" fill="#111">${mrzSvg(lines, 60, 498, 30, 52, 40)}</g>
  </svg>`;
}

/** Renders an SVG and applies the capture conditions. */
export async function capture(svg: string, options: CaptureOptions = {}): Promise<Buffer> {
  let image = sharp(Buffer.from(svg)).flatten({ background: '#ffffff' });
  let buffer = await image.png().toBuffer();
  if (options.scale && options.scale !== 1) {
    const { width = 0 } = await sharp(buffer).metadata();
    buffer = await sharp(buffer)
      .resize({ width: Math.max(1, Math.round(width * options.scale)) })
      .png()
      .toBuffer();
  }
  image = sharp(buffer);
  if (options.blur) image = image.blur(options.blur);
  if (options.margin) {
    image = image.extend({
      top: options.margin,
      bottom: options.margin,
      left: options.margin,
      right: options.margin,
      background: '#3c3c3c',
    });
  }
  buffer = await image.png().toBuffer();
  const rotation = options.rotation ?? 0;
  image = sharp(buffer);
  if (rotation % 360 !== 0) image = image.rotate(rotation, { background: '#3c3c3c' });
  return options.jpegQuality
    ? image.jpeg({ quality: options.jpegQuality }).toBuffer()
    : image.png().toBuffer();
}

/** A TD3 passport data page (1250 × 880 px before scaling): photo, printed data, two MRZ lines of 44. */
export async function renderPassport(options: DocumentOptions): Promise<SyntheticDocument> {
  const fields = randomFields(options.seed, 'TD3');
  const lines = mrzLines(fields);
  const image = await capture(passportSvg(fields, lines, seededRandom(options.seed ^ 0x5eed)), options);
  return { image, fields, lines };
}

/** A TD1 identity card (1010 × 638 px before scaling): the front, and the back with three MRZ lines of 30. */
export async function renderIdCard(options: DocumentOptions): Promise<SyntheticCard> {
  const fields = randomFields(options.seed, 'TD1');
  const lines = mrzLines(fields);
  const random = seededRandom(options.seed ^ 0x5eed);
  const front = await capture(cardFrontSvg(fields, random), options);
  const image = await capture(cardBackSvg(fields, lines, random), options);
  return { image, front, fields, lines };
}

// ── Driving licence (no MRZ, no barcode) ────────────────────────────────────────────────────────────

/** What an EU-format driving licence's front prints (ISO/IEC 18013-1 numbers each field). */
export interface LicenceFields {
  /** ISO 3166-1 alpha-3 of the issuing state. */
  country: string;
  /** The distinguishing sign in the flag, e.g. `D`. */
  sign: string;
  /** The state's name as the header prints it. */
  stateName: string;
  /** 1. */
  lastName: string;
  /** 2. */
  firstName: string;
  /** 3., YYYY-MM-DD, printed DD.MM.YYYY with the place of birth. */
  birthDate: string;
  placeOfBirth: string;
  /** 4a., YYYY-MM-DD */
  issueDate: string;
  /** 4b., YYYY-MM-DD */
  expirationDate: string;
  /** 4c. */
  issuingAuthority: string;
  /** 5. */
  licenceNumber: string;
  /** 9. */
  categories: string[];
}

export interface SyntheticLicence {
  /** The front: portrait and the numbered fields; nothing machine-readable. */
  image: Buffer;
  fields: LicenceFields;
}

/** Issuing states of the licences: sign, alpha-3, name as printed (ASCII, as the fonts render it). */
const LICENCE_STATES = [
  { sign: 'D', country: 'DEU', name: 'BUNDESREPUBLIK DEUTSCHLAND' },
  { sign: 'F', country: 'FRA', name: 'REPUBLIQUE FRANCAISE' },
  { sign: 'NL', country: 'NLD', name: 'KONINKRIJK DER NEDERLANDEN' },
  { sign: 'I', country: 'ITA', name: 'REPUBBLICA ITALIANA' },
  { sign: 'E', country: 'ESP', name: 'REINO DE ESPANA' },
  { sign: 'S', country: 'SWE', name: 'SVERIGE' },
  { sign: 'PL', country: 'POL', name: 'RZECZPOSPOLITA POLSKA' },
  { sign: 'A', country: 'AUT', name: 'REPUBLIK OESTERREICH' },
  { sign: 'B', country: 'BEL', name: 'BELGIQUE BELGIE' },
  { sign: 'FIN', country: 'FIN', name: 'SUOMI FINLAND' },
] as const;
const PLACES = [
  'BERLIN',
  'LYON',
  'UTRECHT',
  'NAPOLI',
  'SEVILLA',
  'MALMO',
  'KRAKOW',
  'GRAZ',
  'GENT',
  'TAMPERE',
];
const AUTHORITIES = ['STADT KOELN', 'PREFECTURE DU RHONE', 'RDW', 'MIT-UCO', 'DGT', 'TRANSPORTSTYRELSEN'];
const CATEGORIES = ['AM', 'A1', 'A2', 'A', 'B', 'BE', 'C1', 'C', 'CE', 'L'];

const dotted = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
const addYears = (iso: string, years: number, days = 0) =>
  new Date(
    Date.UTC(Number(iso.slice(0, 4)) + years, Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)) + days),
  )
    .toISOString()
    .slice(0, 10);

/** The holder and licence data for `seed`: same seed, same data. Issued 2017–2025, valid 10 or 15 years. */
/** What a reader should confirm of a licence: the printed fields the product confirms, as drawn. */
export const licenceTruth = (fields: LicenceFields): Record<ConfirmedField, string> => ({
  country: fields.country,
  lastName: fields.lastName,
  firstName: fields.firstName,
  birthDate: fields.birthDate,
  issueDate: fields.issueDate,
  expirationDate: fields.expirationDate,
  documentNumber: fields.licenceNumber,
});

export function randomLicenceFields(seed: number): LicenceFields {
  const random = seededRandom(seed ^ 0x11ce);
  const state = pick(random, LICENCE_STATES);
  const birthDate = isoDay(random, 1950, 2005);
  const issueDate = isoDay(random, Math.max(2017, Number(birthDate.slice(0, 4)) + 18), 2025);
  const categories = CATEGORIES.filter((_, index) => index === 4 || random() < 0.25);
  return {
    country: state.country,
    sign: state.sign,
    stateName: state.name,
    lastName: pick(random, LAST_NAMES),
    firstName: pick(random, FIRST_NAMES),
    birthDate,
    placeOfBirth: pick(random, PLACES),
    issueDate,
    expirationDate: addYears(issueDate, random() < 0.7 ? 15 : 10, -1),
    issuingAuthority: pick(random, AUTHORITIES),
    licenceNumber: pick(random, [...NUMBER_LETTERS]) + characters(random, 9 + Math.floor(random() * 3), 0.3),
    categories,
  };
}

function euFlag(x: number, y: number, sign: string): string {
  let stars = '';
  for (let i = 0; i < 12; i++) {
    const angle = (i / 12) * Math.PI * 2;
    stars += `<circle cx="${(x + 50 + Math.cos(angle) * 26).toFixed(1)}" cy="${(y + 36 + Math.sin(angle) * 26).toFixed(1)}" r="3.2" fill="#ffcc00"/>`;
  }
  return `<rect x="${x}" y="${y}" width="100" height="96" fill="#003399"/>${stars}
    <text x="${x + 50}" y="${y + 88}" font-size="22" font-weight="bold" fill="#ffffff" text-anchor="middle">${escapeXml(sign)}</text>`;
}

/** A numbered field as the licence prints it: the number, then the value, on one line. */
function numbered(x: number, y: number, label: string, value: string, size = 26): string {
  return `<text x="${x}" y="${y}" font-size="20" fill="#55606b">${escapeXml(label)}</text>
    <text x="${x + 48}" y="${y}" font-size="${size}" font-weight="bold" fill="#1d2329">${escapeXml(value)}</text>`;
}

function licenceFrontSvg(fields: LicenceFields, random: () => number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}" font-family="${TEXT_FONT_FAMILY}">
    <rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" rx="36" fill="#f6eef0"/>
    ${guilloche(CARD_WIDTH, CARD_HEIGHT, random, '#ead6dc')}
    ${euFlag(34, 24, fields.sign)}
    <text x="160" y="62" font-size="34" font-weight="bold" fill="#2a3f5a">DRIVING LICENCE</text>
    <text x="160" y="102" font-size="22" fill="#2a3f5a">${escapeXml(fields.stateName)}</text>
    ${face(40, 150, 250, 320)}
    <path d="M 60 540 C 110 500 150 580 200 530 S 260 520 280 550" stroke="#1d3a7a" stroke-width="2.5" fill="none"/>
    ${numbered(320, 175, '1.', fields.lastName)}
    ${numbered(320, 225, '2.', fields.firstName)}
    ${numbered(320, 275, '3.', `${dotted(fields.birthDate)} ${fields.placeOfBirth}`)}
    ${numbered(320, 325, '4a.', dotted(fields.issueDate))}
    ${numbered(590, 325, '4c.', fields.issuingAuthority, 20)}
    ${numbered(320, 375, '4b.', dotted(fields.expirationDate))}
    ${numbered(320, 425, '5.', fields.licenceNumber)}
    <text x="320" y="490" font-size="20" fill="#55606b">7.</text>
    <path d="M 370 490 C 410 450 440 520 480 470 S 540 470 560 495" stroke="#1d3a7a" stroke-width="2.5" fill="none"/>
    ${numbered(320, 560, '9.', fields.categories.join('/'))}
  </svg>`;
}

/**
 * An EU-format driving licence's front (1010 × 638 px before scaling): flag with the distinguishing
 * sign, title and state, portrait, signature and the numbered fields 1–5, 7, 9; no MRZ, no barcode.
 */
export async function renderDrivingLicence(options: DocumentOptions): Promise<SyntheticLicence> {
  const fields = randomLicenceFields(options.seed);
  const image = await capture(licenceFrontSvg(fields, seededRandom(options.seed ^ 0x5eed)), options);
  return { image, fields };
}
