import type { CaptureMethod, IdType, RefusalReason, Side, Source } from './machine.ts';

/**
 * The journey's API client: same-origin JSON calls with the page's authorization token, and the
 * presigned POST straight to the image bucket. Every failure becomes a `JourneyError` carrying the
 * seed's error code, so main.ts has one way to end the journey.
 */

export interface AcceptedDocument {
  /** ISO 3166-1 alpha-3, or XKX. */
  country: string;
  /** ISO 3166-1 alpha-2 for Intl.DisplayNames (XK for XKX). */
  region: string;
  types: IdType[];
}

/** Colours and image URLs for the page's locale, already resolved along the portal's fallback order. */
export interface Branding {
  primaryColor?: string;
  secondaryColor?: string;
  headerImage?: string;
  successImage?: string;
  errorImage?: string;
}

export interface Session {
  transactionReference: string;
  customerInternalReference: string;
  workflowId: number;
  verificationType: string;
  captureMethod: CaptureMethod;
  locale: string;
  skipIntro: boolean;
  presets?: Array<{ index: number; country?: string; type?: string; phrase?: string }>;
  expiresAt: string;
  branding?: Branding;
  successUrl?: string;
  errorUrl?: string;
  acceptedDocuments?: AcceptedDocument[];
  /** The customer's default locale, when the server sends it (the catalogue fallback uses it). */
  defaultLocale?: string;
}

export interface UploadTicket {
  url: string;
  fields: Record<string, string>;
  key: string;
  maxBytes: number;
  expiresAt: string;
}

export type Verdict =
  | { accepted: true }
  | { accepted: false; reason: RefusalReason; attempt: number; attemptsLeft: number; errorCode?: number };

export class JourneyError extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`journey error ${code}`);
    this.code = code;
  }
}

export interface JourneyApi {
  session(): Promise<Session>;
  uploadTicket(request: {
    side: Side;
    contentType: string;
    size: number;
    source: Source;
  }): Promise<UploadTicket>;
  upload(ticket: UploadTicket, image: Blob): Promise<void>;
  capture(request: { side: Side; key: string }): Promise<Verdict>;
  submit(request: {
    country: string;
    idType: IdType;
    embedded: boolean;
  }): Promise<{ transactionStatus: string }>;
}

/** The code for a request that never got an answer: offline (9800) or the server unreachable (9810). */
function networkError(): JourneyError {
  return new JourneyError(typeof navigator !== 'undefined' && navigator.onLine === false ? 9800 : 9810);
}

export function createApi(token: string, fetcher: typeof fetch = fetch.bind(globalThis)): JourneyApi {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetcher(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw networkError();
    }
    const data = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (response.status === 401) {
      // Any call may find the session gone: 9210 once the journey started, 9200 for a bad token.
      throw new JourneyError(data?.errorCode === 9210 ? 9210 : 9200);
    }
    if (!response.ok || data === undefined) throw new JourneyError(response.status >= 500 ? 9100 : 9810);
    return data as T;
  }

  return {
    session: () => call<Session>('GET', '/api/v4/session'),
    uploadTicket: (request) => call<UploadTicket>('POST', '/api/v4/journey/uploads', request),
    async upload(ticket, image) {
      // S3's presigned POST: the policy's fields first, the file last. No token: the policy is the credential.
      const form = new FormData();
      for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
      form.append('file', image, image.type === 'image/png' ? 'capture.png' : 'capture.jpg');
      let response: Response;
      try {
        response = await fetcher(ticket.url, { method: 'POST', body: form, credentials: 'omit' });
      } catch {
        if (typeof navigator !== 'undefined' && navigator.onLine === false) throw new JourneyError(9800);
        throw new JourneyError(9300);
      }
      if (!response.ok) throw new JourneyError(9300);
    },
    capture: (request) => call<Verdict>('POST', '/api/v4/journey/captures', request),
    submit: (request) => call<{ transactionStatus: string }>('POST', '/api/v4/journey/submit', request),
  };
}
