import * as z from './zod.ts';

/**
 * The result callback (Netverify's callback guide, "Callback for Netverify"): what is sent, when it is
 * retried and how a receiver's answer is read. Pure: the caller passes every time it needs.
 *
 * The body is Netverify's form-encoded POST, field for field, so an integrator's existing receiver
 * keeps working; what Netverify leaves undocumented is done the Standard Webhooks way (signature
 * headers, the retry schedule, 410 to unsubscribe).
 */

export const VERIFICATION_STATUSES = [
  'APPROVED_VERIFIED',
  'DENIED_FRAUD',
  'DENIED_UNSUPPORTED_ID_TYPE',
  'DENIED_UNSUPPORTED_ID_COUNTRY',
  'ERROR_NOT_READABLE_ID',
  'NO_ID_UPLOADED',
] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** How the images reached us; `API` is performNetverify. */
export const ID_SCAN_SOURCES = [
  'WEB',
  'WEB_CAM',
  'WEB_UPLOAD',
  'REDIRECT',
  'REDIRECT_CAM',
  'REDIRECT_UPLOAD',
  'API',
] as const;
export type IdScanSource = (typeof ID_SCAN_SOURCES)[number];

export type IdType = 'PASSPORT' | 'DRIVING_LICENSE' | 'ID_CARD' | 'VISA';
export type MrzCheck = 'OK' | 'NOT_OK' | 'NOT_AVAILABLE';
export type ImageClassifier = 'front' | 'back' | 'face';

export interface RejectReasonDetail {
  /** e.g. `1001` (a detail of 100) or `2001` (a detail of 200). */
  detailsCode: string;
  /** e.g. `PHOTO`, `BLURRED`. */
  detailsDescription: string;
}

export interface RejectReason {
  /** e.g. `100` for DENIED_FRAUD, `200` for ERROR_NOT_READABLE_ID. */
  rejectReasonCode: string;
  /** e.g. `MANIPULATED_DOCUMENT`, `NOT_READABLE_DOCUMENT`. */
  rejectReasonDescription: string;
  /** Only for codes 100 and 200. */
  rejectReasonDetails?: RejectReasonDetail[];
}

export type IdentityVerificationReason =
  | 'SELFIE_CROPPED_FROM_ID'
  | 'ENTIRE_ID_USED_AS_SELFIE'
  | 'MULTIPLE_PEOPLE'
  | 'SELFIE_IS_SCREEN_PAPER_VIDEO'
  | 'SELFIE_MANIPULATED'
  | 'AGE_DIFFERENCE_TOO_BIG'
  | 'NO_FACE_PRESENT'
  | 'FACE_NOT_FULLY_VISIBLE'
  | 'BAD_QUALITY'
  | 'BLACK_AND_WHITE'
  | 'LIVENESS_FAILED';

export interface IdentityVerification {
  /** Is the person on the selfie the one on the document? */
  similarity: 'MATCH' | 'NO_MATCH' | 'NOT_POSSIBLE';
  /** Is it a live person? Sent as `"TRUE"`/`"FALSE"`, the values the guide's table lists. */
  validity: boolean;
  /** Only when not valid. */
  reason?: IdentityVerificationReason;
}

/**
 * What the verification decided and read. `idScanStatus` is not part of it: the guide defines it
 * from `verificationStatus` (SUCCESS exactly when approved), so it cannot disagree.
 */
export interface VerificationOutcome {
  verificationStatus: VerificationStatus;
  idType?: IdType;
  /** e.g. `NATIONAL_ID`, `REGULAR_DRIVING_LICENSE`. */
  idSubtype?: string;
  /** ISO 3166-1 alpha-3, or `XKX`. */
  idCountry?: string;
  idNumber?: string;
  idFirstName?: string;
  idLastName?: string;
  /** `YYYY-MM-DD`. */
  idDob?: string;
  /** `YYYY-MM-DD`. */
  idExpiry?: string;
  idUsState?: string;
  personalNumber?: string;
  optionalData1?: string;
  optionalData2?: string;
  gender?: 'M' | 'F';
  /** ISO 3166-1 alpha-3. */
  nationality?: string;
  mrzCheck?: MrzCheck;
  /** Sent only with DENIED_FRAUD and ERROR_NOT_READABLE_ID, as the guide says. */
  rejectReason?: RejectReason;
  /** Sent only with APPROVED_VERIFIED, as the guide says. */
  identityVerification?: IdentityVerification;
  /** 0–100; the retrieval API reports it, the callback does not. */
  faceMatch?: number;
}

/**
 * Which extracted fields the customer receives (seed 003, "Data settings"), all on by default. Date of
 * birth, ID number and the names are read from every supported ID; expiry, US state and personal
 * number when the ID has them; the MRZ check for passports and the ID cards that carry an MRZ.
 */
export const DataFields = z.strictObject({
  idNumber: z._default(z.boolean(), true),
  firstName: z._default(z.boolean(), true),
  lastName: z._default(z.boolean(), true),
  dateOfBirth: z._default(z.boolean(), true),
  expiryDate: z._default(z.boolean(), true),
  usState: z._default(z.boolean(), true),
  personalNumber: z._default(z.boolean(), true),
  mrzCheck: z._default(z.boolean(), true),
});
export type DataFieldSettings = z.output<typeof DataFields>;

/**
 * Embed as `z._default(DataFields, DEFAULT_DATA_FIELDS)` (or `z.prefault(DataFields, {})`): zod 4
 * returns a `_default` value as it is, without filling in the inner defaults.
 */
export const DEFAULT_DATA_FIELDS: DataFieldSettings = DataFields.parse({});

export interface CallbackTransaction {
  reference: string;
  customerInternalReference: string;
  /** Netverify's `customerId`; performNetverify may leave it out. */
  userReference?: string;
  reportingCriteria?: string;
  /** When the transaction was created: a Date or an ISO-8601 string. */
  createdAt: Date | string;
  presetCountry?: string;
  presetIdType?: string;
  clientIp?: string;
  source: IdScanSource;
  firstAttemptDate?: Date | string;
}

export interface CallbackFormInput {
  transaction: CallbackTransaction;
  outcome: VerificationOutcome;
  dataFields: DataFieldSettings;
  /** The retrieval API's origin, e.g. `https://verify.example.com`; without it no image URLs. */
  imageBaseUrl?: string;
  /** The images stored for the transaction; a URL is sent for each of these only. */
  images?: readonly ImageClassifier[];
  callbackDate: Date;
}

const IMAGE_FIELDS: Record<ImageClassifier, string> = {
  front: 'idScanImage',
  back: 'idScanImageBackside',
  face: 'idScanImageFace',
};

const CHECK_FIELDS = [
  'idCheckDataPositions',
  'idCheckDocumentValidation',
  'idCheckHologram',
  'idCheckMRZcode',
  'idCheckMicroprint',
  'idCheckSecurityFeatures',
  'idCheckSignature',
] as const;

/** The callback body: the guide's fields in the guide's formats, filtered by the data settings. */
export function callbackForm(input: CallbackFormInput): URLSearchParams {
  const { transaction, outcome, dataFields } = input;
  const approved = outcome.verificationStatus === 'APPROVED_VERIFIED';
  const form = new URLSearchParams();
  const put = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') form.append(name, value);
  };

  put('callBackType', 'NETVERIFYID');
  put('jumioIdScanReference', transaction.reference);
  put('verificationStatus', outcome.verificationStatus);
  put('idScanStatus', approved ? 'SUCCESS' : 'ERROR');
  put('idScanSource', transaction.source);
  for (const field of CHECK_FIELDS) {
    // The MRZ check is OK only when it ran (enabled, and the document has an MRZ) and passed.
    const passed = field === 'idCheckMRZcode' ? dataFields.mrzCheck && outcome.mrzCheck === 'OK' : true;
    put(field, approved && passed ? 'OK' : 'N/A');
  }
  put('transactionDate', timestamp(transaction.createdAt));
  put('callbackDate', timestamp(input.callbackDate));

  if (approved && outcome.identityVerification !== undefined) {
    const { similarity, validity, reason } = outcome.identityVerification;
    put(
      'identityVerification',
      JSON.stringify({ similarity, validity: validity ? 'TRUE' : 'FALSE', ...(reason && { reason }) }),
    );
  }
  put('idType', outcome.idType);
  put('idSubtype', outcome.idSubtype);
  put('idCountry', outcome.idCountry);
  const rejected =
    outcome.verificationStatus === 'DENIED_FRAUD' || outcome.verificationStatus === 'ERROR_NOT_READABLE_ID';
  if (rejected && outcome.rejectReason !== undefined) {
    const { rejectReasonCode, rejectReasonDescription, rejectReasonDetails } = outcome.rejectReason;
    put(
      'rejectReason',
      JSON.stringify({
        rejectReasonCode,
        rejectReasonDescription,
        ...(rejectReasonDetails !== undefined &&
          rejectReasonDetails.length > 0 && {
            rejectReasonDetails: rejectReasonDetails.map(({ detailsCode, detailsDescription }) => ({
              detailsCode,
              detailsDescription,
            })),
          }),
      }),
    );
  }
  putImageUrls(input, put);

  // Seed 003: the MRZ check reads date of birth, expiry and personal number, and the callback then
  // returns them (when the ID has them) even where their own switch is off.
  const mrz = dataFields.mrzCheck;
  if (dataFields.idNumber) put('idNumber', outcome.idNumber);
  if (dataFields.firstName) put('idFirstName', outcome.idFirstName);
  if (dataFields.lastName) put('idLastName', outcome.idLastName);
  if (dataFields.dateOfBirth || mrz) put('idDob', outcome.idDob);
  if (dataFields.expiryDate || mrz) put('idExpiry', outcome.idExpiry);
  if (dataFields.usState) put('idUsState', outcome.idUsState);
  if (dataFields.personalNumber || mrz) put('personalNumber', outcome.personalNumber);

  put('merchantIdScanReference', transaction.customerInternalReference);
  put('merchantReportingCriteria', transaction.reportingCriteria);
  put('customerId', transaction.userReference);
  put('clientIp', transaction.clientIp);
  put('firstAttemptDate', transaction.firstAttemptDate && timestamp(transaction.firstAttemptDate));
  put('optionalData1', outcome.optionalData1);
  put('optionalData2', outcome.optionalData2);
  put('gender', outcome.gender);
  put('presetCountry', transaction.presetCountry);
  put('presetIdType', transaction.presetIdType);
  put('nationality', outcome.nationality);
  return form;
}

/**
 * `callbackGranularity=onAllSteps`'s extra callback, when the images are received: Netverify's form
 * with `idScanStatus=PENDING` and no verdict, the references, the dates and the image URLs.
 */
export function receivedForm(input: Omit<CallbackFormInput, 'outcome' | 'dataFields'>): URLSearchParams {
  const { transaction } = input;
  const form = new URLSearchParams();
  const put = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') form.append(name, value);
  };
  put('callBackType', 'NETVERIFYID');
  put('jumioIdScanReference', transaction.reference);
  put('idScanStatus', 'PENDING');
  put('idScanSource', transaction.source);
  put('transactionDate', timestamp(transaction.createdAt));
  put('callbackDate', timestamp(input.callbackDate));
  putImageUrls(input, put);
  put('merchantIdScanReference', transaction.customerInternalReference);
  put('merchantReportingCriteria', transaction.reportingCriteria);
  put('customerId', transaction.userReference);
  return form;
}

function putImageUrls(
  input: Pick<CallbackFormInput, 'imageBaseUrl' | 'images' | 'transaction'>,
  put: (name: string, value: string | undefined) => void,
): void {
  if (input.imageBaseUrl === undefined) return;
  const base = `${input.imageBaseUrl.replace(/\/+$/, '')}/api/netverify/v2/scans/${encodeURIComponent(input.transaction.reference)}/images`;
  for (const classifier of ['front', 'back', 'face'] as const) {
    if (input.images?.includes(classifier)) put(IMAGE_FIELDS[classifier], `${base}/${classifier}`);
  }
}

/** `YYYY-MM-DDThh:mm:ss.SSSZ`, in UTC. */
function timestamp(value: Date | string): string {
  return new Date(value).toISOString();
}

// ─── Delivery ────────────────────────────────────────────────────────────────────────────────────

/** One delivery attempt, as the sender needs it. */
export interface CallbackRequest {
  url: string;
  /** The same on every attempt of one callback, so the receiver can drop duplicates. */
  webhookId: string;
  /** Signed into `webhook-timestamp`; the time of this attempt. */
  timestamp: Date;
  /** The form-encoded body. */
  body: string;
  /** `whsec_…`: one while stable, two during a rotation; one signature each. */
  secrets: string[];
}

/**
 * - `delivered`: the receiver answered 2xx.
 * - `retry`: a failed attempt; try again on the schedule.
 * - `gone`: the receiver answered 410, asking for no more attempts of this callback.
 * - `refused`: not sent, by our own rules (an address that is not public, an unusable URL, no usable
 *   secret). Nothing went out. Retrying on the schedule re-checks the address each time, which lets
 *   a customer who fixes their DNS or their settings still receive the callback.
 */
export type AttemptOutcome = 'delivered' | 'retry' | 'gone' | 'refused';

export type DeliveryErrorClass =
  | 'timeout'
  | 'connection_reset'
  | 'connection_refused'
  | 'tls'
  | 'dns'
  | 'ssrf_blocked'
  | 'http_status'
  | 'redirect'
  | 'invalid_url'
  | 'invalid_secret';

/** What happened to one attempt; what the customer sees in the attempt log. */
export interface AttemptResult {
  outcome: AttemptOutcome;
  statusCode?: number;
  latencyMs: number;
  errorClass?: DeliveryErrorClass;
  /** The receiver's `Retry-After`, in seconds, capped at `MAX_RETRY_AFTER_SECONDS`. */
  retryAfterSeconds?: number;
}

/** The port the delivery use case sends through. Never throws: every failure is an `AttemptResult`. */
export interface CallbackSender {
  send(request: CallbackRequest): Promise<AttemptResult>;
}

/** What the sender observed: a response's status line, or a failure before any response. */
export type Observation =
  | { statusCode: number; retryAfter?: string | undefined }
  | { failure: 'timeout' | 'connection_reset' | 'connection_refused' | 'tls' | 'dns' };

export type Classification = Omit<AttemptResult, 'latencyMs' | 'statusCode'>;

/** Longer waits than a day are not honoured: the whole schedule spans about three days. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * Whether an attempt delivered the callback, failed (retry), or was answered 410 Gone (stop, as
 * Standard Webhooks receivers use it to unsubscribe). Any other status, redirects included, is a
 * failed attempt: a receiver that moved must update its URL, since following a redirect would let it
 * point us anywhere. `now` reads a `Retry-After` given as an HTTP date.
 */
export function classifyResponse(observation: Observation, now: Date): Classification {
  if ('failure' in observation) return { outcome: 'retry', errorClass: observation.failure };
  const { statusCode } = observation;
  if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered' };
  if (statusCode === 410) return { outcome: 'gone', errorClass: 'http_status' };
  const errorClass = statusCode >= 300 && statusCode < 400 ? 'redirect' : 'http_status';
  const retryAfterSeconds = parseRetryAfter(observation.retryAfter, now);
  return { outcome: 'retry', errorClass, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) };
}

/** `Retry-After` (RFC 9110): delay-seconds or an HTTP date; capped; undefined when unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else {
    // Only the RFC's date forms (IMF-fixdate, RFC 850, asctime), which all open with a weekday:
    // Date.parse alone accepts "1" or "May". asctime names no zone; HTTP dates are all GMT.
    if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /.test(text)) return undefined;
    const at = Date.parse(/ GMT$/.test(text) ? text : `${text} GMT`);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - now.getTime()) / 1000);
  }
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS);
}

/**
 * Standard Webhooks' schedule: the wait before each attempt, from the previous one (immediately,
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h); after the tenth attempt, the dead letter.
 */
export const STANDARD_WEBHOOKS_SCHEDULE_SECONDS: readonly number[] = [
  0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400,
];

/**
 * The wait before the next attempt, given how many were made; undefined when the schedule is spent
 * (dead letter). A receiver's `Retry-After` lengthens the wait, but never beyond the longest step of
 * the schedule in force, so a compressed schedule for tests stays compressed.
 */
export function nextAttemptDelay(
  schedule: readonly number[],
  attemptsMade: number,
  retryAfterSeconds?: number,
): number | undefined {
  const step = schedule[attemptsMade];
  if (step === undefined) return undefined;
  if (retryAfterSeconds === undefined) return step;
  return Math.max(step, Math.min(retryAfterSeconds, Math.max(...schedule)));
}

/** SQS refuses a message `DelaySeconds` above 15 minutes. */
export const SQS_MAX_DELAY_SECONDS = 900;

/**
 * The `DelaySeconds` to enqueue a wait of `remainingSeconds` with. Most of the schedule is longer
 * than SQS's 15-minute maximum, so a longer wait is taken in 15-minute hops: the message carries the
 * time still to wait, and a consumer that receives it early re-enqueues it with the rest (at most 96
 * hops for the 24 h step) instead of attempting. That keeps one mechanism (the queue that already
 * gives retries, the DLQ and partial batch failures) where EventBridge Scheduler would add a schedule
 * per callback, its own IAM role and its own failure path; the hops cost a few SQS requests per
 * callback, nothing beside the per-request price.
 */
export function sqsDelayChunk(remainingSeconds: number): number {
  if (!Number.isFinite(remainingSeconds) || remainingSeconds <= 0) return 0;
  return Math.min(Math.ceil(remainingSeconds), SQS_MAX_DELAY_SECONDS);
}

export const RETRY_SCHEDULE_VARIABLE = 'OPENVERIFY_RETRY_SCHEDULE';
/** A week: anything longer in one step is a typo, not a schedule. */
const MAX_STEP_SECONDS = 7 * 86_400;
const MAX_STEPS = 50;

/** `"0,1,2,4"` → `[0, 1, 2, 4]`; what is wrong with it otherwise, naming the variable and the item. */
export function checkRetrySchedule(
  text: string,
): { schedule: number[]; problem?: undefined } | { problem: string } {
  const items = text.split(',').map((item) => item.trim());
  if (items.length > MAX_STEPS) {
    return { problem: `${RETRY_SCHEDULE_VARIABLE}: at most ${MAX_STEPS} attempts, got ${items.length}` };
  }
  const schedule: number[] = [];
  for (const [index, item] of items.entries()) {
    if (!/^\d+$/.test(item) || Number(item) > MAX_STEP_SECONDS) {
      return {
        problem:
          `${RETRY_SCHEDULE_VARIABLE}: item ${index + 1} (${JSON.stringify(item)}) must be a whole number ` +
          `of seconds from 0 to ${MAX_STEP_SECONDS}; expected a comma-separated list such as "0,1,2,4"`,
      };
    }
    schedule.push(Number(item));
  }
  return { schedule };
}

/** Reads `OPENVERIFY_RETRY_SCHEDULE`; throws an Error naming the variable and the bad item. */
export function parseRetrySchedule(text: string): number[] {
  const result = checkRetrySchedule(text);
  if (result.problem !== undefined) throw new Error(result.problem);
  return result.schedule;
}

/** For `readConfig`: the variable as a schedule, its problems as issues. */
export const RetryScheduleVariable = z.pipe(
  z.string(),
  z.transform((text: string, context) => {
    const result = checkRetrySchedule(text);
    if (result.problem === undefined) return result.schedule;
    context.issues.push({ code: 'custom', message: result.problem, input: text });
    return z.NEVER;
  }),
);

/** A URL as it may appear in logs: no query string (it may carry tokens), no user info. */
export function urlForLogs(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
