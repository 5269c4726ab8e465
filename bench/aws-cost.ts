import { QUEUES } from '#shared/queues';
import { ROUTES } from '#shared/routes';
import { fixed, table } from './report.ts';

/**
 * One verification's infrastructure cost in AWS at list prices, from the CPU time bench/verification.ts
 * measures for the two steps that compute (the journey's capture check and the verify worker) and
 * from the requests a journey makes, counted from the code paths (below, each with where it comes from).
 *
 * PRICES: AWS list prices for eu-west-1 (Ireland), on-demand, first tier, in USD:
 *   Lambda        https://aws.amazon.com/lambda/pricing/           Arm $0.0000133334 per GB-s, $0.20 per 1M requests
 *   S3 Standard   https://aws.amazon.com/s3/pricing/               PUT/POST $0.005 per 1,000, GET $0.0004 per 1,000,
 *                                                                  storage $0.023 per GB-month (first 50 TB)
 *   SQS standard  https://aws.amazon.com/sqs/pricing/              $0.40 per 1M requests (64 KB each)
 *   DynamoDB      https://aws.amazon.com/dynamodb/pricing/on-demand/ on-demand, Standard table class:
 *                                                                  $0.7068 per 1M write request units, $0.1415 per 1M
 *                                                                  read request units (half the $1.4135 / $0.283 in force
 *                                                                  before the 2024-11-01 on-demand price cut)
 *   API Gateway   https://aws.amazon.com/api-gateway/pricing/      HTTP API $1.11 per 1M requests (first 300M a month)
 *   CloudWatch    https://aws.amazon.com/cloudwatch/pricing/       logs ingested $0.57 per GB
 * Written down on 2026-11-27 on a machine without network access, from the prices as published after
 * 2024-11-01; not re-read that day: check the pages before quoting a figure. Free tiers, Savings Plans
 * and volume tiers are left out (they only lower the figure).
 */
export const PRICES_EU_WEST_1 = {
  checked: '2026-11-27 (values as published after 2024-11-01; see the comment)',
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  s3PutPerRequest: 0.005 / 1000,
  s3GetPerRequest: 0.0004 / 1000,
  s3StoragePerGbMonth: 0.023,
  sqsPerRequest: 0.4 / 1e6,
  dynamoPerWriteUnit: 0.7068 / 1e6,
  dynamoPerReadUnit: 0.1415 / 1e6,
  httpApiPerRequest: 1.11 / 1e6,
  logsPerGb: 0.57,
};

/**
 * Assumptions, each a number a reader can change. None is measured here except where it says so.
 */
export const ASSUMPTIONS = {
  /** Lambda gives a function one vCPU at 1,769 MB, in proportion below (AWS's documentation). */
  mbPerVcpu: 1769,
  /**
   * Graviton2 (Lambda's Arm) against this bench machine's x86 core, for this WASM (tesseract) and
   * libvips (sharp) work: assumed 1.3× slower per core, not measured (no Arm host here).
   */
  armSlowdown: 1.3,
  /** Waiting on DynamoDB, S3 and SQS in the capture call and in the worker (warm, same region). */
  captureIoMs: 40,
  workerIoMs: 60,
  /** Each API function other than the capture check (initiate, journey page, session, uploads, submit). */
  apiFunctionMs: 60,
  /** The callback deliverer waits for the receiver's answer: a typical receiver's. */
  callbackMs: 250,
  /** Verifications a verify container serves before it is recycled: its cold start spread over them. */
  verificationsPerWorkerContainer: 50,
  /** Log lines per invocation (Lambda's START/END/REPORT and ours at WARN). */
  logBytesPerInvocation: 1000,
  /** A phone photo as the journey uploads it (JPEG q0.92, 8–12 MP). */
  imageMegabytes: 2,
  /** The customer's retention period (the default, 360 days) for the images' storage. */
  retentionMonths: 12,
  /** Transaction item size: writes of 1–2 KB take 2 WRU; after the verdict, 3. */
  transactionWriteUnits: 2,
  finishedWriteUnits: 3,
};

const memoryOf = (name: string): number => {
  const route = ROUTES.find((one) => one.name === name) as { memorySize?: number } | undefined;
  const queue = QUEUES.find((one) => one.name === name) as { memorySize?: number } | undefined;
  // infra/constructs/function.ts: 512 MB unless the route or queue says otherwise.
  return route?.memorySize ?? queue?.memorySize ?? 512;
};

export interface MeasuredCpu {
  /** Mean CPU ms of one capture check (intake + usability), this machine. */
  captureCpuMs: number;
  /** Mean CPU ms of the worker's pipeline for one document (intake + MRZ + decide), this machine. */
  workerCpuMs: number;
  /** CPU ms of the worker's first read in a fresh process (OCR worker start and traineddata). */
  workerColdStartCpuMs: number;
  /** Mean images the worker reads per document (a card's front only when its back fails). */
  workerImagesPerDocument: number;
}

export interface CostLine {
  item: string;
  count: string;
  usd: number;
}

export interface Cost {
  images: number;
  lines: CostLine[];
  /** Requests and compute of one verification: the figure judged against the aim. */
  totalUsd: number;
  /** The images kept for the retention period, shown apart. */
  storageUsd: number;
}

/** Lambda duration for a CPU-bound step: the measured CPU, slowed to Arm, at the memory's CPU share. */
function lambdaMs(cpuMs: number, memoryMb: number): number {
  // Above 1,769 MB a function has more than one vCPU, but the OCR runs on one thread: no faster.
  const share = Math.min(1, memoryMb / ASSUMPTIONS.mbPerVcpu);
  return (cpuMs * ASSUMPTIONS.armSlowdown) / share;
}

const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);

/**
 * One journey with `images` document and selfie images (1: a passport; 2: an ID card's two sides;
 * 3: an ID card and a selfie; the face match itself is not measured here and not priced).
 */
export function costOfJourney(images: number, measured: MeasuredCpu): Cost {
  const p = PRICES_EU_WEST_1;
  const a = ASSUMPTIONS;
  const lines: CostLine[] = [];
  const add = (item: string, count: string, usd: number) => lines.push({ item, count, usd });

  // Requests through API Gateway, each one Lambda invocation (shared/routes.ts):
  // initiate, the journey page, session, an upload URL and a capture check per image, submit.
  const apiCalls = 4 + 2 * images;
  add('API Gateway HTTP API requests', String(apiCalls), apiCalls * p.httpApiPerRequest);
  const invocations = apiCalls + 2; // + the verify worker and the callback deliverer
  add('Lambda requests', String(invocations), invocations * p.lambdaPerRequest);

  const plainCalls = 4 + images; // initiate, page, session, submit; uploads
  const plainMs = plainCalls * a.apiFunctionMs;
  add(
    `Lambda: initiate, page, session, ${images} upload URL(s), submit (assumed ${a.apiFunctionMs} ms at 512 MB each)`,
    `${fixed(plainMs, 0)} ms`,
    gbSeconds(plainMs, 512) * p.lambdaArmPerGbSecond,
  );
  const captureMemory = memoryOf('journeyCaptures');
  const captureMs = images * (lambdaMs(measured.captureCpuMs, captureMemory) + a.captureIoMs);
  add(
    `Lambda: capture checks (measured ${fixed(measured.captureCpuMs, 0)} ms CPU each, ${captureMemory} MB)`,
    `${fixed(captureMs, 0)} ms`,
    gbSeconds(captureMs, captureMemory) * p.lambdaArmPerGbSecond,
  );
  const workerMemory = memoryOf('verify');
  const workerMs = lambdaMs(measured.workerCpuMs, workerMemory) + a.workerIoMs;
  add(
    `Lambda: verify worker (measured ${fixed(measured.workerCpuMs, 0)} ms CPU, ${workerMemory} MB)`,
    `${fixed(workerMs, 0)} ms`,
    gbSeconds(workerMs, workerMemory) * p.lambdaArmPerGbSecond,
  );
  const coldMs = lambdaMs(measured.workerColdStartCpuMs, workerMemory) / a.verificationsPerWorkerContainer;
  add(
    `Lambda: verify worker's cold start (measured ${fixed(measured.workerColdStartCpuMs, 0)} ms CPU) / ${a.verificationsPerWorkerContainer}`,
    `${fixed(coldMs, 0)} ms`,
    gbSeconds(coldMs, workerMemory) * p.lambdaArmPerGbSecond,
  );
  const callbackMemory = memoryOf('callback');
  add(
    `Lambda: callback deliverer (assumed ${a.callbackMs} ms, ${callbackMemory} MB)`,
    `${a.callbackMs} ms`,
    gbSeconds(a.callbackMs, callbackMemory) * p.lambdaArmPerGbSecond,
  );

  // S3: the browser's presigned POST per image; the capture check's GET; the worker's GETs.
  add('S3 PUT (presigned uploads)', String(images), images * p.s3PutPerRequest);
  const documentImages = Math.min(images, 2);
  const workerGets = Math.min(documentImages, measured.workerImagesPerDocument);
  const gets = images + workerGets;
  add('S3 GET (capture checks, worker)', fixed(gets, 2), gets * p.s3GetPerRequest);

  // SQS: verify and callback messages: SendMessage, the event source mapping's ReceiveMessage and
  // DeleteMessage each (one message a call at low traffic; batches lower it).
  add('SQS requests (2 messages × send, receive, delete)', '6', 6 * p.sqsPerRequest);

  // DynamoDB reads (strongly consistent GetItem of items ≤ 4 KB: 1 RRU; a small Query: 1):
  //   initiate: credential, customer (use-cases/authenticate.ts); session, each upload, each capture,
  //   submit: the transaction (open-session.ts transactionOfToken); worker: the transaction;
  //   deliverer: transaction, customer, earlier attempts (use-cases/deliver-callback.ts).
  const reads = 2 + 1 + images + images + 1 + 1 + 3;
  add('DynamoDB read request units', String(reads), reads * p.dynamoPerReadUnit);
  // Writes: initiate's PutItem; session's markStarted; each capture's recordCapture; submit; the
  // worker's finish and markCallbackQueued (the item with its verdict); the attempt record (small).
  const writes = a.transactionWriteUnits * (1 + 1 + images + 1) + a.finishedWriteUnits * 2 + 1;
  add('DynamoDB write request units', String(writes), writes * p.dynamoPerWriteUnit);

  const logGb = (invocations * a.logBytesPerInvocation) / 1e9;
  add('CloudWatch Logs ingestion', `${fixed(logGb * 1e6, 0)} KB`, logGb * p.logsPerGb);

  const totalUsd = lines.reduce((sum, line) => sum + line.usd, 0);
  const storageUsd = ((images * a.imageMegabytes) / 1024) * p.s3StoragePerGbMonth * a.retentionMonths;
  return { images, lines, totalUsd, storageUsd };
}

export function costOfOneVerification(measured: MeasuredCpu): Cost[] {
  return [1, 2, 3].map((images) => costOfJourney(images, measured));
}

const usd = (value: number) => `$${value.toFixed(6)}`;

export function printCost(costs: readonly Cost[]): void {
  const [first] = costs;
  if (!first) return;
  console.log(
    `\nOne verification in AWS, eu-west-1 list prices (${PRICES_EU_WEST_1.checked}), Lambda on Arm; USD\n`,
  );
  console.log(
    table(
      [
        'item',
        ...costs.map((cost) => `${cost.images} image(s)`),
        ...costs.map((cost) => `${cost.images} img $`),
      ],
      first.lines.map((line, index) => [
        line.item,
        ...costs.map((cost) => cost.lines[index]?.count ?? ''),
        ...costs.map((cost) => usd(cost.lines[index]?.usd ?? 0)),
      ]),
    ),
  );
  console.log(
    `\nTotal per verification (requests and compute): ${costs.map((cost) => `${cost.images} image(s) ${usd(cost.totalUsd)}`).join(', ')}`,
  );
  console.log(
    `Images kept for the ${ASSUMPTIONS.retentionMonths}-month default retention (${ASSUMPTIONS.imageMegabytes} MB each, S3 Standard), not in the total: ${costs.map((cost) => `${cost.images} image(s) ${usd(cost.storageUsd)}`).join(', ')}`,
  );
  console.log(
    `Assumed: Arm ${ASSUMPTIONS.armSlowdown}× slower per core than this machine; Lambda's CPU share = memory / ${ASSUMPTIONS.mbPerVcpu} MB (at most one core for the OCR); the worker's memory from shared/queues.ts (${memoryOf('verify')} MB), the capture check's from shared/routes.ts (${memoryOf('journeyCaptures')} MB). Not priced: the face match (ID + Identity), KMS (a bucket key), data transfer, idle SQS long polls, the KMS key and alarms (fixed monthly costs).`,
  );
}
