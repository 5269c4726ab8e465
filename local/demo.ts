import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { IssuedCredential } from '#domain/customer';
import { LOCALES } from '#domain/locales';
import { WORKFLOWS } from '#domain/workflows';

/**
 * The demo integrator, local only: a page at `/demo` with a form (workflow, which fixes the capture
 * method; locale; an index-1 preset of country and document type; optional success and error URLs)
 * that creates a transaction with the demo customer's credentials, embeds its journey in an iframe
 * with `allow="camera"`, logs every postMessage event as it arrives, shows the redirect parameters
 * of the end, and lists the callbacks that reach `/demo/callbacks` with their signatures checked.
 * Callbacks reach it when `npm start` runs with `OPENVERIFY_CALLBACK_FORWARD_TO=<base URL>/demo/callbacks`.
 *
 * Redirect parameters: success and error URLs must be https with a DNS host, which a page on
 * loopback is not. Without them the journey shows its own result page; the demo then shows the
 * parameters the journey would append to a customer's URL, built from the final event (it carries
 * the same references and code). With URLs given, the iframe goes there; when the landing page is
 * readable (same origin), its own query is shown instead.
 */

export interface DemoOptions {
  baseUrl: () => string;
  credential: () => IssuedCredential;
  webhookSecret: () => string;
}

interface ReceivedCallback {
  receivedAt: string;
  webhookId: string;
  signatureValid: boolean;
  fields: Record<string, string>;
}

const MAX_KEPT = 50;
const MAX_BODY = 64 * 1024;

export function demoIntegrator(options: DemoOptions) {
  const received: ReceivedCallback[] = [];

  return async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
  ): Promise<boolean> {
    if (!path.startsWith('/demo')) return false;
    if (request.method === 'GET' && path === '/demo') {
      const nonce = randomBytes(16).toString('base64');
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`,
      });
      response.end(page(nonce));
      return true;
    }
    if (request.method === 'POST' && path === '/demo/start') {
      let chosen: Record<string, unknown>;
      try {
        chosen = initiateOptions(JSON.parse((await readBody(request)) || '{}'));
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'the form could not be read' }));
        return true;
      }
      const { apiToken, apiSecret } = options.credential();
      const answer = await fetch(`${options.baseUrl()}/api/v4/initiate`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${apiToken}:${apiSecret}`).toString('base64')}`,
          accept: 'application/json',
          'content-type': 'application/json',
          'user-agent': 'openverify demo-integrator/1.0',
        },
        body: JSON.stringify({
          customerInternalReference: `demo-${Date.now()}`,
          userReference: 'demo-user',
          callbackUrl: 'https://integrator.example.com/openverify/callback',
          ...chosen,
        }),
      });
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(await answer.text());
      return true;
    }
    if (request.method === 'POST' && path === '/demo/callbacks') {
      const body = await readBody(request);
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
          name,
          String(request.headers[name] ?? ''),
        ]),
      );
      let signatureValid = false;
      try {
        new Webhook(options.webhookSecret()).verify(body, headers, { jsonParse: false });
        signatureValid = true;
      } catch {
        signatureValid = false;
      }
      received.unshift({
        receivedAt: new Date().toISOString(),
        webhookId: headers['webhook-id'] ?? '',
        signatureValid,
        fields: Object.fromEntries(new URLSearchParams(body)),
      });
      received.length = Math.min(received.length, MAX_KEPT);
      response.writeHead(signatureValid ? 200 : 400).end();
      return true;
    }
    if (request.method === 'GET' && path === '/demo/callbacks') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(received));
      return true;
    }
    return false;
  };
}

/**
 * The form's choices as initiate options. Only their shape is checked here: initiate validates them
 * and its answer (a 400 naming the field) is shown as it is.
 */
function initiateOptions(form: unknown): Record<string, unknown> {
  const value = (typeof form === 'object' && form !== null ? form : {}) as Record<string, unknown>;
  const text = (name: string) => (typeof value[name] === 'string' ? (value[name] as string).trim() : '');
  const chosen: Record<string, unknown> = {};
  const workflowId = Number(text('workflowId'));
  if (Object.hasOwn(WORKFLOWS, workflowId)) chosen.workflowId = workflowId;
  if (text('locale')) chosen.locale = text('locale');
  const country = text('country').toUpperCase();
  const type = text('type');
  if (country || type) {
    chosen.presets = [{ index: 1, ...(country ? { country } : {}), ...(type ? { type } : {}) }];
  }
  if (text('successUrl')) chosen.successUrl = text('successUrl');
  if (text('errorUrl')) chosen.errorUrl = text('errorUrl');
  return chosen;
}

const WORKFLOW_LABELS: Record<string, string> = {
  CAMERA_AND_UPLOAD: 'camera + upload',
  CAMERA_ONLY: 'camera only',
  UPLOAD_ONLY: 'upload only',
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

function workflowOptions(): string {
  return Object.entries(WORKFLOWS)
    .map(
      ([id, w]) =>
        `<option value="${id}"${id === '100' ? ' selected' : ''}>${id}: ${w.verificationType === 'ID_AND_IDENTITY' ? 'ID + Identity' : 'ID only'}, ${WORKFLOW_LABELS[w.captureMethod] ?? w.captureMethod}</option>`,
    )
    .join('');
}

function localeOptions(): string {
  return [
    '<option value="">customer default</option>',
    ...LOCALES.map((l) => `<option>${escapeHtml(l)}</option>`),
  ].join('');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function page(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>openverify demo integrator</title>
<style nonce="${nonce}">
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: minmax(320px, 930px) minmax(280px, 1fr); gap: 1rem; padding: 1rem; background: #f3f4f6; color: #1d2430; }
  @media (max-width: 900px) { body { grid-template-columns: 1fr; } }
  h1 { font-size: 1.25rem; margin: 0 0 .5rem; } h2 { font-size: 1rem; margin: 0 0 .5rem; }
  form { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; background: #fff; border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
  label { display: grid; gap: .2rem; font-weight: 600; font-size: 13px; }
  input, select { font: inherit; font-weight: 400; padding: .35rem .5rem; border: 1px solid #98a2b3; border-radius: 6px; }
  input[name=country] { width: 6rem; text-transform: uppercase; } input[type=url] { width: 16rem; }
  iframe { width: 100%; height: 750px; border: 1px solid #d0d5dd; border-radius: 8px; background: #fff; display: block; }
  section { background: #fff; border-radius: 8px; padding: 1rem; overflow: auto; margin-bottom: 1rem; }
  pre { white-space: pre-wrap; word-break: break-all; font-size: 12px; margin: .25rem 0 .75rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: 0; font-size: 13px; } dt { font-weight: 600; } dd { margin: 0; word-break: break-all; }
  .ok { color: #027a48; } .bad { color: #b42318; } .muted { color: #5b6472; font-size: 13px; }
  button { font: inherit; font-weight: 600; padding: .45rem 1rem; border-radius: 6px; border: 0; background: #1f5eff; color: #fff; cursor: pointer; }
</style></head>
<body>
<main>
<h1>openverify demo integrator</h1>
<form id="options">
  <label>Workflow (verification and capture method)<select name="workflowId">${workflowOptions()}</select></label>
  <label>Locale<select name="locale">${localeOptions()}</select></label>
  <label>Preset country<input name="country" maxlength="3" placeholder="ESP" autocomplete="off"></label>
  <label>Preset document<select name="type"><option value="">user chooses</option><option value="PASSPORT">passport</option><option value="ID_CARD">ID card</option><option value="DRIVING_LICENSE">driving licence</option></select></label>
  <label>Success URL (https)<input type="url" name="successUrl" placeholder="default success page"></label>
  <label>Error URL (https)<input type="url" name="errorUrl" placeholder="default error page"></label>
  <button id="start" type="submit">Start a verification</button>
  <p id="reference" class="muted" role="status"></p>
</form>
<iframe id="journey" allow="camera;fullscreen" allowfullscreen title="Identity verification"></iframe>
</main>
<div>
<section><h2>Redirect parameters</h2><div id="redirect"><p class="muted">Shown when the journey ends.</p></div></section>
<section><h2>Events (postMessage)</h2><div id="events"></div></section>
<section><h2>Callbacks</h2><p id="hint" class="muted"></p><div id="callbacks"></div></section>
</div>
<script nonce="${nonce}">
const $ = (id) => document.getElementById(id);
$('hint').textContent = 'Callbacks arrive here when npm start runs with OPENVERIFY_CALLBACK_FORWARD_TO=' + location.origin + '/demo/callbacks';
let current;
function showRedirect(params, where) {
  const list = document.createElement('dl');
  for (const [name, value] of params) {
    const dt = document.createElement('dt'); dt.textContent = name;
    const dd = document.createElement('dd'); dd.textContent = value;
    list.append(dt, dd);
  }
  const note = document.createElement('p'); note.className = 'muted'; note.textContent = where;
  $('redirect').replaceChildren(list, note);
}
$('options').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = Object.fromEntries(new FormData($('options')));
  $('events').replaceChildren();
  $('redirect').replaceChildren();
  const answer = await (await fetch('/demo/start', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form) })).json();
  current = answer.redirectUrl ? { ...answer, successUrl: form.successUrl, errorUrl: form.errorUrl } : undefined;
  $('reference').textContent = answer.transactionReference ? 'Transaction ' + answer.transactionReference : JSON.stringify(answer);
  if (answer.redirectUrl) $('journey').src = answer.redirectUrl;
});
window.addEventListener('message', (event) => {
  if (event.source !== $('journey').contentWindow) return;
  const pre = document.createElement('pre');
  pre.textContent = new Date().toISOString() + '  ' + event.data;
  $('events').prepend(pre);
  let data;
  try { data = JSON.parse(event.data); } catch { return; }
  const value = data && data.payload && data.payload.value;
  if (value !== 'success' && value !== 'error') return;
  // What the journey appends to the customer's success or error URL (seed 000, "After the user journey").
  const params = new URLSearchParams({ transactionStatus: value === 'success' ? 'SUCCESS' : 'ERROR' });
  if (data.customerInternalReference !== undefined) params.set('customerInternalReference', data.customerInternalReference);
  if (data.transactionReference !== undefined) params.set('transactionReference', data.transactionReference);
  if (value === 'error') params.set('errorCode', String(data.payload.metainfo && data.payload.metainfo.code));
  const target = current && (value === 'success' ? current.successUrl : current.errorUrl);
  showRedirect(params, target ? 'The iframe goes to ' + target + '?' + params : 'No ' + value + ' URL given: the journey shows its default ' + value + ' page; a URL would receive these parameters.');
});
$('journey').addEventListener('load', () => {
  // A landing page on this origin can be read; another origin's cannot (and need not be).
  let landed;
  try { landed = new URL($('journey').contentWindow.location.href); } catch { return; }
  if (landed.searchParams.has('transactionStatus')) showRedirect(landed.searchParams, 'Read from the iframe: ' + landed.href);
});
async function poll() {
  try {
    const callbacks = await (await fetch('/demo/callbacks')).json();
    $('callbacks').replaceChildren(...callbacks.map((c) => {
      const pre = document.createElement('pre');
      pre.className = c.signatureValid ? 'ok' : 'bad';
      pre.textContent = c.receivedAt + '  ' + c.webhookId + '  signature ' + (c.signatureValid ? 'valid' : 'INVALID') + '\\n' + JSON.stringify(c.fields, null, 1);
      return pre;
    }));
  } finally { setTimeout(poll, 2000); }
}
poll();
</script></body></html>`;
}
