import {
  AnalyzeIDCommand,
  type AnalyzeIDDetections,
  BadDocumentException,
  DocumentTooLargeException,
  type IdentityDocumentField,
  InvalidParameterException,
  type TextractClient,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import { type MrzReading, readMrzText } from '#domain/mrz';
import { type Clock, systemClock } from '#use-cases/ports';
import type { MrzReader } from '#use-cases/verify';

/**
 * The AWS document provider: Amazon Textract AnalyzeID, behind the same `MrzReader` port as the
 * offline engine (shared/adapters/tesseract-mrz-reader.ts).
 *
 * What Textract reads is not what decides. Its `MRZ_CODE` field is the zone's text, and that text
 * goes through our own `readMrzText`: the same cleanup, letter↔digit repair and check digits as an
 * OCR'd zone, so a reading is `valid` on exactly the same terms whichever engine read it. Textract's
 * confidence scores are not check digits and vouch for nothing.
 *
 * Where the document has no MRZ (a US driving licence's front), `read` answers undefined, as the
 * offline engine does, and the printed fields Textract normalised are offered apart, by `analyze`,
 * as `printed`: unverified values, for agreement checks with the barcode and never reported as
 * verified on their own (nothing checks them the way a check digit or a PDF417's error correction
 * does). They are not folded into an `MrzReading` with `valid: false`: `decide` would then report
 * `mrzCheck: NOT_OK` for a document that has no MRZ, where the offline engine reports NOT_AVAILABLE.
 *
 * Errors: a document Textract cannot use (BadDocument, UnsupportedDocument, DocumentTooLarge,
 * InvalidParameter) is read as nothing; throttling, credentials, permissions, network and service
 * errors are thrown, so that the message goes back to the queue and is retried.
 */

export interface PrintedFields {
  /** ID_TYPE, e.g. `DRIVER LICENSE FRONT`, `PASSPORT`. */
  idType?: string;
  documentNumber?: string;
  lastName?: string;
  firstName?: string;
  middleName?: string;
  /** YYYY-MM-DD, from Textract's normalised date. */
  birthDate?: string;
  /** YYYY-MM-DD */
  expirationDate?: string;
  /** YYYY-MM-DD */
  issueDate?: string;
  /** STATE_NAME: the issuing state of a US licence, e.g. `CA` or `CALIFORNIA` as printed. */
  issuingState?: string;
  address?: string;
  placeOfBirth?: string;
}

export interface TextractReading {
  /** The MRZ read from Textract's MRZ_CODE with our own rules; absent when it found none. */
  mrz?: MrzReading;
  /** Printed fields of at least `minFieldConfidence`: unverified. */
  printed: PrintedFields;
}

export interface TextractDocumentReader extends MrzReader {
  /** The MRZ, as the offline reader gives it; undefined when there is none or the image is unusable. */
  read(image: Buffer): Promise<MrzReading | undefined>;
  /** The MRZ and the printed fields; undefined when the image is unusable. */
  analyze(image: Buffer): Promise<TextractReading | undefined>;
}

export interface TextractDocumentReaderOptions {
  client: TextractClient;
  /** "Now" for the century of two-digit birth years. */
  clock?: Clock;
  /** Printed fields Textract is less sure of (0–100) are left out; default 90. */
  minFieldConfidence?: number;
}

export const DEFAULT_MIN_FIELD_CONFIDENCE = 90;

const PRINTED: Record<string, keyof PrintedFields> = {
  ID_TYPE: 'idType',
  DOCUMENT_NUMBER: 'documentNumber',
  LAST_NAME: 'lastName',
  FIRST_NAME: 'firstName',
  MIDDLE_NAME: 'middleName',
  DATE_OF_BIRTH: 'birthDate',
  EXPIRATION_DATE: 'expirationDate',
  DATE_OF_ISSUE: 'issueDate',
  STATE_NAME: 'issuingState',
  ADDRESS: 'address',
  PLACE_OF_BIRTH: 'placeOfBirth',
};
const DATES = new Set<keyof PrintedFields>(['birthDate', 'expirationDate', 'issueDate']);

/** What AnalyzeID answers about the document rather than about the service: nothing to read. */
const UNUSABLE_DOCUMENT = [
  BadDocumentException,
  UnsupportedDocumentException,
  DocumentTooLargeException,
  InvalidParameterException,
] as const;

export function createTextractDocumentReader(options: TextractDocumentReaderOptions): TextractDocumentReader {
  const clock = options.clock ?? systemClock;
  const minConfidence = options.minFieldConfidence ?? DEFAULT_MIN_FIELD_CONFIDENCE;

  const analyze = async (image: Buffer): Promise<TextractReading | undefined> => {
    if (image.byteLength === 0) return undefined;
    let fields: IdentityDocumentField[];
    try {
      const response = await options.client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: image }] }));
      fields = response.IdentityDocuments?.[0]?.IdentityDocumentFields ?? [];
    } catch (error) {
      if (UNUSABLE_DOCUMENT.some((type) => error instanceof type)) return undefined;
      throw error;
    }
    return readingOf(fields, clock.now(), minConfidence);
  };

  return {
    analyze,
    async read(image) {
      return (await analyze(image))?.mrz;
    },
  };
}

function readingOf(fields: IdentityDocumentField[], now: Date, minConfidence: number): TextractReading {
  const reading: TextractReading = { printed: {} };
  for (const field of fields) {
    const type = field.Type?.Text?.trim().toUpperCase().replace(/\s+/g, '_');
    const value = field.ValueDetection;
    const text = value?.Text?.trim();
    if (!type || !value || !text) continue;
    if (type === 'MRZ_CODE') {
      const mrz = mrzOf(text, now);
      if (mrz) reading.mrz = mrz;
      continue;
    }
    const key = PRINTED[type];
    if (!key || (value.Confidence ?? 0) < minConfidence) continue;
    const printed = DATES.has(key) ? dateOf(value) : text;
    if (printed) reading.printed[key] = printed;
  }
  return reading;
}

const LINE_LENGTHS = [44, 36, 30];

/**
 * Textract returns the zone's lines separated by newlines; should they come as one run (or
 * separated by spaces), a run of exactly two or three lines' worth is cut into lines.
 */
function mrzOf(text: string, now: Date): MrzReading | undefined {
  const options = { referenceDate: now };
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length > 1) return readMrzText(lines, options);
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length > 1) {
    const reading = readMrzText(words, options);
    if (reading) return reading;
  }
  const run = text.replace(/\s+/g, '');
  for (const length of LINE_LENGTHS) {
    const count = run.length / length;
    if (count === 2 || count === 3) {
      return readMrzText(
        Array.from({ length: count }, (_, index) => run.slice(index * length, (index + 1) * length)),
        options,
      );
    }
  }
  return readMrzText(text, options);
}

/**
 * Textract's normalised date (`1985-02-14T00:00:00`), else nothing: a printed date alone is
 * ambiguous (02/03/1985). The SDK's enum says `DATE`, AWS's examples show `Date`: either is taken.
 */
function dateOf(value: AnalyzeIDDetections): string | undefined {
  const normalized = value.NormalizedValue;
  if (normalized?.ValueType?.toUpperCase() !== 'DATE' || !normalized.Value) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(normalized.Value);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}
