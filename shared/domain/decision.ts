import type { AamvaData } from './aamva.ts';
import type { RejectReason, VerificationOutcome } from './callback.ts';
import { ID_TYPES, type IdType } from './initiate-request.ts';
import type { MrzReading } from './mrz.ts';
import { confirmPrinted, type PrintedReading } from './printed-fields.ts';

/**
 * The verdict from what the worker read. Pure. The rule that decides everything here: a value the
 * engine is not sure of is never reported as verified. An MRZ whose check digits do not all pass
 * (after repair) is unreadable, not fraud, because OCR misreads are far likelier than forged check
 * digits in an offline engine; an expired document is refused.
 *
 * A document with neither an MRZ nor a barcode may be judged on its printed fields (an EU-format
 * driving licence's front). Printed text has no check digit, so such a reading is APPROVED_VERIFIED
 * only when `confirmPrinted` (shared/domain/printed-fields.ts) confirms it: the issuing state, both
 * names, the licence number and the three dates, each strictly parsed and validated, each read
 * identically by at least two OCR passes on differently prepared copies and otherwise by none, with
 * birth < issue < expiry and the issue not after today. Anything less (a field fewer than two passes
 * read, a field two passes read differently, dates out of order) is
 * ERROR_NOT_READABLE_ID 200/2002 BAD_QUALITY with no value reported, as for an MRZ that fails its
 * checks: a misread is far likelier than a forgery. A confirmed but expired licence is refused as any
 * other expired document is. `mrzCheck` is NOT_AVAILABLE: there is no MRZ.
 */

export interface DecisionInput {
  /** What the user chose, or the preset fixed. */
  chosen: { country: string; idType: IdType };
  /** Whether the preset fixed the country and type (then a different document is refused). */
  preset: { country?: string; idType?: IdType };
  /** The MRZ found on any side, undefined when none. */
  mrz: MrzReading | undefined;
  /** A North-American licence's PDF417 (AAMVA), exact when decoded; undefined when none. */
  barcode?: AamvaData | undefined;
  /** The printed fields, read only when no MRZ and no barcode was found; undefined when none. */
  printed?: PrintedReading | undefined;
  /** YYYY-MM-DD of the day of the decision (UTC). */
  today: string;
  /** The customer's accepted IDs (shared/domain/accepted-ids.ts); absent, every document is. */
  accepted?: (country: string, idType: string) => boolean;
}

export const NOT_READABLE = (detailsCode: string, detailsDescription: string): RejectReason => ({
  rejectReasonCode: '200',
  rejectReasonDescription: 'NOT_READABLE_DOCUMENT',
  rejectReasonDetails: [{ detailsCode, detailsDescription }],
});

/** The ICAO document code's first letter names the type; A, C and I are identity cards. */
export function idTypeOfDocumentCode(code: string): IdType | 'VISA' | undefined {
  const first = code.charAt(0);
  if (first === 'P') return 'PASSPORT';
  if (first === 'V') return 'VISA';
  if (first === 'I' || first === 'A' || first === 'C') return 'ID_CARD';
  // Driving licences with an MRZ (e.g. Ireland's, Netherlands') start with D.
  if (first === 'D') return 'DRIVING_LICENSE';
  return undefined;
}

/** ICAO uses `D<<` for Germany; results name countries by ISO 3166-1 alpha-3. */
export function countryOfMrz(code: string): string {
  const trimmed = code.replace(/</g, '');
  return trimmed === 'D' ? 'DEU' : trimmed;
}

/** What a decoded AAMVA barcode says, as a verified reading (a PDF417 decodes exactly or not at all). */
function fromBarcode(barcode: AamvaData): VerificationOutcome {
  return {
    verificationStatus: 'APPROVED_VERIFIED',
    idType: barcode.subfile === 'DL' ? 'DRIVING_LICENSE' : 'ID_CARD',
    idCountry: barcode.country,
    idNumber: barcode.documentNumber,
    ...(barcode.firstName ? { idFirstName: barcode.firstName } : {}),
    idLastName: barcode.lastName,
    idDob: barcode.birthDate,
    idExpiry: barcode.expirationDate,
    ...(barcode.country === 'USA' ? { idUsState: barcode.state } : {}),
    ...(barcode.sex === 'M' || barcode.sex === 'F' ? { gender: barcode.sex } : {}),
    mrzCheck: 'NOT_AVAILABLE',
  };
}

const manipulated = (detailsCode: string, detailsDescription: string): RejectReason => ({
  rejectReasonCode: '100',
  rejectReasonDescription: 'MANIPULATED_DOCUMENT',
  rejectReasonDetails: [{ detailsCode, detailsDescription }],
});

/**
 * Where a valid MRZ and a decoded barcode both exist, two integrity-checked sources: a number or a
 * date that differs is a manipulated document. Names may differ in transliteration and length, so
 * they decide nothing.
 */
function disagreement(mrz: MrzReading, barcode: AamvaData): RejectReason | undefined {
  const plain = (value: string) => value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (plain(mrz.fields.documentNumber) !== plain(barcode.documentNumber))
    return manipulated('1002', 'DOCUMENT_NUMBER');
  if (mrz.fields.birthDate !== undefined && mrz.fields.birthDate !== barcode.birthDate)
    return manipulated('1004', 'DOB');
  if (mrz.fields.expirationDate !== undefined && mrz.fields.expirationDate !== barcode.expirationDate) {
    return manipulated('1003', 'EXPIRY');
  }
  return undefined;
}

export function decide(input: DecisionInput): VerificationOutcome {
  const { mrz, barcode, chosen, printed } = input;
  if (!mrz?.valid && barcode) return judged(fromBarcode(barcode), input);
  if (mrz === undefined && printed) return fromPrinted(printed, input);
  if (mrz === undefined) {
    return {
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      idType: chosen.idType,
      idCountry: chosen.country,
      mrzCheck: 'NOT_AVAILABLE',
      rejectReason: NOT_READABLE('2002', 'BAD_QUALITY'),
    };
  }
  if (!mrz.valid) {
    return {
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      idType: chosen.idType,
      idCountry: chosen.country,
      mrzCheck: 'NOT_OK',
      rejectReason: NOT_READABLE('2002', 'BAD_QUALITY'),
    };
  }

  const fields = mrz.fields;
  const idType = idTypeOfDocumentCode(fields.documentCode) ?? chosen.idType;
  const idCountry = countryOfMrz(fields.issuingState);
  const read: VerificationOutcome = {
    verificationStatus: 'APPROVED_VERIFIED',
    idType,
    idCountry,
    idNumber: fields.documentNumber,
    idFirstName: fields.firstName,
    idLastName: fields.lastName,
    ...(fields.birthDate ? { idDob: fields.birthDate } : {}),
    ...(fields.expirationDate ? { idExpiry: fields.expirationDate } : {}),
    ...(fields.personalNumber ? { personalNumber: fields.personalNumber } : {}),
    ...(fields.optionalData1 ? { optionalData1: fields.optionalData1 } : {}),
    ...(fields.optionalData2 ? { optionalData2: fields.optionalData2 } : {}),
    ...(fields.sex === 'M' || fields.sex === 'F' ? { gender: fields.sex } : {}),
    ...(fields.nationality ? { nationality: countryOfMrz(fields.nationality) } : {}),
    ...(barcode?.country === 'USA' ? { idUsState: barcode.state } : {}),
    mrzCheck: 'OK',
  };
  const conflict = barcode ? disagreement(mrz, barcode) : undefined;
  if (conflict) return { ...read, verificationStatus: 'DENIED_FRAUD', rejectReason: conflict };
  return judged(read, input);
}

/** A printed-only reading: verified only when confirmed (see the file's comment), else not readable. */
function fromPrinted(printed: PrintedReading, input: DecisionInput): VerificationOutcome {
  const confirmation = confirmPrinted(printed, input.today);
  if (!confirmation.confirmed) {
    return {
      verificationStatus: 'ERROR_NOT_READABLE_ID',
      idType: input.chosen.idType,
      idCountry: input.chosen.country,
      mrzCheck: 'NOT_AVAILABLE',
      rejectReason: NOT_READABLE('2002', 'BAD_QUALITY'),
    };
  }
  const fields = confirmation.fields;
  return judged(
    {
      verificationStatus: 'APPROVED_VERIFIED',
      idType: 'DRIVING_LICENSE',
      idCountry: fields.country,
      idNumber: fields.documentNumber,
      idFirstName: fields.firstName,
      idLastName: fields.lastName,
      idDob: fields.birthDate,
      idExpiry: fields.expirationDate,
      mrzCheck: 'NOT_AVAILABLE',
    },
    input,
  );
}

/** The checks every verified reading goes through: the preset, the accepted IDs, the expiry. */
function judged(read: VerificationOutcome, { preset, accepted, today }: DecisionInput): VerificationOutcome {
  const idType = read.idType ?? '';
  const idCountry = read.idCountry ?? '';
  if (preset.idType && idType !== preset.idType) {
    return { ...read, verificationStatus: 'DENIED_UNSUPPORTED_ID_TYPE' };
  }
  if (preset.country && idCountry !== preset.country) {
    return { ...read, verificationStatus: 'DENIED_UNSUPPORTED_ID_COUNTRY' };
  }
  // The document as read, not as chosen: a user who picked an accepted country cannot pass another.
  if (accepted && !accepted(idCountry, idType)) {
    const countryAccepted = ID_TYPES.some((type) => accepted(idCountry, type));
    return {
      ...read,
      verificationStatus: countryAccepted ? 'DENIED_UNSUPPORTED_ID_TYPE' : 'DENIED_UNSUPPORTED_ID_COUNTRY',
    };
  }
  if (read.idExpiry && read.idExpiry < today) {
    return { ...read, verificationStatus: 'DENIED_FRAUD', rejectReason: manipulated('1003', 'EXPIRY') };
  }
  return read;
}
