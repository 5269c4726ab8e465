import { parse, states } from 'mrz';

/**
 * The machine-readable zone of ICAO 9303 travel documents: check digits, the cleanup and repair of OCR
 * output, parsing into a reading, and the composition of valid lines (for test documents).
 *
 * Pure: no I/O and no clock. The reference date that decides a birth year's century is an argument.
 */

export type MrzFormat = 'TD1' | 'TD2' | 'TD3';

export interface MrzFields {
  documentCode: string;
  issuingState: string;
  documentNumber: string;
  nationality: string;
  lastName: string;
  firstName: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  sex?: 'M' | 'F' | 'X';
  /** YYYY-MM-DD */
  expirationDate?: string;
  personalNumber?: string;
  optionalData1?: string;
  optionalData2?: string;
}

export interface MrzChecks {
  documentNumber: boolean;
  birthDate: boolean;
  expirationDate: boolean;
  /** TD3 only. */
  personalNumber?: boolean;
  composite: boolean;
}

export interface MrzReading {
  format: MrzFormat;
  lines: string[];
  /**
   * Every check digit passes, and the fields no check digit covers are well-formed: numeric fields hold
   * digits, dates are calendar dates, sex is M, F, X or `<`, state codes are ICAO's.
   */
  valid: boolean;
  /** Characters were changed from what was read: letters in numeric fields, digits in alphabetic ones. */
  repaired: boolean;
  fields: MrzFields;
  checks: MrzChecks;
}

export const MRZ_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';

const LINE_LENGTH: Record<MrzFormat, number> = { TD1: 30, TD2: 36, TD3: 44 };
const LINE_COUNT: Record<MrzFormat, number> = { TD1: 3, TD2: 2, TD3: 2 };
const WEIGHTS = [7, 3, 1] as const;

function characterValue(char: string): number {
  if (char >= '0' && char <= '9') return char.charCodeAt(0) - 48;
  if (char >= 'A' && char <= 'Z') return char.charCodeAt(0) - 55;
  return 0;
}

/** The ICAO 9303 check digit of `value`: weights 7, 3, 1 repeating; `<` counts as 0. */
export function checkDigit(value: string): string {
  let sum = 0;
  for (let i = 0; i < value.length; i++) {
    sum += characterValue(value.charAt(i)) * (WEIGHTS[i % 3] ?? 1);
  }
  return String(sum % 10);
}

const DIGITS = /^[0-9]+$/;

/** A check over `value` passes only if the value and the check digit are digits where they must be. */
function passes(value: string, digit: string, numeric: boolean): boolean {
  if (numeric && !DIGITS.test(value)) return false;
  return DIGITS.test(digit) && checkDigit(value) === digit;
}

// Positions (0-based, end exclusive) of each format's fields. `line` indexes the MRZ lines.
interface Span {
  line: number;
  start: number;
  end: number;
}

interface Layout {
  documentCode: Span;
  issuingState: Span;
  documentNumber: Span;
  documentNumberCheck: Span;
  nationality: Span;
  birthDate: Span;
  birthDateCheck: Span;
  sex: Span;
  expirationDate: Span;
  expirationDateCheck: Span;
  names: Span;
  optional1?: Span;
  optional2?: Span;
  personalNumber?: Span;
  personalNumberCheck?: Span;
  composite: Span;
  /** The spans the composite check digit covers, in order. */
  compositeOver: Span[];
}

const span = (line: number, start: number, end: number): Span => ({ line, start, end });

const LAYOUTS: Record<MrzFormat, Layout> = {
  TD1: {
    documentCode: span(0, 0, 2),
    issuingState: span(0, 2, 5),
    documentNumber: span(0, 5, 14),
    documentNumberCheck: span(0, 14, 15),
    optional1: span(0, 15, 30),
    birthDate: span(1, 0, 6),
    birthDateCheck: span(1, 6, 7),
    sex: span(1, 7, 8),
    expirationDate: span(1, 8, 14),
    expirationDateCheck: span(1, 14, 15),
    nationality: span(1, 15, 18),
    optional2: span(1, 18, 29),
    composite: span(1, 29, 30),
    compositeOver: [span(0, 5, 30), span(1, 0, 7), span(1, 8, 15), span(1, 18, 29)],
    names: span(2, 0, 30),
  },
  TD2: {
    documentCode: span(0, 0, 2),
    issuingState: span(0, 2, 5),
    names: span(0, 5, 36),
    documentNumber: span(1, 0, 9),
    documentNumberCheck: span(1, 9, 10),
    nationality: span(1, 10, 13),
    birthDate: span(1, 13, 19),
    birthDateCheck: span(1, 19, 20),
    sex: span(1, 20, 21),
    expirationDate: span(1, 21, 27),
    expirationDateCheck: span(1, 27, 28),
    optional1: span(1, 28, 35),
    composite: span(1, 35, 36),
    compositeOver: [span(1, 0, 10), span(1, 13, 20), span(1, 21, 35)],
  },
  TD3: {
    documentCode: span(0, 0, 2),
    issuingState: span(0, 2, 5),
    names: span(0, 5, 44),
    documentNumber: span(1, 0, 9),
    documentNumberCheck: span(1, 9, 10),
    nationality: span(1, 10, 13),
    birthDate: span(1, 13, 19),
    birthDateCheck: span(1, 19, 20),
    sex: span(1, 20, 21),
    expirationDate: span(1, 21, 27),
    expirationDateCheck: span(1, 27, 28),
    personalNumber: span(1, 28, 42),
    personalNumberCheck: span(1, 42, 43),
    composite: span(1, 43, 44),
    compositeOver: [span(1, 0, 10), span(1, 13, 20), span(1, 21, 43)],
  },
};

function slice(lines: readonly string[], at: Span): string {
  return (lines[at.line] ?? '').slice(at.start, at.end);
}

/**
 * The document number and where its check digit is. TD1 and TD2 numbers longer than 9 characters put
 * `<` in the check digit's place and continue in the optional data, which then ends (before its first
 * filler) with the real check digit.
 */
function documentNumberSpans(format: MrzFormat, lines: readonly string[]) {
  const layout = LAYOUTS[format];
  const head = slice(lines, layout.documentNumber);
  const check = layout.documentNumberCheck;
  if (format === 'TD3' || slice(lines, check) !== '<' || !layout.optional1) {
    return { value: head, check, optionalFrom: layout.optional1?.start };
  }
  const optional = slice(lines, layout.optional1);
  const run = optional.indexOf('<') === -1 ? optional.length : optional.indexOf('<');
  if (run === 0) return { value: head, check, optionalFrom: layout.optional1.start };
  const at = layout.optional1.start + run - 1;
  return {
    value: head + optional.slice(0, run - 1),
    check: span(layout.optional1.line, at, at + 1),
    optionalFrom: at + 1,
  };
}

/** Evaluates every check digit of well-formed lines. */
export function mrzChecks(format: MrzFormat, lines: readonly string[]): MrzChecks {
  const layout = LAYOUTS[format];
  const documentNumber = documentNumberSpans(format, lines);
  const composite = layout.compositeOver.map((over) => slice(lines, over)).join('');
  const checks: MrzChecks = {
    documentNumber: passes(documentNumber.value, slice(lines, documentNumber.check), false),
    birthDate: passes(slice(lines, layout.birthDate), slice(lines, layout.birthDateCheck), true),
    expirationDate: passes(
      slice(lines, layout.expirationDate),
      slice(lines, layout.expirationDateCheck),
      true,
    ),
    composite: passes(composite, slice(lines, layout.composite), false),
  };
  if (layout.personalNumber && layout.personalNumberCheck) {
    const value = slice(lines, layout.personalNumber);
    const digit = slice(lines, layout.personalNumberCheck);
    // An empty personal number may carry `<` (or 0) as its check digit.
    checks.personalNumber = /^<+$/.test(value) ? digit === '<' || digit === '0' : passes(value, digit, false);
  }
  return checks;
}

function allPass(checks: MrzChecks): boolean {
  return (
    checks.documentNumber &&
    checks.birthDate &&
    checks.expirationDate &&
    checks.personalNumber !== false &&
    checks.composite
  );
}

/**
 * Picks the MRZ out of OCR text: uppercases, drops what cannot be in an MRZ, and finds consecutive
 * lines of one format's length (a line one or two characters long or short is mended at its end, where
 * fillers are most often lost or doubled). Returns undefined when no MRZ-shaped block is found.
 */
export function cleanMrzText(
  text: string | readonly string[],
): { format: MrzFormat; lines: string[] } | undefined {
  const raw = typeof text === 'string' ? text.split(/\r?\n/) : [...text];
  const lines = raw
    .map((line) =>
      line
        .toUpperCase()
        .replace(/[«‹]/g, '<')
        .replace(/[^A-Z0-9<]/g, ''),
    )
    .filter((line) => line.length >= 20);
  for (const format of ['TD3', 'TD2', 'TD1'] as const) {
    const length = LINE_LENGTH[format];
    const count = LINE_COUNT[format];
    for (let first = 0; first + count <= lines.length; first++) {
      const block = lines.slice(first, first + count);
      if (block.every((line) => Math.abs(line.length - length) <= 2)) {
        return { format, lines: block.map((line) => fitLength(line, length)) };
      }
    }
  }
  return undefined;
}

function fitLength(line: string, length: number): string {
  if (line.length < length) return line.padEnd(length, '<');
  if (line.length === length) return line;
  // Too long: drop surplus fillers from the end first, then cut.
  let fitted = line;
  while (fitted.length > length && fitted.endsWith('<<')) fitted = fitted.slice(0, -1);
  return fitted.slice(0, length);
}

const LETTER_TO_DIGIT: Record<string, string> = {
  O: '0',
  Q: '0',
  D: '0',
  I: '1',
  B: '8',
  S: '5',
  Z: '2',
  G: '6',
};
const DIGIT_TO_LETTER: Record<string, string> = {
  '0': 'O',
  '1': 'I',
  '2': 'Z',
  '5': 'S',
  '6': 'G',
  '8': 'B',
};

function replaceAt(lines: string[], at: Span, map: Record<string, string>, keep = ''): boolean {
  const line = lines[at.line];
  if (line === undefined) return false;
  let changed = false;
  let next = line.slice(0, at.start);
  for (const char of line.slice(at.start, at.end)) {
    const replacement = keep.includes(char) ? undefined : map[char];
    if (replacement !== undefined) changed = true;
    next += replacement ?? char;
  }
  lines[at.line] = next + line.slice(at.end);
  return changed;
}

/**
 * Mends OCR confusions that the layout rules out. Digits in alphabetic fields (codes, states, names,
 * sex) become the letters they resemble: those fields can hold no digit, so this is always kept.
 * Letters in numeric fields (dates and check digits) become the digits they resemble; that correction
 * is kept only if every check digit then passes, so it can never turn a wrong reading into a valid one.
 */
export function repairMrz(
  format: MrzFormat,
  lines: readonly string[],
): { lines: string[]; repaired: boolean } {
  const layout = LAYOUTS[format];
  const alphabetic = [...lines];
  let repaired = false;
  // `<` stays: the code's second letter, short states and names are filled with it.
  for (const at of [layout.documentCode, layout.issuingState, layout.nationality, layout.names, layout.sex]) {
    repaired = replaceAt(alphabetic, at, DIGIT_TO_LETTER) || repaired;
  }
  if (allPass(mrzChecks(format, alphabetic))) return { lines: alphabetic, repaired };

  const numeric = [...alphabetic];
  let changed = false;
  for (const at of [
    layout.birthDate,
    layout.birthDateCheck,
    layout.expirationDate,
    layout.expirationDateCheck,
    layout.composite,
  ]) {
    changed = replaceAt(numeric, at, LETTER_TO_DIGIT) || changed;
  }
  const documentNumberCheck = documentNumberSpans(format, numeric).check;
  changed = replaceAt(numeric, documentNumberCheck, LETTER_TO_DIGIT) || changed;
  if (layout.personalNumberCheck) {
    changed = replaceAt(numeric, layout.personalNumberCheck, LETTER_TO_DIGIT) || changed;
  }
  if (changed && allPass(mrzChecks(format, numeric))) return { lines: numeric, repaired: true };
  return { lines: alphabetic, repaired };
}

function isoDate(yymmdd: string | null | undefined, century: (yy: number) => number): string | undefined {
  if (!yymmdd || !/^\d{6}$/.test(yymmdd)) return undefined;
  const yy = Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  const year = century(yy) + yy;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return date.toISOString().slice(0, 10);
}

/** A birth year's century: the latest that does not put the birth date after `referenceDate`. */
function birthCentury(yymmdd: string, referenceDate: Date) {
  return (yy: number) => {
    const candidate = `20${String(yy).padStart(2, '0')}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
    return candidate > referenceDate.toISOString().slice(0, 10) ? 1900 : 2000;
  };
}

/** ICAO's state codes (with `UTO`, the specimens' Utopia): no check digit covers them. */
const knownState = (code: string) => code === 'UTO' || Object.hasOwn(states, code);

const SEX: Record<string, 'M' | 'F' | 'X'> = { male: 'M', female: 'F', nonspecified: 'X' };

const stripFillers = (value: string) => value.replace(/<+$/, '').replace(/</g, ' ').trim();

export interface ParseOptions {
  /** "Now" for the birth year's century: a two-digit year is of the 2000s unless that is later. */
  referenceDate: Date;
}

/** Parses well-formed lines (cleaned, of one format's length) into a reading; undefined if they are not. */
export function parseMrzLines(
  lines: readonly string[],
  options: ParseOptions,
  repaired = false,
): MrzReading | undefined {
  const format = (['TD1', 'TD2', 'TD3'] as const).find(
    (f) => lines.length === LINE_COUNT[f] && lines.every((line) => line.length === LINE_LENGTH[f]),
  );
  if (!format || lines.some((line) => !/^[A-Z0-9<]+$/.test(line))) return undefined;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse([...lines]);
  } catch {
    return undefined;
  }
  const layout = LAYOUTS[format];
  const checks = mrzChecks(format, lines);
  const documentNumber = documentNumberSpans(format, lines);
  const birth = slice(lines, layout.birthDate);
  const names = slice(lines, layout.names);
  const [last = '', ...given] = names.split('<<');
  const fields: MrzFields = {
    documentCode: stripFillers(slice(lines, layout.documentCode)),
    issuingState: stripFillers(slice(lines, layout.issuingState)),
    documentNumber: stripFillers(documentNumber.value),
    nationality: stripFillers(slice(lines, layout.nationality)),
    lastName: parsed.fields.lastName ?? stripFillers(last),
    firstName: parsed.fields.firstName ?? stripFillers(given.join('<<')),
  };
  const birthDate = isoDate(birth, birthCentury(birth, options.referenceDate));
  if (birthDate) fields.birthDate = birthDate;
  const sex = SEX[parsed.fields.sex ?? ''];
  if (sex) fields.sex = sex;
  const expirationDate = isoDate(slice(lines, layout.expirationDate), () => 2000);
  if (expirationDate) fields.expirationDate = expirationDate;
  if (layout.personalNumber) {
    const personalNumber = stripFillers(slice(lines, layout.personalNumber));
    if (personalNumber) fields.personalNumber = personalNumber;
  }
  if (layout.optional1 && documentNumber.optionalFrom !== undefined) {
    const optional = stripFillers(
      slice(lines, {
        ...layout.optional1,
        start: Math.max(layout.optional1.start, documentNumber.optionalFrom),
      }),
    );
    if (optional) fields.optionalData1 = optional;
  }
  if (layout.optional2) {
    const optional = stripFillers(slice(lines, layout.optional2));
    if (optional) fields.optionalData2 = optional;
  }
  const wellFormed =
    fields.birthDate !== undefined &&
    fields.expirationDate !== undefined &&
    /[MFX<]/.test(slice(lines, layout.sex)) &&
    knownState(fields.issuingState) &&
    knownState(fields.nationality);
  return { format, lines: [...lines], valid: allPass(checks) && wellFormed, repaired, fields, checks };
}

/** From OCR text to a reading: cleanup, repair, parse. */
export function readMrzText(text: string | readonly string[], options: ParseOptions): MrzReading | undefined {
  const cleaned = cleanMrzText(text);
  if (!cleaned) return undefined;
  const { lines, repaired } = repairMrz(cleaned.format, cleaned.lines);
  return parseMrzLines(lines, options, repaired);
}

// ── Composing lines ─────────────────────────────────────────────────────────────────────────────────

export interface MrzLineFields {
  format: 'TD1' | 'TD3';
  /** `P`, `PO`, `I`, `ID`, … */
  documentCode: string;
  issuingState: string;
  documentNumber: string;
  nationality: string;
  lastName: string;
  firstName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: 'M' | 'F' | 'X';
  /** YYYY-MM-DD */
  expirationDate: string;
  /** TD3 only, at most 14 characters. */
  personalNumber?: string;
  /** TD1 only. */
  optionalData1?: string;
  optionalData2?: string;
}

/** Upper-case A–Z, 0–9 and `<` for spaces, hyphens and apostrophes; anything else dropped. */
export function mrzText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[\s'-]+/g, '<')
    .replace(/[^A-Z0-9<]/g, '');
}

const field = (value: string, length: number) => mrzText(value).slice(0, length).padEnd(length, '<');
const yymmdd = (iso: string) => `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
const sexCode = (sex: 'M' | 'F' | 'X') => (sex === 'X' ? '<' : sex);

function nameField(lastName: string, firstName: string, length: number): string {
  const given = mrzText(firstName);
  return field(given ? `${mrzText(lastName)}<<${given}` : mrzText(lastName), length);
}

/** Composes the MRZ lines of a TD1 card or a TD3 passport, with every check digit computed. */
export function mrzLines(fields: MrzLineFields): string[] {
  const number = mrzText(fields.documentNumber);
  const birth = yymmdd(fields.birthDate);
  const expiry = yymmdd(fields.expirationDate);
  const birthPart = birth + checkDigit(birth);
  const expiryPart = expiry + checkDigit(expiry);
  if (fields.format === 'TD3') {
    const line1 =
      field(fields.documentCode, 2) +
      field(fields.issuingState, 3) +
      nameField(fields.lastName, fields.firstName, 39);
    const numberPart = field(number, 9) + checkDigit(field(number, 9));
    const personal = field(fields.personalNumber ?? '', 14);
    const personalPart = personal + (/^<+$/.test(personal) ? '<' : checkDigit(personal));
    const composite = numberPart + birthPart + expiryPart + personalPart;
    const line2 =
      numberPart + field(fields.nationality, 3) + birthPart + sexCode(fields.sex) + expiryPart + personalPart;
    return [line1, line2 + checkDigit(composite)];
  }
  // TD1: a number over 9 characters continues in the optional data, after `<` in the check's place.
  const optional1 = mrzText(fields.optionalData1 ?? '');
  const numberAndOptional =
    number.length <= 9
      ? field(number, 9) + checkDigit(field(number, 9)) + field(optional1, 15)
      : `${number.slice(0, 9)}<${field(`${number.slice(9)}${checkDigit(number)}${optional1 ? `<${optional1}` : ''}`, 15)}`;
  const line1 = field(fields.documentCode, 2) + field(fields.issuingState, 3) + numberAndOptional;
  const optional2 = field(fields.optionalData2 ?? '', 11);
  const line2Body = birthPart + sexCode(fields.sex) + expiryPart + field(fields.nationality, 3) + optional2;
  const composite = numberAndOptional + birthPart + expiryPart + optional2;
  return [line1, line2Body + checkDigit(composite), nameField(fields.lastName, fields.firstName, 30)];
}
