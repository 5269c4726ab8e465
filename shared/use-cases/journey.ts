import { acceptedIdIssue } from '#domain/accepted-ids';
import { referenceOfAuthorizationToken } from '#domain/authorization-token';
import type { VerificationOutcome } from '#domain/callback';
import { isCountryCode } from '#domain/countries';
import { dropOffAt } from '#domain/drop-off';
import { JourneyErrorCode, ValidationError } from '#domain/errors';
import { rejectReasonOf, type UnusableReason } from '#domain/image-rules';
import {
  type CaptureRequest,
  type CaptureSource,
  documentSides,
  IMAGE_CONTENT_TYPES,
  type ImageContentType,
  imageKey,
  isImageKeyOf,
  MAX_ATTEMPTS,
  MAX_UPLOAD_BYTES,
  requiredSides,
  type SubmitRequest,
  UPLOAD_URL_LIFETIME_SECONDS,
  type UploadRequest,
} from '#domain/journey';
import { sha256 } from '#domain/secrets';
import { documentPreset } from '#domain/settings';
import { assertSessionOpen, recordExpiresAt, type Transaction } from '#domain/transaction';
import { transactionOfToken } from './open-session.ts';
import type {
  Clock,
  ImageInspector,
  ImageStore,
  Submission,
  TransactionRepository,
  WorkQueue,
} from './ports.ts';

/**
 * The capture journey after the session opened: presigned uploads, the acceptance loop, submission.
 * Every call checks the token and the session's expiry (9200/9210), not only the page's load.
 */

export interface JourneyDeps {
  transactions: TransactionRepository;
  images: ImageStore;
  inspector: ImageInspector;
  /** The callback queue: a journey that ends in error (three refusals) is reported at once. */
  callbackQueue: WorkQueue;
  clock: Clock;
  newId: () => string;
}

export interface UploadTicket {
  url: string;
  fields: Record<string, string>;
  key: string;
  maxBytes: number;
  expiresAt: string;
}

export type CaptureVerdict =
  | { accepted: true }
  | { accepted: false; reason: UnusableReason; attempt: number; attemptsLeft: number; errorCode?: number };

/** The started journey the token names, open now; else 9200 or 9210. */
async function openJourney(deps: JourneyDeps, token: string | undefined): Promise<Transaction> {
  const transaction = await transactionOfToken(deps, token);
  assertSessionOpen(transaction, deps.clock.now());
  if (transaction.state !== 'STARTED') {
    // The page opens the session before anything else; a journey not started has no session yet.
    throw new ValidationError([
      { field: '(session)', rule: 'session-open', message: 'open the session (GET /api/v4/session) first' },
    ]);
  }
  return transaction;
}

function assertSideWanted(transaction: Transaction, side: CaptureRequest['side']): void {
  if (side === 'face' && transaction.options.verificationType !== 'ID_AND_IDENTITY') {
    throw new ValidationError([
      {
        field: 'side',
        rule: 'identity-verification',
        message: 'a selfie is taken only in ID + Identity workflows',
      },
    ]);
  }
}

export async function issueUpload(
  deps: JourneyDeps,
  token: string | undefined,
  request: UploadRequest,
): Promise<UploadTicket> {
  const transaction = await openJourney(deps, token);
  assertSideWanted(transaction, request.side);
  const method = transaction.options.captureMethod;
  if (
    (method === 'CAMERA_ONLY' && request.source === 'upload') ||
    (method === 'UPLOAD_ONLY' && request.source === 'camera')
  ) {
    throw new ValidationError([
      { field: 'source', rule: 'capture-method', message: `this journey's capture method is ${method}` },
    ]);
  }
  const key = imageKey(transaction.reference, request.side, deps.newId());
  const ticket = await deps.images.presignUpload({
    key,
    contentType: request.contentType,
    maxBytes: MAX_UPLOAD_BYTES,
    expiresInSeconds: UPLOAD_URL_LIFETIME_SECONDS,
    metadata: { source: request.source },
  });
  const expiresAt = new Date(deps.clock.now().getTime() + UPLOAD_URL_LIFETIME_SECONDS * 1000).toISOString();
  return { ...ticket, key, maxBytes: MAX_UPLOAD_BYTES, expiresAt };
}

/**
 * The acceptance loop: the uploaded image is fetched, fully decoded and judged; an accepted one is
 * kept as the side's image, a refused one counts as an attempt. The third refused attempt ends the
 * journey (9835) and its final callback says ERROR_NOT_READABLE_ID with the last reason.
 */
export async function checkCapture(
  deps: JourneyDeps,
  token: string | undefined,
  request: CaptureRequest,
): Promise<CaptureVerdict> {
  const transaction = await openJourney(deps, token);
  assertSideWanted(transaction, request.side);
  if (!isImageKeyOf(request.key, transaction.reference, request.side)) {
    throw new ValidationError([
      {
        field: 'key',
        rule: 'issued-key',
        message: 'must be the key issued for this side by /api/v4/journey/uploads',
      },
    ]);
  }
  const stored = await deps.images.get(request.key, MAX_UPLOAD_BYTES);
  if (stored.status === 'absent') {
    // Nothing arrived under the key: a client mistake, not an attempt.
    throw new ValidationError([
      { field: 'key', rule: 'uploaded', message: 'nothing was uploaded under this key' },
    ]);
  }
  // Over the limit: S3's policy refuses it, the local server does not.
  const verdict: Judgement =
    stored.status === 'ok'
      ? await judge(deps, stored.bytes, stored.contentType, request.side, stored.metadata.source === 'camera')
      : { ok: false, reason: 'TOO_LARGE' };

  const now = deps.clock.now().toISOString();
  if (verdict.ok) {
    const source: CaptureSource =
      stored.status === 'ok' && stored.metadata.source === 'camera' ? 'camera' : 'upload';
    const recorded = await deps.transactions.recordCapture(
      transaction.reference,
      request.side,
      { key: request.key, contentType: verdict.contentType, source, acceptedAt: now },
      nextDropOff(transaction, now),
    );
    if (!recorded) return rejectNow(deps, transaction);
    return { accepted: true };
  }

  const attempt = await deps.transactions.recordRefusal(
    transaction.reference,
    verdict.reason,
    now,
    nextDropOff(transaction, now),
  );
  if (attempt === undefined) return rejectNow(deps, transaction);
  if (attempt < MAX_ATTEMPTS) {
    return { accepted: false, reason: verdict.reason, attempt, attemptsLeft: MAX_ATTEMPTS - attempt };
  }
  const outcome: VerificationOutcome = {
    verificationStatus: 'ERROR_NOT_READABLE_ID',
    rejectReason: rejectReasonOf(verdict.reason),
  };
  const keepUntil = recordExpiresAt({ ...transaction, state: 'FAILED', outcome });
  if (
    await deps.transactions.finish(transaction.reference, outcome, now, 'FAILED', {
      from: ['STARTED'],
      keepUntil,
    })
  ) {
    await queueFinalCallback(deps, transaction.reference, now);
  }
  return {
    accepted: false,
    reason: verdict.reason,
    attempt,
    attemptsLeft: 0,
    errorCode: JourneyErrorCode.noAcceptableSubmission,
  };
}

/** When a started journey drops off after activity at `at`, if nothing else happens. */
function nextDropOff(transaction: Transaction, at: string): number {
  return dropOffAt({ ...transaction, lastActivityAt: at }) ?? transaction.tokenExpiresAt;
}

/** The transaction moved on under this request (another tab submitted, or it expired): 9210. */
async function rejectNow(deps: JourneyDeps, transaction: Transaction): Promise<never> {
  const current = (await deps.transactions.get(transaction.reference)) ?? transaction;
  assertSessionOpen({ ...current, tokenExpiresAt: 0 }, deps.clock.now());
  throw new Error('unreachable: a closed session always throws');
}

type Judgement = { ok: true; contentType: ImageContentType } | { ok: false; reason: UnusableReason };

async function judge(
  deps: JourneyDeps,
  bytes: Buffer,
  declared: string | undefined,
  side: CaptureRequest['side'],
  fromCamera = false,
): Promise<Judgement> {
  const contentType = IMAGE_CONTENT_TYPES.find((type) => type === declared);
  if (!contentType) return { ok: false, reason: 'NOT_AN_IMAGE' };
  const intake = await deps.inspector.intake(bytes, { contentType, maxBytes: MAX_UPLOAD_BYTES });
  if (!intake.ok) return { ok: false, reason: intake.reason };
  const usability = await deps.inspector.usability(intake.image, side === 'face' ? 'selfie' : 'document');
  // "No document" looks for a card against its surroundings: an uploaded scan or a cropped photo
  // has none, so for an upload the worker judges whether it is a document at all.
  const cropped = !fromCamera && !usability.usable && usability.reason === 'NO_DOCUMENT';
  if (!usability.usable && !cropped) return { ok: false, reason: usability.reason };
  return { ok: true, contentType: intake.format === 'png' ? 'image/png' : 'image/jpeg' };
}

/**
 * Submission: the user's document choice (or the preset's) with every image it needs accepted; the
 * transaction moves to SUBMITTED, and the table's stream queues it for verification (an outbox,
 * shared/streams.ts): no message without the write; the drop-off job resends one that never came.
 *
 * One conditional write does it all: its condition is every check below, against the rule stored
 * when the session opened (`#domain/submit-rule`). Only when that write is refused (a bad token, a
 * closed session, a choice not allowed, an image missing, or a record from before the rule) is the
 * record read, to say why, or to submit it the long way.
 */
export async function submitJourney(
  deps: JourneyDeps,
  token: string | undefined,
  request: SubmitRequest,
  clientIp: string | undefined,
): Promise<{ transactionStatus: 'SUCCESS' }> {
  const reference = token === undefined ? undefined : referenceOfAuthorizationToken(token);
  const submission = (at: Date): Submission => ({
    document: { country: request.country, idType: request.idType },
    embedded: request.embedded,
    ...(clientIp ? { clientIp } : {}),
    at: at.toISOString(),
  });
  if (token !== undefined && reference !== undefined && isCountryCode(request.country)) {
    const now = deps.clock.now();
    const check = { tokenHash: sha256(token), now: now.getTime(), sides: documentSides(request.idType) };
    if (await deps.transactions.submitChecked(reference, check, submission(now))) {
      return { transactionStatus: 'SUCCESS' };
    }
  }

  const transaction = await openJourney(deps, token);
  const issues = [];
  if (!isCountryCode(request.country)) {
    issues.push({
      field: 'country',
      rule: 'iso-3166-alpha-3',
      message: 'must be an ISO 3166-1 alpha-3 code or XKX',
    });
  }
  const preset = documentPreset(transaction.options);
  if (preset.country && preset.country !== request.country) {
    issues.push({ field: 'country', rule: 'preset', message: `must be the preset's ${preset.country}` });
  }
  if (preset.idType && preset.idType !== request.idType) {
    issues.push({ field: 'idType', rule: 'preset', message: `must be the preset's ${preset.idType}` });
  }
  const notAccepted = acceptedIdIssue(transaction.options.acceptedIds, request.country, request.idType);
  if (notAccepted) issues.push(notAccepted);
  const captures = transaction.captures ?? {};
  for (const side of requiredSides(request.idType, transaction.options.verificationType)) {
    if (!captures[side]) {
      issues.push({ field: side, rule: 'captured', message: `the ${side} image has not been accepted yet` });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);

  // Every check passed on the record as read: a record from before the rule, or one that moved on
  // since the write above. The plain transition settles which.
  if (!(await deps.transactions.submit(transaction.reference, submission(deps.clock.now())))) {
    return rejectNow(deps, transaction);
  }
  return { transactionStatus: 'SUCCESS' };
}

/** Queues the final callback of a finished transaction and notes that it did. */
export async function queueFinalCallback(
  deps: { callbackQueue: WorkQueue; transactions: TransactionRepository },
  reference: string,
  at: string,
): Promise<void> {
  await deps.callbackQueue.send({ reference, kind: 'final' });
  await deps.transactions.markCallbackQueued(reference, at);
}
