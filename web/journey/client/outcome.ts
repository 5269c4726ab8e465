/**
 * The end of the journey as the integrator sees it (seed 000, "Displaying Netverify" and "After the
 * user journey"): the eventType 510 messages and the success/error redirect URLs. Pure functions;
 * `notify` alone touches `window`.
 */

export interface References {
  authorizationToken: string;
  transactionReference?: string;
  customerInternalReference?: string;
}

export type EventValue = 'loaded' | 'success' | 'error';

/** The event's JSON, with exactly the seed's fields; `metainfo.code` on errors only. */
export function eventJson(refs: References, value: EventValue, now: Date, code?: number): string {
  return JSON.stringify({
    authorizationToken: refs.authorizationToken,
    transactionReference: refs.transactionReference,
    customerInternalReference: refs.customerInternalReference,
    eventType: 510,
    // toISOString is the seed's YYYY-MM-DDThh:mm:ss.SSSZ, always in UTC.
    dateTime: now.toISOString(),
    payload: code === undefined ? { value } : { value, metainfo: { code } },
  });
}

interface EventWindow {
  parent: unknown;
  __NVW_WEBVIEW__?: unknown;
  __NVW_WEBVIEW_HANDLER__?: { postMessage?: (data: string) => void };
  webkit?: { messageHandlers?: { __NVW_WEBVIEW_HANDLER__?: { postMessage?: (data: string) => void } } };
}

/**
 * Where events go: a native WebView's handler when the app set `__NVW_WEBVIEW__` (Android injects an
 * object, iOS registers a WKScriptMessageHandler), the parent page when embedded, nowhere standalone.
 */
export function notify(win: Window, json: string): void {
  const w = win as unknown as EventWindow;
  if (w.__NVW_WEBVIEW__ === true) {
    const android = w.__NVW_WEBVIEW_HANDLER__;
    const ios = w.webkit?.messageHandlers?.__NVW_WEBVIEW_HANDLER__;
    if (typeof android?.postMessage === 'function') android.postMessage(json);
    else if (typeof ios?.postMessage === 'function') ios.postMessage(json);
    return;
  }
  // The integrator's origin is not known to the journey, and the events carry no PII (seed 000).
  if (win.parent !== win) win.parent.postMessage(json, '*');
}

/**
 * `url` with the seed's parameters appended to whatever query it has, leaving that query exactly as
 * the customer wrote it (a URL object would re-encode it). Success and error URLs carry no fragment
 * (seed 003), but one is kept after the query if present.
 */
export function redirectUrl(
  url: string,
  refs: Omit<References, 'authorizationToken'>,
  outcome: { status: 'SUCCESS' } | { status: 'ERROR'; code: number },
): string {
  const params = new URLSearchParams({ transactionStatus: outcome.status });
  if (refs.customerInternalReference !== undefined) {
    params.set('customerInternalReference', refs.customerInternalReference);
  }
  if (refs.transactionReference !== undefined) params.set('transactionReference', refs.transactionReference);
  if (outcome.status === 'ERROR') params.set('errorCode', String(outcome.code));
  const hashAt = url.indexOf('#');
  const base = hashAt < 0 ? url : url.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : url.slice(hashAt);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${params}${hash}`;
}
