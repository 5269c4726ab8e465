/**
 * The journey page at `/web/v4/app?locale=…&authorizationToken=…`: a shell with the CSS and the
 * bundled client (web/journey/build.ts) inline under the response's CSP nonce. The client renders
 * every screen into `#journey`; the page alone shows a loading state until it runs.
 *
 * Layout follows the seed's size classes (Large ≥ 900×710, Medium 640×660, Small 560×600, X-Small
 * ≤ 480×535): a centred card on large frames, the whole frame on small ones.
 */

export interface JourneyPageOptions {
  nonce: string;
  /** The bundled client, from buildJourneyClient(). */
  script: string;
  /** The page's language (`en-GB`) and direction (`rtl` for Arabic and Hebrew). */
  locale: string;
  dir: 'ltr' | 'rtl';
}

const escapeAttribute = (value: string) =>
  value.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c] ?? c);

/** Keeps a `</script` inside the bundle's strings from closing the element early. */
const inlineScript = (script: string) => script.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

export function renderJourneyPage({ nonce, script, locale, dir }: JourneyPageOptions): string {
  const n = escapeAttribute(nonce);
  return `<!doctype html>
<html lang="${escapeAttribute(locale)}" dir="${dir === 'rtl' ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Identity verification</title>
<style nonce="${n}">${JOURNEY_CSS}</style>
</head>
<body>
<div class="frame">
<header id="brand" class="brand"></header>
<main id="journey" data-state="loading" aria-live="polite" aria-busy="true"><span class="spinner" aria-hidden="true"></span></main>
</div>
<noscript><p class="noscript">JavaScript is needed for identity verification.</p></noscript>
<script nonce="${n}">${inlineScript(script)}</script>
</body>
</html>`;
}

export const JOURNEY_CSS = `
:root{--primary:#1f5eff;--secondary:#e8eefc;--text:#1d2430;--muted:#5b6472;--line:#d5dae3;--bg:#f4f6f9;--card:#fff;--bad:#b42318;--good:#067647;color-scheme:light}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html,body{height:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--text);background:var(--bg);-webkit-text-size-adjust:100%}
.frame{min-height:100%;display:flex;flex-direction:column;align-items:center;justify-content:center;padding:24px}
.brand:empty{display:none}
.brand{margin-bottom:16px}
.brand img{max-height:48px;max-width:240px;display:block}
main{width:100%;max-width:760px;min-height:560px;background:var(--card);border-radius:16px;box-shadow:0 1px 3px rgba(16,24,40,.1),0 1px 2px rgba(16,24,40,.06);padding:32px 40px;display:flex;flex-direction:column;gap:12px}
main[data-state=loading]{align-items:center;justify-content:center}
h1{font-size:1.5rem;line-height:1.3;margin:0;outline:none}
p{margin:0}
.progress{color:var(--muted);font-size:.875rem;font-weight:600;letter-spacing:.02em}
.hint{color:var(--text)}
.note{color:var(--muted);font-size:.9rem}
.problem{color:var(--bad);font-weight:600}
.problem:empty{display:none}
.steps{margin:4px 0;padding-inline-start:1.4em;display:grid;gap:6px}
.actions{display:flex;flex-wrap:wrap;gap:12px;margin-top:auto;padding-top:8px;align-items:center}
.actions+.actions{margin-top:0}
button,.button{font:inherit;font-weight:600;min-height:48px;padding:10px 22px;border-radius:10px;border:2px solid var(--primary);cursor:pointer;display:inline-flex;align-items:center;justify-content:center;text-align:center}
.primary{background:var(--primary);color:#fff}
.secondary{background:var(--card);color:var(--primary)}
button:disabled{opacity:.45;cursor:default}
button:focus-visible,.button:focus-visible,input:focus-visible+.button,select:focus-visible,input:focus-visible{outline:3px solid var(--primary);outline-offset:2px}
.file-input{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
.file-input:focus-visible+.button{outline:3px solid var(--primary);outline-offset:2px}
.label{font-weight:600}
.select{display:flex;flex-direction:column;gap:10px;flex:1}
.field{font:inherit;width:100%;padding:10px 12px;border:1px solid var(--line);border-radius:10px;background:var(--card);color:var(--text)}
select.field{min-height:12em;padding:4px}
select.field option{padding:6px 8px;border-radius:6px}
.types{display:flex;flex-wrap:wrap;gap:8px}
.type-group{display:grid;gap:8px}
.choice{display:flex;align-items:center;gap:8px;border:1px solid var(--line);border-radius:10px;padding:10px 14px;cursor:pointer;min-height:48px}
.choice:has(input:checked){border-color:var(--primary);background:var(--secondary)}
.choice input{accent-color:var(--primary);width:18px;height:18px;margin:0}
.viewfinder{--vf-h:48vh;--ratio:1.3333;position:relative;width:min(100%,calc(var(--vf-h) * var(--ratio)));aspect-ratio:var(--ratio);margin-inline:auto;background:#0b0f17;border-radius:12px;overflow:hidden;container-type:size;flex:none}
.viewfinder video{width:100%;height:100%;object-fit:cover;display:block}
.viewfinder.face video{transform:scaleX(-1)}
.guide{position:absolute;inset:0;margin:auto;width:min(84cqw,calc(80cqh * 1.42));height:min(calc(84cqw / 1.42),80cqh);border:3px solid rgba(255,255,255,.9);border-radius:14px;box-shadow:0 0 0 100vmax rgba(0,0,0,.38)}
.face .guide{width:min(56cqw,calc(84cqh * .75));height:min(calc(56cqw / .75),84cqh);border-radius:50%}
.preview{display:block;max-width:100%;max-height:46vh;margin:0 auto;border-radius:12px;border:1px solid var(--line);object-fit:contain}
.notice{border-inline-start:4px solid var(--bad);background:#fef3f2;padding:10px 14px;border-radius:8px;display:grid;gap:2px}
.notice-title{font-weight:700;color:var(--bad)}
.busy{display:flex;align-items:center;gap:12px;color:var(--muted);padding:16px 0}
.spinner{width:28px;height:28px;border:3px solid var(--secondary);border-top-color:var(--primary);border-radius:50%;animation:spin .9s linear infinite;flex:none}
@keyframes spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.spinner{animation-duration:3s}}
.result{display:flex;justify-content:center;padding:16px 0}
.result img{max-width:220px;max-height:160px}
.mark{width:72px;height:72px;border-radius:50%;display:grid;place-items:center;color:#fff;font-size:40px;font-weight:700}
.success .mark{background:var(--good)}
.success .mark::after{content:"✓"}
.error .mark{background:var(--bad)}
.error .mark::after{content:"!"}
main[data-state=success],main[data-state=error]{text-align:center;align-items:center;justify-content:center}
.noscript{text-align:center;padding:24px}
@media (max-width:899px),(max-height:709px){main{max-width:600px;min-height:0;padding:24px 28px}.frame{padding:16px}}
@media (max-width:639px),(max-height:659px){.frame{padding:0;justify-content:flex-start}main{max-width:none;min-height:100vh;border-radius:0;box-shadow:none;padding:20px}h1{font-size:1.3rem}.brand{margin:12px 0 0}}
@media (max-width:559px),(max-height:599px){main{padding:16px;gap:10px}.viewfinder{--vf-h:40vh}select.field{min-height:9em}}
@media (max-width:480px),(max-height:535px){body{font-size:15px}h1{font-size:1.2rem}button,.button{flex:1 1 100%}.viewfinder{--vf-h:46vh}.preview{max-height:38vh}}
@media (max-height:535px) and (min-width:481px){.viewfinder{--vf-h:52vh}button,.button{flex:0 1 auto}}
`
  .trim()
  .replace(/\n/g, '');
