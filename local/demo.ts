import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { IssuedCredential } from '#domain/customer';

/**
 * The demo integrator, local only: a page at `/demo` that creates a transaction with the demo
 * customer's credentials, embeds its journey in an iframe, lists the postMessage events it receives,
 * and lists the callbacks that reach `/demo/callbacks` with their signatures checked. Callbacks reach
 * it when `npm start` runs with `OPENVERIFY_CALLBACK_FORWARD_TO=<base URL>/demo/callbacks`.
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
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; frame-src 'self'`,
      });
      response.end(page(nonce));
      return true;
    }
    if (request.method === 'POST' && path === '/demo/start') {
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
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: minmax(320px, 900px) 1fr; gap: 1rem; padding: 1rem; background: #f3f4f6; }
  iframe { width: 100%; height: 710px; border: 1px solid #d0d5dd; border-radius: 8px; background: #fff; }
  section { background: #fff; border-radius: 8px; padding: 1rem; overflow: auto; }
  pre { white-space: pre-wrap; word-break: break-all; font-size: 12px; margin: .25rem 0 .75rem; }
  .ok { color: #027a48; } .bad { color: #b42318; }
  button { font: inherit; padding: .5rem 1rem; }
</style></head>
<body>
<div><button id="start">Start a verification</button> <span id="reference"></span>
<iframe id="journey" allow="camera;fullscreen" allowfullscreen title="Identity verification"></iframe></div>
<div>
<section><h2>Events (postMessage)</h2><div id="events"></div></section>
<section><h2>Callbacks</h2><p id="hint">Start with OPENVERIFY_CALLBACK_FORWARD_TO=${'${location.origin}'}/demo/callbacks to receive them here.</p><div id="callbacks"></div></section>
</div>
<script nonce="${nonce}">
const $ = (id) => document.getElementById(id);
$('hint').textContent = 'Callbacks arrive here when npm start runs with OPENVERIFY_CALLBACK_FORWARD_TO=' + location.origin + '/demo/callbacks';
$('start').addEventListener('click', async () => {
  const answer = await (await fetch('/demo/start', { method: 'POST' })).json();
  $('reference').textContent = answer.transactionReference || JSON.stringify(answer);
  if (answer.redirectUrl) $('journey').src = answer.redirectUrl;
});
window.addEventListener('message', (event) => {
  const pre = document.createElement('pre');
  pre.textContent = new Date().toISOString() + '  ' + event.data;
  $('events').prepend(pre);
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
