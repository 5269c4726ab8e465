/**
 * The journey page at `/web/v4/app?locale=…&authorizationToken=…`. For now a placeholder: it checks
 * the token with the session API and says whether the link is valid, and tells an embedding page
 * through postMessage (eventType 510, value `loaded` or `error` with the error code), as the real
 * journey will. The capture journey replaces the script.
 */

export function renderJourneyPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Identity verification</title>
<style nonce="${nonce}">
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: #f6f7f9; color: #1d2430; }
  main { background: #fff; padding: 2rem 2.5rem; border-radius: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.1); max-width: 32rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: .25rem 1rem; margin: 1rem 0 0; }
  dt { color: #5b6472; }
  [data-state="error"] h1 { color: #b42318; }
</style>
</head>
<body>
<main id="journey" data-state="checking" aria-live="polite">
  <h1 id="title">Checking your verification link…</h1>
  <p id="detail"></p>
  <dl id="facts" hidden></dl>
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}

const SCRIPT = `
(async () => {
  const params = new URLSearchParams(location.search);
  const token = params.get('authorizationToken') || '';
  const main = document.getElementById('journey');
  const title = document.getElementById('title');
  const detail = document.getElementById('detail');
  const facts = document.getElementById('facts');

  const notify = (value, session, code) => {
    const event = {
      authorizationToken: token,
      transactionReference: session ? session.transactionReference : undefined,
      customerInternalReference: session ? session.customerInternalReference : undefined,
      eventType: 510,
      dateTime: new Date().toISOString(),
      payload: code === undefined ? { value } : { value, metainfo: { code } },
    };
    const data = JSON.stringify(event);
    if (window.__NVW_WEBVIEW_HANDLER__ && window.__NVW_WEBVIEW_HANDLER__.postMessage) {
      window.__NVW_WEBVIEW_HANDLER__.postMessage(data, '*');
    } else if (window.parent !== window) {
      window.parent.postMessage(data, '*');
    }
  };

  const fail = (code) => {
    main.dataset.state = 'error';
    main.dataset.errorCode = String(code);
    title.textContent = code === 9210 ? 'Your session has expired' : 'This verification link is not valid';
    detail.textContent = 'Error ' + code + '. Please ask for a new link.';
    notify('error', undefined, code);
  };

  let response;
  try {
    response = await fetch('/api/v4/session', {
      headers: { Accept: 'application/json', Authorization: 'Bearer ' + token },
    });
  } catch {
    return fail(9800);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return fail(body.errorCode || (response.status >= 500 ? 9100 : 9810));

  main.dataset.state = 'ready';
  title.textContent = 'Your verification link is valid';
  detail.textContent = 'The capture journey will open here.';
  const rows = [
    ['Transaction', body.transactionReference],
    ['Workflow', body.workflowId + ' (' + body.verificationType + ', ' + body.captureMethod + ')'],
    ['Locale', body.locale],
    ['Valid until', body.expiresAt],
  ];
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    facts.append(dt, dd);
  }
  facts.hidden = false;
  notify('loaded', body);
})();
`;
