import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SAMPLE_INITIATE_REQUEST } from '#domain/initiate-request';

/**
 * Runs the product as `npm start` does (`node local/start.ts`, or through npm itself), on a free port,
 * in a data dir of its own, and finds what it leaves behind.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');

export const DEMO = {
  apiToken: 'ovk_e2e-demo-token-0000000000000000000000000000',
  apiSecret: 'ovs_e2e-demo-secret-000000000000000000000000000',
};

export interface RunningProduct {
  url: string;
  process: ChildProcess;
  output: () => string;
  /** Sends SIGINT (Ctrl-C), or the signal given, and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /**
   * Sends the signal to the whole process group, as a terminal sends Ctrl-C to its foreground job
   * (started with `ownProcessGroup`), and resolves with the exit code.
   */
  stopGroup(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** Variables over the defaults (PORT=0, the data dir, the fixed demo credentials). */
  env?: Record<string, string>;
  /** Run `npm start` rather than `node local/start.ts`. */
  viaNpm?: boolean;
  /** Start it in a process group of its own, as a shell starts a foreground job. */
  ownProcessGroup?: boolean;
}

/** A fresh data directory under `base` (the system's temporary directory by default). */
export function newDataDir(base = tmpdir()): string {
  return mkdtempSync(join(base, 'openverify-e2e-'));
}

/** Starts the product without waiting for it: its process, its exit code to come, its output so far. */
export function spawnProduct(dataDir: string, options: StartOptions = {}) {
  const [command, args] = options.viaNpm ? ['npm', ['start']] : [process.execPath, ['local/start.ts']];
  const child = spawn(command, args as string[], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      OPENVERIFY_DATA_DIR: dataDir,
      DEMO_API_TOKEN: DEMO.apiToken,
      DEMO_API_SECRET: DEMO.apiSecret,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup === true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, exited, output: () => output };
}

export async function startProduct(dataDir: string, options: StartOptions = {}): Promise<RunningProduct> {
  const { child, exited, output } = spawnProduct(dataDir, options);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setInterval(() => {
      const match = /openverify is running at (http:\/\/\S+)/.exec(output());
      if (match?.[1]) {
        clearInterval(timer);
        resolveUrl(match[1]);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the product exited with ${child.exitCode}:\n${output()}`));
      }
    }, 50);
  });

  return {
    url,
    process: child,
    output,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    async stopGroup(signal = 'SIGINT') {
      if (child.pid === undefined) throw new Error('the product has no pid');
      if (child.exitCode === null) process.kill(-child.pid, signal);
      return exited;
    },
  };
}

/** Runs the product until it exits by itself (a start that fails), at most `timeoutMs`. */
export async function runProductToExit(
  dataDir: string,
  options: StartOptions = {},
  timeoutMs = 30_000,
): Promise<{ code: number | null; output: string }> {
  const { child, exited, output } = spawnProduct(dataDir, options);
  // One that starts after all is stopped as a user would, so that it leaves nothing behind.
  const timers = [
    setTimeout(() => child.kill('SIGINT'), timeoutMs),
    setTimeout(() => child.kill('SIGKILL'), timeoutMs + 15_000),
  ];
  const code = await exited;
  for (const timer of timers) clearTimeout(timer);
  return { code, output: output() };
}

/** The servers' addresses a running product wrote to its data dir (for the admin CLI). */
export function endpointsOf(dataDir: string): { dynamodb: string; table: string } {
  return JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8'));
}

/**
 * Processes (other than this one) whose command line or environment names the data dir: the
 * product (OPENVERIFY_DATA_DIR), npm around it, DynamoDB Local's JVM (-dbPath). Linux only.
 */
export function processesUsing(dataDir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    for (const file of ['cmdline', 'environ']) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/${file}`, 'utf8');
      } catch {
        continue; // gone meanwhile, or another user's
      }
      if (text.includes(dataDir)) {
        found.push(`${pid}: ${readCmdline(pid)}`);
        break;
      }
    }
  }
  return found;
}

function readCmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '?';
  }
}

/** Polls until `probe` answers a value `done` accepts, and answers the last value seen. */
export async function settle<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

/** The processes still naming `dataDir` once they have had a few seconds to exit (none, if all is well). */
export function processesLeft(dataDir: string): Promise<string[]> {
  return settle(
    () => processesUsing(dataDir),
    (left) => left.length === 0,
  );
}

/** Whether nothing accepts connections at the URL's port on loopback. */
export function closedPort(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolveProbe) => {
    const socket = createConnection({ host: '127.0.0.1', port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolveProbe(false);
    });
    socket.once('error', () => resolveProbe(true));
  });
}

export const SAMPLE_REQUEST = SAMPLE_INITIATE_REQUEST;

export function initiateHeaders(credential = DEMO): Record<string, string> {
  return {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    'User-Agent': 'Example Corp SampleApp/1.0.1',
    Authorization: `Basic ${Buffer.from(`${credential.apiToken}:${credential.apiSecret}`).toString('base64')}`,
  };
}

export async function initiate(url: string, body: unknown = SAMPLE_REQUEST, headers = initiateHeaders()) {
  const response = await fetch(`${url}/api/v4/initiate`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}
