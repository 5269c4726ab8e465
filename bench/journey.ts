// node bench/journey.ts [--summary FILE]: the journey's budgets (issue 7); a section of `npm run bench`,
// which reads the missed budgets from FILE; exits 2 when one is missed.
//
// 1. Weight: the page's JavaScript gzipped for each locale (the bundle the page inlines: that locale's
//    catalogue, its root language's and English) against 60 KB, and its CSS gzipped against 15 KB.
// 2. Throughput on one local stack (`npm start`'s, in a child process): POST /api/v4/journey/uploads
//    and POST /api/v4/journey/submit against POST /api/v4/initiate, as the ratio of requests per
//    second; the budget is "within 1.5×", i.e. each at least initiate's throughput / 1.5. The same
//    number of requests for each (BENCH_JOURNEY_REQUESTS, 200) in rounds (BENCH_JOURNEY_ROUNDS, 5),
//    the three run one after the other in an order rotated each round; the ratio is taken within a
//    round and the median reported, since a shared machine's speed drifts between minutes.
//
// Submit changes the transaction (once per transaction), so it runs over transactions prepared
// beforehand, each with its passport accepted. Each submission queues a verification; the worker
// is paused (OPENVERIFY_PAUSE_QUEUES), so that it does not run in the API's process meanwhile.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { LOCALES } from '#domain/locales';
import { initiate, initiateHeaders, newDataDir, startProduct } from '../test/e2e/local-process.ts';
import { renderPassport } from '../test/support/synthetic-documents.ts';
import { buildJourneyClient } from '../web/journey/build.ts';
import { JOURNEY_CSS } from '../web/journey/page.ts';

const JS_BUDGET = 60 * 1024;
const CSS_BUDGET = 15 * 1024;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
/** Requests in each measured run; each round runs the three endpoints once, in a rotated order. */
const PER_ROUND = Number(process.env.BENCH_JOURNEY_REQUESTS ?? 200);
const ROUNDS = Number(process.env.BENCH_JOURNEY_ROUNDS ?? 5);

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

// The stack's data on a RAM disk where there is one (BENCH_JOURNEY_DISK=1: on disk anyway). On disk,
// DynamoDB Local's SQLite commits set the pace, not the product: with DynamoDB Local alone, 10 calls
// at a time, a PutItem ran at 494/s and submit's conditional UpdateItem at 376/s on this machine's
// disk, and at 655/s and 683/s on tmpfs (bench/README.md). Both figures are printed in the README.
const ramDisk = '/dev/shm';
const onRamDisk = process.env.BENCH_JOURNEY_DISK !== '1' && existsSync(ramDisk);
const dataDir = onRamDisk ? newDataDir(ramDisk) : newDataDir();
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
  /**
   * Requests answered 2xx a second, for `amount` requests over the connections: from the start to
   * the last answer, timed here (autocannon resolves on its one-second tick, too coarse for a run of
   * a few seconds). Any other answer stops the bench: the ratio would mean nothing.
   */
  async function load(options: { requests: Array<Record<string, unknown>> }) {
    let ok = 0;
    let last = 0;
    let failure: string | undefined;
    const onResponse = (status: number, body: string) => {
      last = performance.now();
      if (status >= 200 && status < 300) ok++;
      else failure ??= `${status} ${body.slice(0, 200)}`;
    };
    const started = performance.now();
    const result = await autocannon({
      url: product.url,
      connections: CONNECTIONS,
      amount: PER_ROUND,
      requests: options.requests.map((spec) => ({ ...spec, onResponse })),
    } as Options);
    if (failure !== undefined || result.errors > 0)
      throw new Error(`a request failed (${result.errors} errors): ${failure ?? 'no answer'}`);
    return ok / ((last - started) / 1000);
  }

  // One run more than the rounds: the warm-up's.
  const submissions = (ROUNDS + 1) * PER_ROUND;
  process.stdout.write(`  (preparing ${submissions} transactions for submit…)\n`);
  const tokens: string[] = [];
  for (let i = 0; i < submissions; i += 8) {
    tokens.push(...(await Promise.all(Array.from({ length: Math.min(8, submissions - i) }, readyToSubmit))));
  }
  const uploadToken = tokenOf((await initiate(product.url, request)).body.redirectUrl);
  await call(uploadToken, 'GET', '/api/v4/session');

  const targets = {
    initiate: () =>
      load({
        requests: [
          {
            method: 'POST',
            path: '/api/v4/initiate',
            headers: initiateHeaders(),
            body: JSON.stringify(request),
          },
        ],
      }),
    uploads: () =>
      load({
        requests: [
          {
            method: 'POST',
            path: '/api/v4/journey/uploads',
            headers: bearer(uploadToken),
            body: JSON.stringify({
              side: 'front',
              contentType: 'image/jpeg',
              size: 500_000,
              source: 'upload',
            }),
          },
        ],
      }),
    submit: () => {
      const submitBody = JSON.stringify({ country: 'ESP', idType: 'PASSPORT', embedded: true });
      return load({
        requests: [
          {
            method: 'POST',
            path: '/api/v4/journey/submit',
            // Each transaction is submitted once: this round takes the next PER_ROUND of them.
            setupRequest: (req: Record<string, unknown>) => ({
              ...req,
              headers: bearer(tokens.pop() ?? ''),
              body: submitBody,
            }),
          },
        ],
      });
    },
  };
  type Target = keyof typeof targets;
  const rates: Record<Target, number[]> = { initiate: [], uploads: [], submit: [] };
  const ratios: Record<'uploads' | 'submit', number[]> = { uploads: [], submit: [] };
  console.log(
    `\nThroughput on one local stack, its data ${onRamDisk ? `on a RAM disk (${ramDisk})` : 'on disk'} (${CONNECTIONS} connections, ${PER_ROUND} requests a run, ${ROUNDS} rounds, each round's order rotated; ratios within a round)`,
  );
  // Warm-up, a run of each: the handlers' cold starts, the JIT of DynamoDB Local's code paths for
  // each kind of write and the emulators' first writes are not the figure.
  const order: Target[] = ['initiate', 'uploads', 'submit'];
  for (const target of order) await targets[target]();
  for (let round = 0; round < ROUNDS; round++) {
    const measured = {} as Record<Target, number>;
    for (const target of [...order.slice(round % 3), ...order.slice(0, round % 3)]) {
      measured[target] = await targets[target]();
      rates[target].push(measured[target]);
    }
    ratios.uploads.push(measured.uploads / measured.initiate);
    ratios.submit.push(measured.submit / measured.initiate);
    console.log(
      `  round ${round + 1}: initiate ${measured.initiate.toFixed(0)}/s, uploads ${measured.uploads.toFixed(0)}/s, submit ${measured.submit.toFixed(0)}/s`,
    );
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2
      ? (sorted[middle] ?? 0)
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  };
  for (const target of order) {
    console.log(
      `  POST ${target.padEnd(9)} median ${median(rates[target]).toFixed(0).padStart(5)} req/s 2xx`,
    );
  }

  console.log('\nRatios to initiate, median of the rounds (budget: each at least 1 / 1.5 = 0.67)');
  for (const name of ['uploads', 'submit'] as const) {
    const ratio = median(ratios[name]);
    console.log(
      `  ${name.padEnd(8)} ${ratio.toFixed(2)}× initiate (rounds: ${ratios[name].map((r) => r.toFixed(2)).join(' ')}): ${ratio >= 1 / 1.5 ? 'within' : 'OUTSIDE'}`,
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
