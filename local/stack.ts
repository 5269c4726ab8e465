import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { documentClient } from '#adapters/dynamodb';
import type { IssuedCredential } from '#domain/customer';
import { QUEUES, type QueueDefinition, queueUrlVariable } from '#shared/queues';
import { ROUTES, type Route } from '#shared/routes';
import { SCHEDULES, type ScheduleDefinition } from '#shared/schedules';
import { createCustomer, rotateCredentials, rotateWebhookSecret } from '#use-cases/manage-customers';
import { systemClock } from '#use-cases/ports';
import { lockDataDir } from './data-dir-lock.ts';
import { demoIntegrator } from './demo.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { startEmulatorProcess } from './emulator-process.ts';
import { type Poller, type SqsHandler, startPoller } from './pollers.ts';
import {
  allowUploadsFrom,
  ensureBucket,
  ensureQueue,
  ensureTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
} from './resources.ts';
import { type ApiHandler, startRouter } from './router.ts';

/**
 * The whole product on one machine: DynamoDB Local, s3rver and fauxqs on loopback, each in a process
 * of its own (as AWS's services are not the functions' processes), the same handlers behind the
 * local router, pollers for the queue consumers, and a demo customer.
 */

const ROOT = resolve(import.meta.dirname, '..');
export const LOCAL_NAMES = { table: 'openverify', bucket: 'openverify-images', queuePrefix: 'openverify' };
export const ENDPOINTS_FILE = 'endpoints.json';
/** How far the local stream forwarder got in the table's stream (local/stream-forwarder.ts). */
export const STREAM_CHECKPOINT_FILE = 'stream-checkpoint.json';

export interface LocalStackOptions {
  /** Where data persists between runs (`.local/` for `npm start`); one running stack at a time. */
  dataDir: string;
  port?: number;
  /** Fixed demo credentials; new ones are issued on every start when absent. */
  demoCredential?: IssuedCredential;
  /** A fixed callback signing secret for the demo customer (`DEMO_WEBHOOK_SECRET`). */
  demoWebhookSecret?: string;
  routes?: readonly Route[];
  queues?: readonly QueueDefinition[];
  schedules?: readonly ScheduleDefinition[];
  /** Runs every scheduled job this often instead of on its own schedule (tests, demos). */
  scheduleIntervalSeconds?: number;
}

export interface LocalStack {
  url: string;
  demo: { customerId: string; credential: IssuedCredential; webhookSecret: string };
  endpoints: { dynamodb: string; s3: string; sqs: string };
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  const stoppers: Array<() => Promise<void>> = [async () => unlock()];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne().catch(() => undefined);
  };

  try {
    const [dynamo, s3, sqs] = await Promise.all([
      startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') }).then((server) => {
        stoppers.push(server.stop);
        return server;
      }),
      startEmulatorProcess('s3', { dataDir: join(dataDir, 's3') }).then((server) => {
        stoppers.push(server.stop);
        return server;
      }),
      startEmulatorProcess('sqs', { dataDir: join(dataDir, 'sqs') }).then((server) => {
        stoppers.push(server.stop);
        return server;
      }),
    ]);

    const queues = options.queues ?? QUEUES;
    await ensureTable(dynamo.endpoint, LOCAL_NAMES.table);
    await ensureBucket(s3.endpoint, LOCAL_NAMES.bucket);
    const queueUrls = new Map<QueueDefinition, string>();
    for (const queue of queues)
      queueUrls.set(queue, await ensureQueue(sqs.endpoint, queue, LOCAL_NAMES.queuePrefix));
    // EventBridge Pipes' part, the table's stream to the queues (shared/streams.ts), in a process of
    // its own as the pipe is no function's work in AWS.
    const forwarder = await startEmulatorProcess('stream', {
      dataDir,
      stream: {
        dynamodbEndpoint: dynamo.endpoint,
        tableName: LOCAL_NAMES.table,
        sqsEndpoint: sqs.endpoint,
        queueUrls: Object.fromEntries([...queueUrls].map(([queue, url]) => [queue.name, url])),
        checkpointFile: join(dataDir, STREAM_CHECKPOINT_FILE),
      },
    });
    stoppers.push(forwarder.stop);

    // The demo integrator page (local only) knows the demo customer once it exists, below.
    let demoCustomer: LocalStack['demo'] | undefined;
    const demo = demoIntegrator({
      baseUrl: () => router.url,
      credential: () => {
        if (!demoCustomer) throw new Error('the demo customer is not ready yet');
        return demoCustomer.credential;
      },
      webhookSecret: () => demoCustomer?.webhookSecret ?? '',
    });
    const router = await startRouter(
      options.routes ?? ROUTES,
      (route) => loadHandler<ApiHandler>(route.entry),
      {
        port: options.port ?? 0,
        extra: (request, response, path) => demo(request, response, path),
      },
    );
    stoppers.push(router.close);
    await allowUploadsFrom(s3.endpoint, LOCAL_NAMES.bucket, [router.url]);

    // What Lambda's configuration gives each function in AWS; the handlers read it at cold start,
    // which here is their first request, after this point.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      S3_ENDPOINT: s3.endpoint,
      SQS_ENDPOINT: sqs.endpoint,
      TABLE_NAME: LOCAL_NAMES.table,
      BUCKET_NAME: LOCAL_NAMES.bucket,
      PUBLIC_BASE_URL: router.url,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      ...Object.fromEntries([...queueUrls].map(([queue, url]) => [queueUrlVariable(queue.name), url])),
    });

    const sqsClient = new SQSClient({
      endpoint: sqs.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const pollers: Poller[] = [];
    // Benchmarks pause a consumer to measure the API alone (OPENVERIFY_PAUSE_QUEUES=verify).
    const paused = new Set((process.env.OPENVERIFY_PAUSE_QUEUES ?? '').split(',').filter(Boolean));
    for (const [queue, url] of queueUrls) {
      if (!queue.consumer || paused.has(queue.name)) continue;
      const handler = await loadHandler<SqsHandler>(queue.consumer);
      pollers.push(
        startPoller(sqsClient, queue, url, handler, {
          onError: (error) => console.error(`queue ${queue.name}:`, error),
        }),
      );
    }
    stoppers.push(async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
      sqsClient.destroy();
    });

    // EventBridge's schedules: a timer per job, never two runs of one job at once.
    for (const schedule of options.schedules ?? SCHEDULES) {
      const run = await loadHandler<() => Promise<unknown>>(schedule.entry);
      const everyMs = (options.scheduleIntervalSeconds ?? schedule.everyMinutes * 60) * 1000;
      let running: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        running = running
          .then(() => run())
          .catch((error: unknown) => console.error(`job ${schedule.name}:`, (error as Error).message));
      }, everyMs);
      stoppers.push(async () => {
        clearInterval(timer);
        await running;
      });
    }

    demoCustomer = await ensureDemoCustomer(
      dataDir,
      dynamo.endpoint,
      options.demoCredential,
      options.demoWebhookSecret,
    );
    // The admin CLI finds the running servers here (`npm run admin -- … --local`).
    writeFileSync(
      join(dataDir, ENDPOINTS_FILE),
      `${JSON.stringify({
        dynamodb: dynamo.endpoint,
        table: LOCAL_NAMES.table,
        s3: s3.endpoint,
        bucket: LOCAL_NAMES.bucket,
        sqs: sqs.endpoint,
        callbackQueueUrl: [...queueUrls].find(([queue]) => queue.name === 'callback')?.[1],
      })}\n`,
    );
    stoppers.push(async () => rmSync(join(dataDir, ENDPOINTS_FILE), { force: true }));
    return {
      url: router.url,
      demo: demoCustomer,
      endpoints: { dynamodb: dynamo.endpoint, s3: s3.endpoint, sqs: sqs.endpoint },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function loadHandler<H>(entry: string): Promise<H> {
  const module = (await import(pathToFileURL(join(ROOT, entry)).href)) as { handler?: H };
  if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler`);
  return module.handler;
}

/**
 * The demo customer persists with the data; its credentials are replaced on every start (the
 * secrets exist only as digests, so they cannot be shown again), by fixed ones when given.
 */
async function ensureDemoCustomer(
  dataDir: string,
  endpoint: string,
  credential: IssuedCredential | undefined,
  webhookSecret: string | undefined,
): Promise<LocalStack['demo']> {
  const db = documentClient({ AWS_REGION: LOCAL_REGION, DYNAMODB_ENDPOINT: endpoint });
  const deps = {
    customers: dynamoCustomerRepository(db, LOCAL_NAMES.table, systemClock),
    clock: systemClock,
  };
  const file = join(dataDir, 'demo-customer.json');
  const known = readDemoCustomerId(file);
  const existing = known ? await deps.customers.get(known) : undefined;
  if (known && existing) {
    const issued = await rotateCredentials(deps, known, credential ? { credential } : {});
    // The signing secret stays (receivers keep it) unless a fixed one replaces it.
    const current = existing.webhookSecrets?.[0]?.secret;
    const secret =
      webhookSecret === undefined && current !== undefined
        ? current
        : await rotateWebhookSecret(deps, known, webhookSecret ? { secret: webhookSecret } : {});
    return { customerId: known, credential: issued, webhookSecret: secret };
  }
  const created = await createCustomer(deps, {
    name: 'Demo integrator',
    ...(credential ? { credential } : {}),
    ...(webhookSecret ? { webhookSecret } : {}),
  });
  writeFileSync(file, `${JSON.stringify({ customerId: created.customer.customerId })}\n`);
  return {
    customerId: created.customer.customerId,
    credential: created.credential,
    webhookSecret: created.webhookSecret,
  };
}

function readDemoCustomerId(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { customerId?: string }).customerId;
  } catch {
    return undefined;
  }
}
