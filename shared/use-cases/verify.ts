import type { AamvaData } from '#domain/aamva';
import { isAccepted } from '#domain/accepted-ids';
import type { VerificationOutcome } from '#domain/callback';
import { decide } from '#domain/decision';
import { type FaceMatcher, type IdentityThresholds, identityVerification } from '#domain/identity';
import { rejectReasonOf } from '#domain/image-rules';
import { MAX_UPLOAD_BYTES } from '#domain/journey';
import type { MrzReading } from '#domain/mrz';
import type { PrintedReading } from '#domain/printed-fields';
import { documentPreset } from '#domain/settings';
import { recordExpiresAt, type Transaction } from '#domain/transaction';
import { queueFinalCallback } from './journey.ts';
import type {
  Clock,
  ImageInspector,
  ImageStore,
  PrintedFieldReader,
  TransactionRepository,
  WorkQueue,
} from './ports.ts';

/** Reads the machine-readable zone of a document image (shared/adapters/tesseract-mrz-reader.ts). */
export interface MrzReader {
  read(image: Buffer): Promise<MrzReading | undefined>;
}

export interface VerifyDeps {
  transactions: TransactionRepository;
  images: ImageStore;
  inspector: ImageInspector;
  mrz: MrzReader;
  /** The AAMVA PDF417 on the back of a North-American licence or ID card. */
  barcode: { readPdf417(image: Buffer): Promise<AamvaData | undefined> };
  /**
   * The printed fields of a licence or ID card on which no MRZ and no barcode was found
   * (shared/adapters/tesseract-printed-reader.ts); without it such a document is not readable.
   */
  printed?: PrintedFieldReader;
  /** Compares the selfie with the document's portrait (ID + Identity workflows). */
  faces: FaceMatcher;
  /** The face engine's thresholds (its similarity scale is its own); the offline engine's by default. */
  identityThresholds?: IdentityThresholds;
  callbackQueue: WorkQueue;
  clock: Clock;
}

export type VerifyResult = 'verified' | 'already-finished' | 'not-submitted' | 'gone';

/**
 * The verification worker's step for one transaction: intake of its images, reading, checks,
 * decision; the verdict is stored once and its callback queued once. Safe to run again for the same
 * transaction (SQS delivers at least once): a finished transaction only has its callback queued if
 * an earlier run stopped before that.
 */
export async function verifyTransaction(deps: VerifyDeps, reference: string): Promise<VerifyResult> {
  const transaction = await deps.transactions.get(reference);
  if (transaction === undefined) return 'gone';
  if (transaction.state === 'DONE' || transaction.state === 'FAILED') {
    if (!transaction.callbackQueuedAt) {
      await queueFinalCallback(deps, reference, deps.clock.now().toISOString());
    }
    return 'already-finished';
  }
  if (transaction.state !== 'SUBMITTED' && transaction.state !== 'PROCESSING') return 'not-submitted';

  const outcome = await withIdentity(deps, transaction, await judge(deps, transaction));
  const now = deps.clock.now();
  const state =
    outcome.verificationStatus === 'APPROVED_VERIFIED' || outcome.verificationStatus.startsWith('DENIED')
      ? 'DONE'
      : 'FAILED';
  const finished = { ...transaction, state, outcome } as const;
  const options = { from: ['SUBMITTED', 'PROCESSING'] as const, keepUntil: recordExpiresAt(finished) };
  if (await deps.transactions.finish(reference, outcome, now.toISOString(), state, options)) {
    await queueFinalCallback(deps, reference, now.toISOString());
    return 'verified';
  }
  return 'already-finished';
}

/**
 * ID + Identity: the selfie against the document's photo page, once the document itself passed.
 * The engine's similarity is weak evidence (shared/domain/identity.ts says how it was measured);
 * the customer gets the score as `faceMatch` to apply a stricter threshold of its own.
 */
async function withIdentity(
  deps: VerifyDeps,
  transaction: Transaction,
  outcome: VerificationOutcome,
): Promise<VerificationOutcome> {
  if (transaction.options.verificationType !== 'ID_AND_IDENTITY') return outcome;
  const notPossible: VerificationOutcome = {
    ...outcome,
    identityVerification: { similarity: 'NOT_POSSIBLE', validity: false, reason: 'NO_FACE_PRESENT' },
  };
  const { face, front } = transaction.captures ?? {};
  if (outcome.verificationStatus !== 'APPROVED_VERIFIED') return outcome;
  if (!face || !front) return notPossible;
  const [selfie, document] = await Promise.all([
    deps.images.get(face.key, MAX_UPLOAD_BYTES),
    deps.images.get(front.key, MAX_UPLOAD_BYTES),
  ]);
  if (selfie.status !== 'ok' || document.status !== 'ok') return notPossible;
  const result = identityVerification(
    await deps.faces.compare(selfie.bytes, document.bytes),
    deps.identityThresholds,
  );
  return {
    ...outcome,
    identityVerification: result.identityVerification,
    ...(result.faceMatch !== undefined ? { faceMatch: result.faceMatch } : {}),
  };
}

async function judge(deps: VerifyDeps, transaction: Transaction): Promise<VerificationOutcome> {
  const document = transaction.document;
  if (!document) {
    return { verificationStatus: 'NO_ID_UPLOADED' };
  }
  const captures = transaction.captures ?? {};
  // The MRZ is on a passport's photo page, on the back of most ID cards (TD1), on the front of some.
  const sides = document.idType === 'PASSPORT' ? (['front'] as const) : (['back', 'front'] as const);
  let mrz: MrzReading | undefined;
  let barcode: AamvaData | undefined;
  const intaken = new Map<'front' | 'back', Buffer>();
  for (const side of sides) {
    const capture = captures[side];
    if (!capture) continue;
    const stored = await deps.images.get(capture.key, MAX_UPLOAD_BYTES);
    if (stored.status !== 'ok') {
      return {
        verificationStatus: 'ERROR_NOT_READABLE_ID',
        rejectReason: rejectReasonOf(stored.status === 'too-large' ? 'TOO_LARGE' : 'NOT_AN_IMAGE'),
      };
    }
    // The local S3 server enforces no upload policy: size and type are checked again here.
    const intake = await deps.inspector.intake(stored.bytes, {
      contentType: capture.contentType,
      maxBytes: MAX_UPLOAD_BYTES,
    });
    if (!intake.ok)
      return { verificationStatus: 'ERROR_NOT_READABLE_ID', rejectReason: rejectReasonOf(intake.reason) };
    intaken.set(side, intake.image);
    // North-American licences and ID cards carry a PDF417 on the back (some an MRZ as well; users
    // swap sides, so the front is tried too while nothing was decoded).
    if (document.idType !== 'PASSPORT' && barcode === undefined) {
      barcode = await deps.barcode.readPdf417(intake.image);
    }
    if (mrz?.valid) continue;
    const reading = await deps.mrz.read(intake.image);
    if (reading?.valid) {
      mrz = reading;
      if (barcode !== undefined || document.idType === 'PASSPORT') break;
      continue;
    }
    mrz ??= reading;
  }

  // Neither an MRZ nor a barcode: the printed fields, the front first (users swap sides).
  let printed: PrintedReading | undefined;
  if (deps.printed && document.idType !== 'PASSPORT' && mrz === undefined && barcode === undefined) {
    for (const side of ['front', 'back'] as const) {
      const image = intaken.get(side);
      if (image === undefined) continue;
      printed = await deps.printed.read(image);
      if (printed) break;
    }
  }

  const { acceptedIds } = transaction.options;
  return decide({
    chosen: document,
    preset: documentPreset(transaction.options),
    mrz,
    barcode,
    printed,
    today: deps.clock.now().toISOString().slice(0, 10),
    // The customer's accepted IDs as they were when the transaction was created.
    ...(acceptedIds ? { accepted: (country, idType) => isAccepted(acceptedIds, country, idType) } : {}),
  });
}
