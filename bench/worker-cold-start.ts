// node bench/worker-cold-start.ts [--asset cdk.out/asset.<hash>] [--runs 3] [--batch 5] [--one-core]
//
// The verify worker as Lambda runs it (issue 8: zip or container image, memory and timeout, by
// measurement): its synthesized asset (`npm run synth` first), in a fresh Node process per run with
// the heap limits Lambda's Node.js bootstrap derives from the function's memory (shared/queues.ts),
// its real handler invoked with SQS events for transactions stored in the local emulators (DynamoDB
// Local, S3, SQS; each in its own process, so their CPU is not counted). Per run: the bundle's import
// (Lambda's init phase), the first invocation (a generated passport: the OCR engine starts), the
// second (a generated ID card, front and back), the third (ID + Identity: a passport and a selfie;
// the face engine starts), then one batch of `--batch` documents (the queue's batch size; Powertools
// runs a batch's records concurrently): wall and CPU time, and peak RSS after
// each. Then the package: bytes unzipped against Lambda's 250 MB limit, and zipped.
//
// The asset holds linux-arm64 builds of sharp (`.npmrc` in the asset); on another platform the run
// copies the asset and swaps in this machine's build of the same sharp version, nothing else.
// bench/README.md says what the figures mean for Lambda (Graviton, the CPU share of the memory).
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { documentClient } from '#adapters/dynamodb';
import { s3Client, s3ImageStore } from '#adapters/s3-image-store';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import { countryOfMrz } from '#domain/decision';
import type { IdType } from '#domain/initiate-request';
import { requiredSides } from '#domain/journey';
import { sha256 } from '#domain/secrets';
import { DEFAULT_SETTINGS, resolveOptions } from '#domain/settings';
import type { Capture, Transaction } from '#domain/transaction';
import { QUEUES } from '#shared/queues';
import { systemClock } from '#use-cases/ports';
import { consumerTimeout } from '../infra/constructs/work-queue.ts';
import { LOCAL_NAMES, startLocalStack } from '../local/stack.ts';
import { selfiePhoto } from '../test/support/selfie-photo.ts';
import { renderIdCard, renderPassport } from '../test/support/synthetic-documents.ts';
import { FUNCTION_ENVIRONMENT } from './deployed.ts';
import { fixed, median, table } from './report.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LAMBDA_UNZIPPED_LIMIT = 262_144_000; // 250 MB, the function and its layers, unzipped
const { values: args } = parseArgs({
  options: {
    asset: { type: 'string' },
    runs: { type: 'string', default: '3' },
    batch: { type: 'string' },
    'one-core': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const definition = QUEUES.find((queue) => queue.name === 'verify');
if (!definition?.consumer) throw new Error('shared/queues.ts has no verify consumer');
const memoryMb = definition.memorySize ?? 512;
const timeoutSeconds = consumerTimeout(definition).toSeconds();
const runs = Number(args.runs);
const batchSize = Number(args.batch ?? definition.batchSize);

/** What Lambda's Node.js bootstrap gives V8 for the function's memory (new space a tenth, in two halves). */
function lambdaNodeFlags(memory: number): string[] {
  const newSpace = Math.floor(memory / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memory - newSpace}`,
  ];
}

/** The newest synthesized asset whose package.json installs the OCR engine: the verify worker's. */
function findAsset(): string {
  const out = join(ROOT, 'cdk.out');
  const candidates = existsSync(out)
    ? readdirSync(out)
        .filter((name) => name.startsWith('asset.'))
        .map((name) => join(out, name))
        .filter((dir) => {
          const manifest = join(dir, 'package.json');
          return existsSync(manifest) && readFileSync(manifest, 'utf8').includes('"tesseract.js"');
        })
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  if (!candidates[0]) throw new Error('no verify worker asset in cdk.out: run `npm run synth` first');
  return candidates[0];
}

function filesOf(dir: string): Array<{ path: string; bytes: number }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, bytes: statSync(path).size };
    });
}

/** The asset, runnable here: as is on linux-arm64, else with this machine's build of sharp swapped in. */
function runnableCopy(asset: string, workDir: string): { dir: string; swapped: string[] } {
  if (process.platform === 'linux' && process.arch === 'arm64') return { dir: asset, swapped: [] };
  const dir = join(workDir, 'asset');
  cpSync(asset, dir, { recursive: true });
  const img = join(dir, 'node_modules', '@img');
  const swapped: string[] = [];
  for (const name of readdirSync(img).filter((entry) => entry.endsWith('-linux-arm64'))) {
    rmSync(join(img, name), { recursive: true });
    const host = name.replace('-linux-arm64', `-${process.platform}-${process.arch}`);
    const from = join(ROOT, 'node_modules', '@img', host);
    if (!existsSync(from)) throw new Error(`no ${host} in node_modules to stand in for ${name}`);
    const wanted = JSON.parse(
      readFileSync(join(asset, 'node_modules', '@img', name, 'package.json'), 'utf8'),
    );
    const have = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
    if (wanted.version !== have.version)
      throw new Error(`${host} is ${have.version}, the asset's ${name} ${wanted.version}`);
    cpSync(from, join(img, host), { recursive: true });
    swapped.push(`${name} → ${host}`);
  }
  return { dir, swapped };
}

interface Document {
  reference: string;
  kind: 'passport' | 'ID card';
  seed: number;
  expected: { idType: IdType; idNumber: string };
}

/** A submitted transaction (ID only) with its generated images in the bucket, as a journey leaves it. */
async function seed(
  stack: { endpoints: { dynamodb: string; s3: string } },
  seedNumber: number,
  kind: Document['kind'],
  withSelfie = false,
): Promise<Document> {
  const config = {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    DYNAMODB_ENDPOINT: stack.endpoints.dynamodb,
    S3_ENDPOINT: stack.endpoints.s3,
  };
  const transactions = dynamoTransactionRepository(documentClient(config), LOCAL_NAMES.table, systemClock);
  const images = s3ImageStore(s3Client(config), LOCAL_NAMES.bucket);
  const reference = randomUUID();
  const now = Date.now();
  const idType: IdType = kind === 'passport' ? 'PASSPORT' : 'ID_CARD';
  const rendered =
    kind === 'passport'
      ? { ...(await renderPassport({ seed: seedNumber, jpegQuality: 90 })), front: undefined }
      : await renderIdCard({ seed: seedNumber, jpegQuality: 90 });
  const options = resolveOptions(DEFAULT_SETTINGS, {
    customerInternalReference: `bench-${seedNumber}`,
    userReference: 'bench',
    // ID only, or ID + Identity (a selfie compared with the document's portrait).
    workflowId: withSelfie ? 200 : 100,
  });
  const captures: Partial<Record<'front' | 'back' | 'face', Capture>> = {};
  for (const side of requiredSides(idType, options.verificationType)) {
    // A passport's photo page carries its MRZ; a card's MRZ is on its back.
    const bytes =
      side === 'face'
        ? await selfiePhoto(seedNumber % 20)
        : kind === 'passport' || side === 'back'
          ? rendered.image
          : rendered.front;
    if (!bytes) throw new Error(`no ${side} image for a ${kind}`);
    const key = `tx/${reference}/${side}/${randomUUID()}`;
    await images.put(key, bytes, 'image/jpeg');
    captures[side] = {
      key,
      contentType: 'image/jpeg',
      source: 'camera',
      acceptedAt: new Date(now).toISOString(),
    };
  }
  const transaction: Transaction = {
    reference,
    customerId: 'bench',
    state: 'SUBMITTED',
    createdAt: new Date(now - 60_000).toISOString(),
    customerInternalReference: `bench-${seedNumber}`,
    userReference: 'bench',
    options,
    tokenHash: sha256(randomUUID()),
    tokenExpiresAt: now + 30 * 60_000,
    startedAt: new Date(now - 50_000).toISOString(),
    captures,
    lastActivityAt: new Date(now).toISOString(),
    document: { country: countryOfMrz(rendered.fields.issuingState), idType },
    source: 'WEB_CAM',
    submittedAt: new Date(now).toISOString(),
  };
  await transactions.create(transaction);
  return {
    reference,
    kind,
    seed: seedNumber,
    expected: { idType, idNumber: rendered.fields.documentNumber },
  };
}

// Runs in the child: import the bundle (init), then each batch of references as one SQS event.
const CHILD = `
const [bundle, batchesJson] = process.argv.slice(1);
const cpuMs = (u) => (u.user + u.system) / 1000;
const rssMb = () => process.resourceUsage().maxRSS / 1024;
const out = [];
let cpu = process.cpuUsage();
let started = performance.now();
const { handler } = await import(bundle);
out.push({ step: 'init', wallMs: performance.now() - started, cpuMs: cpuMs(process.cpuUsage(cpu)), peakRssMb: rssMb() });
let n = 0;
for (const batch of JSON.parse(batchesJson)) {
  const event = { Records: batch.map((reference) => ({
    messageId: 'm' + ++n, receiptHandle: 'r' + n, body: JSON.stringify({ reference }),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:verify', awsRegion: 'us-east-1' })) };
  const context = { functionName: 'verify', functionVersion: '$LATEST', awsRequestId: 'req' + n,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:verify',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, logGroupName: 'bench', logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30000 };
  cpu = process.cpuUsage();
  started = performance.now();
  const result = await handler(event, context);
  out.push({ step: 'batch', documents: batch.length, wallMs: performance.now() - started,
    cpuMs: cpuMs(process.cpuUsage(cpu)), peakRssMb: rssMb(), failures: result.batchItemFailures.length });
}
process.stdout.write(JSON.stringify(out));
process.exit(0);
`;

interface Step {
  step: 'init' | 'batch';
  documents?: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  failures?: number;
}

function runChild(bundle: string, batches: string[][], env: NodeJS.ProcessEnv): Promise<Step[]> {
  const node = [...lambdaNodeFlags(memoryMb), '--input-type=module', '-e', CHILD, pathToFileURL(bundle).href];
  const [command, commandArgs] = args['one-core']
    ? ['taskset', ['-c', '0', process.execPath, ...node, JSON.stringify(batches)]]
    : [process.execPath, [...node, JSON.stringify(batches)]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, commandArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolvePromise(JSON.parse(stdout.slice(stdout.lastIndexOf('[{'))) as Step[]);
      } catch (error) {
        reject(new Error(`the worker run failed (${(error as Error).message}): ${stderr.slice(-3000)}`));
      }
    });
  });
}

const asset = resolve(args.asset ?? findAsset());
const workDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'openverify-worker-'));
let stopStack: (() => Promise<void>) | undefined;
try {
  const files = filesOf(asset);
  const unzipped = files.reduce((sum, file) => sum + file.bytes, 0);
  const zipFile = join(workDir, 'asset.zip');
  execFileSync('zip', ['-qr', '-X', zipFile, '.'], { cwd: asset });
  const zipped = statSync(zipFile).size;
  rmSync(zipFile);
  const bundleBytes = statSync(join(asset, 'index.mjs')).size;
  const largest = new Map<string, number>();
  for (const file of files) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file.path);
    const name = match?.[1] ?? '(bundle, map, manifest)';
    largest.set(name, (largest.get(name) ?? 0) + file.bytes);
  }

  const { dir, swapped } = runnableCopy(asset, workDir);
  console.log(
    `verify worker: ${memoryMb} MB, timeout ${timeoutSeconds} s, batch ${batchSize}; Node ${process.version} ` +
      `${lambdaNodeFlags(memoryMb).join(' ')}${args['one-core'] ? ', one core (taskset)' : ''}`,
  );
  console.log(`asset: ${asset}${swapped.length ? ` (run from a copy: ${swapped.join(', ')})` : ''}`);

  console.log('Starting DynamoDB Local, S3 and SQS emulators…');
  // The queues without consumers: nothing here polls them; the worker is invoked directly.
  const stack = await startLocalStack({
    dataDir: join(workDir, 'stack'),
    routes: [],
    schedules: [],
    queues: QUEUES.map(({ consumer: _consumer, ...queue }) => queue),
  });
  stopStack = stack.stop;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...FUNCTION_ENVIRONMENT,
    AWS_LAMBDA_FUNCTION_NAME: 'verify',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    LAMBDA_TASK_ROOT: dir,
    AWS_REGION: process.env.AWS_REGION,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT,
    S3_ENDPOINT: process.env.S3_ENDPOINT,
    SQS_ENDPOINT: process.env.SQS_ENDPOINT,
    TABLE_NAME: process.env.TABLE_NAME,
    BUCKET_NAME: process.env.BUCKET_NAME,
    QUEUE_URL_CALLBACK: process.env.QUEUE_URL_CALLBACK,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };

  const transactions = dynamoTransactionRepository(
    documentClient({ AWS_REGION: env.AWS_REGION ?? '', DYNAMODB_ENDPOINT: stack.endpoints.dynamodb }),
    LOCAL_NAMES.table,
    systemClock,
  );
  const results: Step[][] = [];
  const verdicts = new Map<string, number>();
  const unverified: string[] = [];
  for (let run = 0; run < runs; run++) {
    let seedNumber = 1000 * (run + 1);
    const passport = await seed(stack, seedNumber++, 'passport');
    const card = await seed(stack, seedNumber++, 'ID card');
    const identity = await seed(stack, seedNumber++, 'passport', true);
    const batch: Document[] = [];
    for (let i = 0; i < batchSize; i++)
      batch.push(await seed(stack, seedNumber++, i % 2 === 0 ? 'passport' : 'ID card'));
    const steps = await runChild(
      join(dir, 'index.mjs'),
      [[passport.reference], [card.reference], [identity.reference], batch.map((one) => one.reference)],
      env,
    );
    results.push(steps);
    for (const document of [passport, card, identity, ...batch]) {
      const stored = await transactions.get(document.reference);
      const outcome = stored?.outcome;
      const right =
        outcome?.idType === document.expected.idType && outcome.idNumber === document.expected.idNumber;
      const verdict = `${stored?.state ?? 'missing'} ${outcome?.verificationStatus ?? '-'}${outcome?.verificationStatus === 'APPROVED_VERIFIED' && !right ? ' (WRONG FIELDS)' : ''}${outcome?.identityVerification ? `, identity ${outcome.identityVerification.similarity}` : ''}`;
      verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
      if (outcome?.verificationStatus !== 'APPROVED_VERIFIED')
        unverified.push(
          `${document.kind} seed ${document.seed}: ${verdict} ${JSON.stringify(outcome?.rejectReason ?? null)}`,
        );
    }
    console.log(
      `  run ${run + 1}: ${steps.map((step) => `${step.step === 'init' ? 'init' : `${step.documents} doc`} ${fixed(step.wallMs, 0)} ms`).join(', ')}`,
    );
  }

  const column = (index: number, of: (step: Step) => number) =>
    fixed(median(results.map((steps) => of(steps[index] as Step))), 0);
  const rows = [
    ['import the bundle (init phase)', 0],
    ['1st invocation: a passport (OCR engine starts)', 1],
    ['2nd invocation: an ID card (2 images)', 2],
    ['3rd: a passport and a selfie (the face engine starts)', 3],
    [`4th: a batch of ${batchSize} (concurrent)`, 4],
  ].map(([label, index]) => [
    label as string,
    column(index as number, (step) => step.wallMs),
    column(index as number, (step) => step.cpuMs),
    column(index as number, (step) => step.peakRssMb),
    results.map((steps) => fixed((steps[index as number] as Step).wallMs, 0)).join(' '),
  ]);
  console.log(`\nThe verify worker's cold start and memory (median of ${runs} fresh processes)\n`);
  console.log(table(['step', 'wall ms', 'CPU ms', 'peak RSS MB (so far)', 'runs (wall ms)'], rows));
  const perDocument = median(results.map((steps) => (steps[4] as Step).cpuMs / batchSize));
  const coldTotal = median(results.map((steps) => (steps[0] as Step).wallMs + (steps[1] as Step).wallMs));
  const peak = Math.max(...results.flat().map((step) => step.peakRssMb));
  console.log(
    `\nSteady state: ${fixed(perDocument, 0)} ms of CPU a document (in the batch). Cold start to the first verdict: ${fixed(coldTotal, 0)} ms wall here.`,
  );
  console.log(
    `Peak RSS over every run: ${fixed(peak, 0)} MB of ${memoryMb} MB (${fixed((100 * peak) / memoryMb, 0)}%). Failed records: ${results.flat().reduce((sum, step) => sum + (step.failures ?? 0), 0)}.`,
  );
  console.log(`Verdicts: ${[...verdicts].map(([verdict, count]) => `${count} × ${verdict}`).join(', ')}.`);
  for (const line of unverified) console.log(`  not verified: ${line}`);
  console.log(
    `\nPackage: ${fixed(unzipped / 1e6, 1)} MB unzipped (${fixed((100 * unzipped) / LAMBDA_UNZIPPED_LIMIT, 0)}% of Lambda's 250 MB limit for a zip), ${fixed(zipped / 1e6, 1)} MB zipped; the bundle ${fixed(bundleBytes / 1e3, 0)} KB.`,
  );
  console.log(
    `Largest parts: ${[...largest]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, bytes]) => `${name} ${fixed(bytes / 1e6, 1)} MB`)
      .join(', ')}.`,
  );
} finally {
  await stopStack?.();
  if (!args.keep) rmSync(workDir, { recursive: true, force: true });
}
// Stray sockets must not hold the run open.
process.exit(0);
