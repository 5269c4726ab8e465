import type { DataFieldSettings, ImageClassifier, VerificationOutcome } from './callback.ts';
import { type ScanStatus, scanStatus, type Transaction } from './transaction.ts';

/**
 * The Netverify retrieval API's answers, built from a transaction (REFERENCE.md, "Retrieval API", and
 * Netverify's retrieval guide). Pure; `timestamp` is given. Extracted values appear only when the
 * customer's data settings enable them, as in callbacks.
 */

export interface ScanStatusResponse {
  timestamp: string;
  scanReference: string;
  status: ScanStatus;
}

export function scanStatusResponse(transaction: Transaction, timestamp: string): ScanStatusResponse {
  return { timestamp, scanReference: transaction.reference, status: scanStatus(transaction.state) };
}

export function documentData(transaction: Transaction, fields: DataFieldSettings): Record<string, string> {
  const outcome = transaction.outcome;
  if (!outcome) return {};
  const mrzFields = fields.mrzCheck;
  const data: Record<string, string | undefined> = {
    status: outcome.verificationStatus,
    type: outcome.idType,
    idSubtype: outcome.idSubtype,
    issuingCountry: outcome.idCountry,
    firstName: fields.firstName ? outcome.idFirstName : undefined,
    lastName: fields.lastName ? outcome.idLastName : undefined,
    dob: fields.dateOfBirth || mrzFields ? outcome.idDob : undefined,
    expiry: fields.expiryDate || mrzFields ? outcome.idExpiry : undefined,
    number: fields.idNumber ? outcome.idNumber : undefined,
    usState: fields.usState ? outcome.idUsState : undefined,
    personalNumber: fields.personalNumber || mrzFields ? outcome.personalNumber : undefined,
    optionalData1: outcome.optionalData1,
    optionalData2: outcome.optionalData2,
  };
  return present(data);
}

export function transactionData(transaction: Transaction): Record<string, string> {
  return present({
    status: scanStatus(transaction.state),
    source: transaction.source ?? (transaction.document ? 'WEB' : undefined),
    date: transaction.createdAt,
    clientIp: transaction.clientIp,
    customerId: transaction.userReference,
    merchantScanReference: transaction.customerInternalReference,
    merchantReportingCriteria: transaction.reportingCriteria,
  });
}

export function verificationData(
  transaction: Transaction,
  fields: DataFieldSettings,
): Record<string, unknown> {
  const outcome = transaction.outcome;
  if (!outcome) return {};
  return Object.fromEntries(
    Object.entries({
      mrzCheck: fields.mrzCheck ? (outcome.mrzCheck ?? 'NOT_AVAILABLE') : undefined,
      faceMatch: outcome.faceMatch !== undefined ? String(outcome.faceMatch) : undefined,
      rejectReason: outcome.rejectReason,
      identityVerification: identityVerificationOf(outcome),
    }).filter(([, value]) => value !== undefined),
  );
}

/** As the guide spells it: `validity` is `"TRUE"` or `"FALSE"`, and a reason only when not valid. */
function identityVerificationOf(outcome: VerificationOutcome): Record<string, string> | undefined {
  const verification = outcome.identityVerification;
  if (verification === undefined) return undefined;
  const { similarity, validity, reason } = verification;
  return { similarity, validity: validity ? 'TRUE' : 'FALSE', ...(!validity && reason ? { reason } : {}) };
}

/** `GET …/data`: the three parts, each without its own timestamp and reference. */
export function scanDetails(transaction: Transaction, fields: DataFieldSettings, timestamp: string) {
  const verification = verificationData(transaction, fields);
  return {
    timestamp,
    scanReference: transaction.reference,
    document: documentData(transaction, fields),
    transaction: transactionData(transaction),
    ...(Object.keys(verification).length > 0 ? { verification } : {}),
  };
}

/** The images stored for the transaction, in the guide's order. */
export function imagesOf(transaction: Transaction): ImageClassifier[] {
  return (['front', 'back', 'face'] as const).filter((side) => transaction.captures?.[side]);
}

function present(data: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
}
