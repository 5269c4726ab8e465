import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { isPublicAddress } from '#domain/address-policy';
import {
  type AttemptResult,
  type CallbackRequest,
  type CallbackSender,
  classifyResponse,
  type Observation,
} from '#domain/callback';

/**
 * Delivers one callback attempt over HTTP(S), signed by Standard Webhooks, behind the SSRF guard:
 * the host is resolved once, every address it resolves to must be public, and the connection goes to
 * the address that was checked (a custom `lookup` hands it to the socket, so no second resolution
 * can be rebound elsewhere), while TLS still verifies the certificate against the host name.
 * Redirects are not followed. Each attempt has one deadline covering DNS, connect, TLS, the request
 * and the response. `send` never throws and logs nothing: the caller records the `AttemptResult`.
 */

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface HttpCallbackSenderOptions {
  /** Deliver to private and loopback addresses, and over plain http: local development and tests. */
  allowPrivate?: boolean;
  /** Resolves a host name to all its addresses; `dns.lookup(host, { all: true })` by default. */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** The whole attempt, from DNS to the last byte read. */
  timeoutMs?: number;
  /**
   * `OPENVERIFY_CALLBACK_FORWARD_TO`: deliver every callback to this URL instead (loopback and http
   * allowed), with the original URL in `x-openverify-original-url`, like `stripe listen --forward-to`.
   */
  forwardTo?: string;
  /** Extra trusted CA certificates (PEM), for tests and private deployments. */
  ca?: string | Buffer;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** The response body is read and dropped, and no more than this much of it. */
export const MAX_RESPONSE_BYTES = 4096;
export const USER_AGENT = 'openverify-callbacks/1';
export const ORIGINAL_URL_HEADER = 'x-openverify-original-url';

type Failure = Extract<Observation, { failure: unknown }>['failure'];

const systemLookup = async (hostname: string): Promise<ResolvedAddress[]> =>
  dnsLookup(hostname, { all: true, verbatim: true });

export function createHttpCallbackSender(options: HttpCallbackSenderOptions = {}): CallbackSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const resolve = options.lookup ?? systemLookup;
  const forwardTo = options.forwardTo === undefined ? undefined : checkForwardTo(options.forwardTo);
  // Forwarding is a developer's own machine: its target may be loopback and plain http.
  const allowPrivate = options.allowPrivate === true || forwardTo !== undefined;

  async function attempt(
    request: CallbackRequest,
    deadline: number,
  ): Promise<Omit<AttemptResult, 'latencyMs'>> {
    const signature = sign(request);
    if (signature === undefined) return { outcome: 'refused', errorClass: 'invalid_secret' };

    const original = parseTarget(request.url, allowPrivate);
    const url = forwardTo === undefined ? original : new URL(forwardTo);
    if (url === undefined || original === undefined) return { outcome: 'refused', errorClass: 'invalid_url' };
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');

    let addresses: ResolvedAddress[];
    if (isIP(host) !== 0) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      const answer = Promise.resolve()
        .then(() => resolve(host))
        .catch(() => undefined);
      const resolved = await withDeadline(answer, deadline);
      if (resolved === undefined || resolved === 'timeout' || !Array.isArray(resolved)) {
        return { outcome: 'retry', errorClass: 'dns' };
      }
      addresses = resolved;
    }
    if (addresses.length === 0 || addresses.some(({ address }) => isIP(address) === 0)) {
      return { outcome: 'retry', errorClass: 'dns' };
    }
    // Every address, not only the one used: a name with one private answer is being aimed inward.
    if (!allowPrivate && addresses.some(({ address }) => !isPublicAddress(address))) {
      return { outcome: 'refused', errorClass: 'ssrf_blocked' };
    }
    const [target] = addresses as [ResolvedAddress, ...ResolvedAddress[]];

    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'content-length': Buffer.byteLength(request.body),
      'user-agent': USER_AGENT,
      'webhook-id': request.webhookId,
      'webhook-timestamp': String(Math.floor(request.timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    };
    if (forwardTo !== undefined) headers[ORIGINAL_URL_HEADER] = original.href;

    const observation = await post(url, host, target, headers, request.body, deadline, options.ca);
    const classified = classifyResponse(observation, request.timestamp);
    return 'statusCode' in observation ? { ...classified, statusCode: observation.statusCode } : classified;
  }

  return {
    async send(request) {
      const started = performance.now();
      let result: Omit<AttemptResult, 'latencyMs'>;
      try {
        result = await attempt(request, started + timeoutMs);
      } catch {
        // Not expected (every step reports its own failures); a failed attempt all the same.
        result = { outcome: 'retry', errorClass: 'connection_reset' };
      }
      return { ...result, latencyMs: Math.round(performance.now() - started) };
    },
  };
}

/** One `v1,…` signature per secret, space-separated; undefined when there is no usable secret. */
function sign(request: CallbackRequest): string | undefined {
  if (request.secrets.length === 0) return undefined;
  try {
    return request.secrets
      .map((secret) => new Webhook(secret).sign(request.webhookId, request.timestamp, request.body))
      .join(' ');
  } catch {
    return undefined;
  }
}

function parseTarget(raw: string, allowHttp: boolean): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return undefined;
  if (url.username !== '' || url.password !== '' || url.hostname === '') return undefined;
  return url;
}

function checkForwardTo(raw: string): string {
  const url = parseTarget(raw, true);
  if (url === undefined) {
    throw new Error('OPENVERIFY_CALLBACK_FORWARD_TO must be an http:// or https:// URL without credentials');
  }
  return url.href;
}

async function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - performance.now()));
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function post(
  url: URL,
  host: string,
  target: ResolvedAddress,
  headers: http.OutgoingHttpHeaders,
  body: string,
  deadline: number,
  ca: string | Buffer | undefined,
): Promise<Observation> {
  return new Promise((resolve) => {
    const secure = url.protocol === 'https:';
    // The socket asks this for the host's address and gets the checked one, never a fresh answer.
    const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    let settled = false;
    let response: { statusCode: number; retryAfter?: string | undefined } | undefined;

    const settle = (observation: Observation): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(observation);
      request.destroy();
    };
    // After the status line, a slow or endless body no longer changes the answer: stop reading.
    const fail = (failure: Failure): void => settle(response ?? { failure });

    let request: http.ClientRequest;
    try {
      request = (secure ? https : http).request({
        protocol: url.protocol,
        host,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        lookup: pinned,
        family: target.family,
        // A fresh connection per attempt: a pooled socket would skip the check made for this one.
        agent: false,
        ...(secure && isIP(host) === 0 && { servername: host }),
        ...(secure && ca !== undefined && { ca }),
      });
    } catch {
      // Node refuses some header values (control characters in the original URL, say).
      resolve({ failure: 'connection_refused' });
      return;
    }
    const timer = setTimeout(() => fail('timeout'), Math.max(0, deadline - performance.now()));

    request.on('response', (incoming) => {
      const retryAfter = incoming.headers['retry-after'];
      response = { statusCode: incoming.statusCode ?? 0, retryAfter };
      let received = 0;
      incoming.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= MAX_RESPONSE_BYTES && response !== undefined) settle(response);
      });
      incoming.on('end', () => response !== undefined && settle(response));
      incoming.on('error', () => response !== undefined && settle(response));
      incoming.on('close', () => response !== undefined && settle(response));
    });
    request.on('error', (error) => fail(failureOf(error)));
    request.end(body);
  });
}

const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$)/;

function failureOf(error: unknown): Failure {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return 'connection_reset';
  if (TLS_CODE.test(code)) return 'tls';
  switch (code) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return 'connection_refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    default:
      // ECONNRESET, EPIPE, ECONNABORTED, a malformed response (HPE_*): the exchange broke off.
      return 'connection_reset';
  }
}
