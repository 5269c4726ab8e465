/**
 * The printed fields of a document that has neither an MRZ nor a barcode: an EU-format driving
 * licence's front (ISO/IEC 18013-1 numbers its fields: `1.` surname, `2.` given names, `3.` date and
 * place of birth, `4a.` issue date, `4b.` expiry date, `4c.` issuing authority, `5.` licence number,
 * `9.` categories). Pure: OCR text in, validated values out.
 *
 * Printed text has no check digit, so nothing here vouches for a value the way an MRZ or a PDF417
 * does. Two rules make up for part of that:
 * - Each value is parsed strictly: a date is `DD.MM.YYYY` (or with `/` or `-`, the same separator
 *   twice) and a real calendar day, a name is upper-case letters, spaces, hyphens and apostrophes, a
 *   licence number 5–16 letters and digits with at least one digit and none of the letters OCR
 *   confuses with digits (`parseLicenceNumber`). A value with anything else on
 *   its line is dropped, not repaired: a dropped value can only cost a verdict, a repaired one can
 *   be wrong.
 * - `confirmPrinted`: a value counts only when at least two OCR passes (the offline reader makes two
 *   or three, on differently scaled and contrasted copies of the image) read it, every pass that
 *   read it read it identically, and the dates are consistent with each other and with today.
 *   Anything less and the document is not readable; it is never reported as verified.
 */

export type PrintedLayout = 'EU_DRIVING_LICENCE';

/**
 * Values read from the printed side, each already validated; a name shared with the Textract
 * provider's `PrintedFields` (shared/adapters/textract-document-reader.ts) means the same there.
 */
export interface PrintedFields {
  /** ISO 3166-1 alpha-3 of the issuing state, from the state's name in the header. */
  country?: string;
  /** 1. */
  lastName?: string;
  /** 2. */
  firstName?: string;
  /** 3., YYYY-MM-DD */
  birthDate?: string;
  /** 3., after the date. */
  placeOfBirth?: string;
  /** 4a., YYYY-MM-DD */
  issueDate?: string;
  /** 4b., YYYY-MM-DD */
  expirationDate?: string;
  /** 4c. */
  issuingAuthority?: string;
  /** 5. */
  documentNumber?: string;
  /** 9., e.g. `AM/B/BE`. */
  categories?: string;
}

/** What a printed-field reader answers: the layout it recognised and each independent reading. */
export interface PrintedReading {
  layout: PrintedLayout;
  /** One per OCR pass, each parsed on its own. */
  passes: PrintedFields[];
}

/** The fields a verified printed reading must have, every one confirmed. */
export const CONFIRMED_FIELDS = [
  'country',
  'lastName',
  'firstName',
  'birthDate',
  'issueDate',
  'expirationDate',
  'documentNumber',
] as const satisfies readonly (keyof PrintedFields)[];

export type ConfirmedPrinted = Required<Pick<PrintedFields, (typeof CONFIRMED_FIELDS)[number]>>;

export type Confirmation =
  | { confirmed: true; fields: ConfirmedPrinted }
  | {
      confirmed: false;
      /**
       * SINGLE_READING: fewer than two passes; MISSING: a field fewer than two passes read;
       * DISAGREE: two passes read a field differently; DATES: the dates are inconsistent.
       */
      why: 'SINGLE_READING' | 'MISSING' | 'DISAGREE' | 'DATES';
      fields: readonly string[];
    };

/** Issuing states of EU-format licences by the name the header prints (ASCII, native or English). */
const STATE_NAMES: Record<string, string> = {
  'BUNDESREPUBLIK DEUTSCHLAND': 'DEU',
  DEUTSCHLAND: 'DEU',
  GERMANY: 'DEU',
  'REPUBLIQUE FRANCAISE': 'FRA',
  FRANCE: 'FRA',
  'KONINKRIJK DER NEDERLANDEN': 'NLD',
  NEDERLAND: 'NLD',
  NETHERLANDS: 'NLD',
  'REPUBBLICA ITALIANA': 'ITA',
  ITALIA: 'ITA',
  ITALY: 'ITA',
  'REINO DE ESPANA': 'ESP',
  ESPANA: 'ESP',
  SPAIN: 'ESP',
  SVERIGE: 'SWE',
  SWEDEN: 'SWE',
  'RZECZPOSPOLITA POLSKA': 'POL',
  POLSKA: 'POL',
  POLAND: 'POL',
  'REPUBLIK OESTERREICH': 'AUT',
  'REPUBLIK OSTERREICH': 'AUT',
  AUSTRIA: 'AUT',
  'BELGIQUE BELGIE': 'BEL',
  'BELGIE BELGIQUE': 'BEL',
  BELGIUM: 'BEL',
  'SUOMI FINLAND': 'FIN',
  FINLAND: 'FIN',
  DANMARK: 'DNK',
  DENMARK: 'DNK',
  PORTUGAL: 'PRT',
  IRELAND: 'IRL',
  EIRE: 'IRL',
  'CESKA REPUBLIKA': 'CZE',
  CZECHIA: 'CZE',
  NORGE: 'NOR',
  NORWAY: 'NOR',
  LUXEMBOURG: 'LUX',
};

const TITLES = [
  'DRIVING LICENCE',
  'FUHRERSCHEIN',
  'FUEHRERSCHEIN',
  'PERMIS DE CONDUIRE',
  'RIJBEWIJS',
  'PATENTE DI GUIDA',
  'PERMISO DE CONDUCCION',
  'KORKORT',
  'PRAWO JAZDY',
  'AJOKORTTI',
];

type Label = '1' | '2' | '3' | '4a' | '4b' | '4c' | '5' | '9';
const LABELS: readonly Label[] = ['1', '2', '3', '4a', '4b', '4c', '5', '9'];

/**
 * A field number followed by a dot (or the comma OCR often makes of it) and a space, at the start of
 * the line or after a space (4c shares 4a's line). Junk before it (the portrait's edge read as
 * letters) is left behind. The numbers are printed small and grey, and OCR misreads them in a few
 * known ways (`s.` for `5.`, `ab.` or `4p.` for `4b.`): those are taken as the number. A label read
 * as another one cannot make a wrong verdict on its own: the value must still parse as that field's
 * type, the dates must be in order, and every pass must agree.
 */
const LABEL = /(?:^|\s)([1lI|]|[2Z]|3|[4aA]\s?[abc6hp]|[5sS]|[9g])[.,]\s+/g;

function labelOf(token: string): Label | undefined {
  const text = token.replace(/\s/g, '');
  if (/^[1lI|]$/.test(text)) return '1';
  if (/^[2Z]$/.test(text)) return '2';
  if (text === '3') return '3';
  if (/^[5sS]$/.test(text)) return '5';
  if (/^[9g]$/.test(text)) return '9';
  const letter = text.charAt(1);
  if (letter === 'a') return '4a';
  if ('b6hp'.includes(letter) && letter !== '') return '4b';
  if (letter === 'c') return '4c';
  return undefined;
}

const NAME = /^[A-Z](?:[A-Z' -]*[A-Z])?$/;
const NUMBER = /^(?=[A-Z0-9]*\d)[A-Z0-9]{5,16}$/;
const AUTHORITY = /^[A-Z0-9](?:[A-Z0-9.' -]*[A-Z0-9.])?$/;
const CATEGORY = '(?:AM|A1|A2|A|B1|BE|B|C1E|C1|CE|C|D1E|D1|DE|D|L|T)';
const CATEGORIES = new RegExp(`^${CATEGORY}(?:/${CATEGORY})*$`);
const DATE = /^(\d{2})([./-])(\d{2})\2(\d{4})$/;

const squeeze = (value: string) => value.replace(/\s+/g, ' ').trim();

/** `DD.MM.YYYY` (or `/`, `-`) as YYYY-MM-DD when it is a real day from 1900 to 2099; else undefined. */
export function parsePrintedDate(text: string): string | undefined {
  const match = DATE.exec(text.trim());
  if (!match) return undefined;
  const [, dd, , mm, yyyy] = match as unknown as [string, string, string, string, string];
  const year = Number(yyyy);
  const month = Number(mm);
  const day = Number(dd);
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${yyyy}-${mm}-${dd}`;
}

/** Upper-case letters, spaces, hyphens, apostrophes; 2–40 characters. */
export function parsePrintedName(text: string): string | undefined {
  const value = squeeze(text);
  return value.length >= 2 && value.length <= 40 && NAME.test(value) ? value : undefined;
}

/**
 * Letters OCR reads as digits and digits it reads as these letters, in the same font: O and 0, I
 * and 1, S and 5, B and 8, Z and 2, G and 6, D and Q and 0. Nothing in printed text tells them apart
 * (an MRZ's check digit does, partly), and every pass misreads them alike: on the bench, `N0NM311M13`
 * was confirmed as `NONM311M13` by both passes. A number with one of these letters is not vouched
 * for. The other way round (a letter O printed, read as 0 by every pass) is not caught: issuers
 * that leave these letters out of their numbers, as many do, are safe from it; the others are not.
 */
const DIGIT_LIKE_LETTERS = /[BDGIOQSZ]/;

/** 5–16 upper-case letters and digits, at least one digit, none of the letters OCR takes for digits. */
export function parseLicenceNumber(text: string): string | undefined {
  const value = text.trim();
  return NUMBER.test(value) && !DIGIT_LIKE_LETTERS.test(value) ? value : undefined;
}

/** The issuing state named on a line of the header, by exact (squeezed) line or word run. */
function stateOf(lines: readonly string[]): string | undefined {
  const found = new Set<string>();
  for (const line of lines) {
    const text = ` ${squeeze(line.toUpperCase().replace(/[^A-Z ]/g, ' '))} `;
    for (const [name, code] of Object.entries(STATE_NAMES)) {
      if (text.includes(` ${name} `)) found.add(code);
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** Each labelled value of the text, every occurrence (a label read twice is ambiguous). */
function labelled(lines: readonly string[]): Map<Label, string[]> {
  const values = new Map<Label, string[]>();
  for (const line of lines) {
    const matches = [...line.matchAll(LABEL)];
    for (const [index, match] of matches.entries()) {
      const label = labelOf(match[1] ?? '');
      if (!label) continue;
      const start = (match.index ?? 0) + match[0].length;
      const end = matches[index + 1]?.index ?? line.length;
      const list = values.get(label) ?? [];
      list.push(squeeze(line.slice(start, end)));
      values.set(label, list);
    }
  }
  return values;
}

/** The one value that parses among a label's occurrences; undefined when none or several differ. */
function single<T>(candidates: readonly string[] | undefined, parse: (text: string) => T | undefined) {
  const parsed = new Set<T>();
  for (const text of candidates ?? []) {
    const value = parse(text);
    if (value !== undefined) parsed.add(value);
  }
  return parsed.size === 1 ? ([...parsed][0] as T) : undefined;
}

function birth(text: string): { date: string; place?: string } | undefined {
  const match = /^(\S+)(?:\s+(.+))?$/.exec(text);
  const date = match?.[1] ? parsePrintedDate(match[1]) : undefined;
  if (!date) return undefined;
  const place = match?.[2] ? parsePrintedName(match[2]) : undefined;
  return place ? { date, place } : { date };
}

/**
 * The fields of an EU-format licence front from one OCR pass's text, or undefined when the text is
 * not such a licence (neither its title nor at least three of its numbered fields were found).
 */
export function parseLicenceText(text: string): PrintedFields | undefined {
  const lines = text.split(/\r?\n/).map((line) => line.replace(/[\u2014\u2013]/g, '-'));
  const values = labelled(lines);
  const titled = lines.some((line) => TITLES.some((title) => squeeze(line.toUpperCase()).includes(title)));
  const recognised = LABELS.filter((label) => values.has(label)).length;
  if (!titled && recognised < 3) return undefined;

  const fields: PrintedFields = {};
  const country = stateOf(lines);
  if (country) fields.country = country;
  const lastName = single(values.get('1'), parsePrintedName);
  if (lastName) fields.lastName = lastName;
  const firstName = single(values.get('2'), parsePrintedName);
  if (firstName) fields.firstName = firstName;
  // Date and place together: one string, so that two different readings of the line stay apart.
  const born = single(values.get('3'), (value) => {
    const parsed = birth(value);
    return parsed ? `${parsed.date}|${parsed.place ?? ''}` : undefined;
  });
  if (born) {
    const [date, place] = born.split('|') as [string, string];
    fields.birthDate = date;
    if (place) fields.placeOfBirth = place;
  }
  const issueDate = single(values.get('4a'), parsePrintedDate);
  if (issueDate) fields.issueDate = issueDate;
  const expirationDate = single(values.get('4b'), parsePrintedDate);
  if (expirationDate) fields.expirationDate = expirationDate;
  const authority = single(values.get('4c'), (value) => (AUTHORITY.test(value) ? value : undefined));
  if (authority) fields.issuingAuthority = authority;
  const documentNumber = single(values.get('5'), parseLicenceNumber);
  if (documentNumber) fields.documentNumber = documentNumber;
  const categories = single(values.get('9'), (value) => (CATEGORIES.test(value) ? value : undefined));
  if (categories) fields.categories = categories;
  return fields;
}

/** Whole years from `from` to `to` (YYYY-MM-DD each). */
function yearsBetween(from: string, to: string): number {
  const years = Number(to.slice(0, 4)) - Number(from.slice(0, 4));
  return to.slice(5) < from.slice(5) ? years - 1 : years;
}

/** Fields no two passes both read, and fields two passes read differently (a veto). */
export function agreement(passes: readonly PrintedFields[]): { missing: string[]; differing: string[] } {
  const missing: string[] = [];
  const differing: string[] = [];
  for (const field of CONFIRMED_FIELDS) {
    const values = passes.map((pass) => pass[field]).filter((value) => value !== undefined);
    if (new Set(values).size > 1) differing.push(field);
    else if (values.length < 2) missing.push(field);
  }
  return { missing, differing };
}

/** Whether one more pass could still confirm the reading: something is missing, nothing differs. */
export function anotherPassMayConfirm(passes: readonly PrintedFields[]): boolean {
  const { missing, differing } = agreement(passes);
  return differing.length === 0 && missing.length > 0;
}

/**
 * The confirmation rule for a printed-only reading: every field of `CONFIRMED_FIELDS` read by at
 * least two passes, and read identically by every pass that read it (a pass that dropped a value,
 * because its line did not parse, neither confirms nor vetoes it; a pass that read another value
 * vetoes it); birth < issue < expiry, born at least 16 years before the issue and at most 120 years
 * before today, issued no later than today. Expiry against today is not checked here: `decide`
 * refuses an expired document as it does any other.
 */
export function confirmPrinted(reading: PrintedReading, today: string): Confirmation {
  const { passes } = reading;
  if (passes.length < 2) return { confirmed: false, why: 'SINGLE_READING', fields: [] };
  const { missing, differing } = agreement(passes);
  if (differing.length > 0) return { confirmed: false, why: 'DISAGREE', fields: differing };
  if (missing.length > 0) return { confirmed: false, why: 'MISSING', fields: missing };
  const fields = Object.fromEntries(
    CONFIRMED_FIELDS.map((field) => [field, passes.find((pass) => pass[field] !== undefined)?.[field]]),
  ) as ConfirmedPrinted;
  const { birthDate, issueDate, expirationDate } = fields;
  const dates: string[] = [];
  if (!(birthDate < issueDate) || yearsBetween(birthDate, issueDate) < 16) dates.push('birthDate');
  if (yearsBetween(birthDate, today) > 120 || birthDate >= today) dates.push('birthDate');
  if (!(issueDate < expirationDate) || issueDate > today) dates.push('issueDate');
  if (dates.length > 0) return { confirmed: false, why: 'DATES', fields: [...new Set(dates)] };
  return { confirmed: true, fields };
}
