/**
 * The typed error hierarchy. Each error carries the HTTP status and a stable machine code;
 * one middleware (shared/http/api.ts) maps them to responses, so no handler decides a status.
 */

export interface FieldIssue {
  /** The request field (a body path such as `presets[0].country`, or a header name). */
  field: string;
  /** A stable, machine-readable rule name such as `max-length` or `https-only`. */
  rule: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'validation_failed';
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[]) {
    super(issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '));
    this.issues = issues;
  }
}

export class Unauthorized extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class NotFound extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class Conflict extends AppError {
  readonly status = 409;
  readonly code = 'conflict';
}

export class NotAcceptable extends AppError {
  readonly status = 406;
  readonly code = 'not_acceptable';
}

export class PayloadTooLarge extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaType extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

/**
 * The journey's error codes (seed 000, "After the user journey"). The journey page shows them and
 * appends them to the error URL, so they are part of the wire contract.
 */
export const JourneyErrorCode = {
  serverError: 9100,
  tokenInvalid: 9200,
  sessionExpired: 9210,
  imageTransmission: 9300,
  verificationStep: 9400,
  noNetwork: 9800,
  clientError: 9801,
  serverCommunication: 9810,
  uploadDisabledNoCamera: 9820,
  livenessFailed: 9821,
  cameraUnsupported: 9822,
  noAcceptableSubmission: 9835,
} as const;
export type JourneyErrorCode = (typeof JourneyErrorCode)[keyof typeof JourneyErrorCode];

/** The journey's session could not be opened: the token is missing, unknown or expired. */
export class SessionRejected extends AppError {
  readonly status = 401;
  readonly code = 'session_rejected';
  readonly errorCode: JourneyErrorCode;
  /** False when the request carried no token at all (RFC 6750 §3.1: then no error code in the challenge). */
  readonly tokenSent: boolean;
  constructor(
    errorCode: typeof JourneyErrorCode.tokenInvalid | typeof JourneyErrorCode.sessionExpired,
    { tokenSent = true }: { tokenSent?: boolean } = {},
  ) {
    super(
      errorCode === JourneyErrorCode.sessionExpired
        ? 'The session expired after the journey started.'
        : 'The authorization token is missing, invalid or expired.',
    );
    this.errorCode = errorCode;
    this.tokenSent = tokenSent;
  }
}
