// node bench/journey.ts [--summary FILE]: the journey's budgets (issue 7); a section of `npm run bench`,
// which reads the missed budgets from FILE; exits 2 when one is missed.
//
// 1. Weight: the page's JavaScript gzipped for each locale (the bundle the page inlines: that locale's
//    catalogue, its root language's and English) against 60 KB, and its CSS gzipped against 15 KB.
// 2. Throughput on one local stack (`npm start`'s, in a child process): POST /api/v4/journey/uploads
//    and POST /api/v4/journey/submit against POST /api/v4/initiate, as the ratio of requests per
//    second; the budget is "within 1.5×", i.e. each at least initiate's throughput / 1.5.
//
// Submit changes the transaction (once per transaction), so it runs over transactions prepared
// beforehand, each with its passport accepted. Each submission queues a verification, which the
// local worker then runs in the same process as the API: submit's figure is a pessimistic one.
import { rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { LOCALES } from '#domain/locales';
import { initiate, initiateHeaders, newDataDir, startProduct } from '../test/e2e/local-process.ts';
import { renderPassport } from '../test/support/synthetic-documents.ts';
import { buildJourneyClient } from '../web/journey/build.ts';
import { JOURNEY_CSS } from '../web/journey/page.ts';

const JS_BUDGET = 60 * 1024;
const CSS_BUDGET = 15 * 1024;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SUBMIT_TRANSACTIONS = Number(process.env.BENCH_SUBMITS ?? 500);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const gzipped = (text: string) => gzipSync(Buffer.from(text), { level: 9 }).length;

// ---- weight ----------------------------------------------------------------------------------------

const sizes: Array<{ locale: string; bytes: number }> = [];
for (const locale of LOCALES) sizes.push({ locale, bytes: gzipped(await buildJourneyClient(locale)) });
sizes.sort((a, b) => b.bytes - a.bytes);
const css = gzipped(JOURNEY_CSS);
const largest = sizes[0];
const smallest = sizes.at(-1);
console.log('Journey weight (gzip -9)');
console.log(
  `  JavaScript per locale: ${kb(smallest?.bytes ?? 0)} (${smallest?.locale}) to ${kb(largest?.bytes ?? 0)} (${largest?.locale}); budget ${kb(JS_BUDGET)}: ${(largest?.bytes ?? 0) <= JS_BUDGET ? 'within' : 'OVER'}`,
);
console.log(`    ${sizes.map((s) => `${s.locale} ${kb(s.bytes)}`).join(', ')}`);
console.log(`  CSS: ${kb(css)}; budget ${kb(CSS_BUDGET)}: ${css <= CSS_BUDGET ? 'within' : 'OVER'}`);
/** The budgets missed, for `npm run bench` (--summary) and the exit code. */
const missed: string[] = [];
if ((largest?.bytes ?? 0) > JS_BUDGET)
  missed.push(`journey JavaScript ${kb(largest?.bytes ?? 0)} (budget ${kb(JS_BUDGET)})`);
if (css > CSS_BUDGET) missed.push(`journey CSS ${kb(css)} (budget ${kb(CSS_BUDGET)})`);

// ---- throughput ------------------------------------------------------------------------------------

const dataDir = newDataDir();
// The verify worker is paused: each submission queues a verification, which would otherwise run
// in the same process as the API under measurement.
const product = await startProduct(dataDir, { env: { OPENVERIFY_PAUSE_QUEUES: 'verify' } });
// Interrupted, the bench stops the product it started, as the finally below does.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void product.stop().finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}
try {
  const json = { Accept: 'application/json', 'Content-Type': 'application/json' };
  const bearer = (token: string) => ({ ...json, Authorization: `Bearer ${token}` });
  const tokenOf = (redirectUrl: unknown) =>
    new URL(String(redirectUrl)).searchParams.get('authorizationToken') ?? '';
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${product.url}${path}`, {
      method,
      headers: bearer(token),
      body: body === undefined ? null : JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const request = { customerInternalReference: 'bench', userReference: 'bench', workflowId: 102 };

  /** A started journey whose passport photo page is accepted: ready to submit. */
  const passport = (await renderPassport({ seed: 21, jpegQuality: 85, margin: 40 })).image;
  async function readyToSubmit(): Promise<string> {
    const { body } = await initiate(product.url, request);
    const token = tokenOf(body.redirectUrl);
    await call(token, 'GET', '/api/v4/session');
    const ticket = (await call(token, 'POST', '/api/v4/journey/uploads', {
      side: 'front',
      contentType: 'image/jpeg',
      size: passport.length,
      source: 'upload',
    })) as { url: string; fields: Record<string, string>; key: string };
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
    form.append('file', new Blob([new Uint8Array(passport)], { type: 'image/jpeg' }), 'passport.jpg');
    await fetch(ticket.url, { method: 'POST', body: form });
    const verdict = await call(token, 'POST', '/api/v4/journey/captures', { side: 'front', key: ticket.key });
    if (verdict.accepted !== true)
      throw new Error(`the bench passport was refused: ${JSON.stringify(verdict)}`);
    return token;
  }

  type Options = Parameters<typeof autocannon>[0];
  async function load(name: string, options: Omit<Partial<Options>, 'requests'> & { requests?: unknown[] }) {
    const result = await autocannon({
      url: product.url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      ...options,
    } as Options);
    // autocannon counts 2xx answers apart (its typings here leave the field out).
    const ok = (result as { '2xx'?: number })['2xx'] ?? result.requests.total - result.non2xx;
    const rps = ok / (result.duration || DURATION_S);
    console.log(
      `  ${name.padEnd(28)} ${rps.toFixed(0).padStart(6)} req/s 2xx  (p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors})`,
    );
    return rps;
  }

  console.log(`\nThroughput on one local stack (${CONNECTIONS} connections, ${DURATION_S} s each)`);
  const initiateRps = await load('POST /api/v4/initiate', {
    requests: [
      { method: 'POST', path: '/api/v4/initiate', headers: initiateHeaders(), body: JSON.stringify(request) },
    ],
  });

  const uploadToken = tokenOf((await initiate(product.url, request)).body.redirectUrl);
  await call(uploadToken, 'GET', '/api/v4/session');
  const uploadsRps = await load('POST /api/v4/journey/uploads', {
    requests: [
      {
        method: 'POST',
        path: '/api/v4/journey/uploads',
        headers: bearer(uploadToken),
        body: JSON.stringify({ side: 'front', contentType: 'image/jpeg', size: 500_000, source: 'upload' }),
      },
    ],
  });

  process.stdout.write(`  (preparing ${SUBMIT_TRANSACTIONS} transactions for submit…)\n`);
  const tokens: string[] = [];
  for (let i = 0; i < SUBMIT_TRANSACTIONS; i += 8) {
    tokens.push(
      ...(await Promise.all(Array.from({ length: Math.min(8, SUBMIT_TRANSACTIONS - i) }, readyToSubmit))),
    );
  }
  let next = 0;
  const submitBody = JSON.stringify({ country: 'ESP', idType: 'PASSPORT', embedded: true });
  const submitRps = await load('POST /api/v4/journey/submit', {
    amount: tokens.length,
    requests: [
      {
        method: 'POST',
        path: '/api/v4/journey/submit',
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          headers: bearer(tokens[next++ % tokens.length] ?? ''),
          body: submitBody,
        }),
      },
    ],
  });

  console.log('\nRatios to initiate (budget: each at least 1 / 1.5 = 0.67)');
  for (const [name, rps] of [
    ['uploads', uploadsRps],
    ['submit', submitRps],
  ] as const) {
    const ratio = rps / initiateRps;
    console.log(
      `  ${name.padEnd(8)} ${ratio.toFixed(2)}× initiate: ${ratio >= 1 / 1.5 ? 'within' : 'OUTSIDE'}`,
    );
    if (ratio < 1 / 1.5)
      missed.push(`journey ${name} at ${ratio.toFixed(2)}× initiate's throughput (budget ≥ 0.67×)`);
  }
} finally {
  await product.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const summaryAt = process.argv.indexOf('--summary');
const summary = summaryAt > 0 ? process.argv[summaryAt + 1] : undefined;
if (summary) writeFileSync(summary, JSON.stringify({ missed }));
if (missed.length > 0) {
  console.log(`\nJourney budgets missed: ${missed.join('; ')}.`);
  process.exitCode = 2;
}
