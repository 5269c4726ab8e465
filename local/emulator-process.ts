import { type ChildProcess, fork } from 'node:child_process';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './resources.ts';
import { startS3Local } from './s3-server.ts';
import { startSqsLocal } from './sqs-server.ts';
import { startStreamForwarder } from './stream-forwarder.ts';

/**
 * An emulator (the SQS or the S3 server, or the pipe from the table's stream to the queues) in a
 * Node process of its own, as DynamoDB Local runs in its own JVM. In AWS the queue's and the
 * bucket's work is not done by the functions' processes, nor is the pipe's; here, run inside the
 * product's process, it took that process's CPU: a queue send cost the API 1.3 ms, of which the
 * client's share is under half. The emulator's process lives exactly as long as the
 * product's: it stops when asked, and exits by itself when its parent dies (the IPC channel closes),
 * even on SIGKILL. A terminal's Ctrl-C reaches the whole process group: the emulator ignores it and
 * waits for the product, which still needs it while it stops (pollers finish their batches).
 */

export type EmulatorKind = 'sqs' | 's3' | 'stream';

export interface EmulatorOptions {
  /** Where the emulator keeps its data (the queues' SQLite file, the bucket's objects). */
  dataDir: string;
  /** The stream forwarder's: what it reads and where it sends (it has no endpoint of its own). */
  stream?: StreamConfig;
}

export interface StreamConfig {
  dynamodbEndpoint: string;
  tableName: string;
  sqsEndpoint: string;
  queueUrls: Record<string, string>;
  checkpointFile: string;
}

export interface EmulatorProcess {
  endpoint: string;
  stop(): Promise<void>;
}

type ChildMessage = { endpoint: string } | { error: string };

export async function startEmulatorProcess(
  kind: EmulatorKind,
  options: EmulatorOptions,
): Promise<EmulatorProcess> {
  const args = ['--emulator', kind, options.dataDir, JSON.stringify(options.stream ?? null)];
  const child: ChildProcess = fork(import.meta.filename, args, {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // Not the parent's inspector, profiler or test-runner flags.
    execArgv: [],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );

  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: ChildMessage) =>
      'endpoint' in message ? resolve(message.endpoint) : reject(new Error(`${kind}: ${message.error}`)),
    );
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`the ${kind} emulator exited before it was ready (${signal ?? code})`)),
    );
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  // An emulator that dies while the product runs leaves it with a dead endpoint: say so at once.
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`The ${kind} emulator stopped unexpectedly (${signal ?? `exit ${code}`}).`);
  });

  return {
    endpoint,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      // It ignores SIGTERM (see below): asked over IPC, or killed.
      if (child.connected) child.send('stop');
      else child.kill('SIGKILL');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The child's side: start the emulator, say where it listens, stop when told or orphaned. */
async function runEmulator(kind: EmulatorKind, dataDir: string, stream: StreamConfig | null): Promise<void> {
  const server =
    kind === 'sqs'
      ? await startSqsLocal({ dataDir })
      : kind === 's3'
        ? await startS3Local({ directory: dataDir })
        : await startStreamProcess(stream);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= server
      .stop()
      .catch(() => undefined)
      .finally(() => process.exit(0));
    return stopping;
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  // The parent is gone (it exited, or was killed): nobody will ask, so stop now, and in any case
  // within 5 s (it ignores the usual signals, so a hung stop would leave it behind).
  process.on('disconnect', () => {
    setTimeout(() => process.exit(1), 5000).unref();
    void stop();
  });
  process.send?.({ endpoint: server.endpoint } satisfies ChildMessage);
}

async function startStreamProcess(config: StreamConfig | null) {
  if (!config) throw new Error('the stream forwarder needs its configuration');
  const sqs = new SQSClient({
    endpoint: config.sqsEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const forwarder = await startStreamForwarder({
    ...config,
    sqs,
    queueUrls: new Map(Object.entries(config.queueUrls)),
    onError: (error) => console.error('table stream:', error),
  });
  return {
    endpoint: '',
    async stop() {
      await forwarder.stop();
      sqs.destroy();
    },
  };
}

if (process.argv[2] === '--emulator' && process.send) {
  // The process group's Ctrl-C is the parent's to handle; it stops this process in its turn.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
  const kind = process.argv[3] as EmulatorKind;
  runEmulator(
    kind,
    process.argv[4] ?? '',
    JSON.parse(process.argv[5] ?? 'null') as StreamConfig | null,
  ).catch((error: unknown) => {
    process.send?.({ error: (error as Error).message } satisfies ChildMessage, () => process.exit(1));
  });
}
