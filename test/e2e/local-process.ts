import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SAMPLE_INITIATE_REQUEST } from '#domain/initiate-request';

/** Runs the product as `npm start` does (`node local/start.ts`), on a free port, in a data dir of its own. */

const ROOT = resolve(import.meta.dirname, '..', '..');

export const DEMO = {
  apiToken: 'ovk_e2e-demo-token-0000000000000000000000000000',
  apiSecret: 'ovs_e2e-demo-secret-000000000000000000000000000',
};

export interface RunningProduct {
  url: string;
  process: ChildProcess;
  output: () => string;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'openverify-e2e-'));
}

export async function startProduct(dataDir: string): Promise<RunningProduct> {
  const child = spawn(process.execPath, ['local/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      OPENVERIFY_DATA_DIR: dataDir,
      DEMO_API_TOKEN: DEMO.apiToken,
      DEMO_API_SECRET: DEMO.apiSecret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setInterval(() => {
      const match = /openverify is running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearInterval(timer);
        resolveUrl(match[1]);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the product exited with ${child.exitCode}:\n${output}`));
      }
    }, 50);
  });

  return {
    url,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
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
