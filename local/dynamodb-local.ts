import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, waitFor } from './ports.ts';

/**
 * DynamoDB Local, AWS's own emulator (it has transactions and TTL), run from the jar that the npm
 * package `amplify-dynamodb-simulator` ships. Needs a Java runtime on the PATH.
 */

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(
  options: { dataDir?: string; port?: number } = {},
): Promise<DynamoDbLocal> {
  const emulator = join(
    dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')),
    'emulator',
  );
  const port = options.port || (await freePort());
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });

  const java: ChildProcess = spawn(
    'java',
    [
      '-Xms64m',
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-port',
      String(port),
      ...storage,
      // The local product talks to nothing outside this machine.
      '-disableTelemetry',
    ],
    { cwd: emulator, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  java.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // The last resort when the parent exits without stop() (process.exit, an uncaught error): an
  // orphaned JVM would keep the port and the data dir's files. A signal that kills Node outright
  // (SIGKILL) still leaves it; the local runner turns the others into a stop().
  const killOnExit = () => java.kill('SIGKILL');
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    java.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  java.once('error', (error) => {
    stderr += `\n${error.message}`;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`DynamoDB Local on port ${port}`, async () => {
      if (java.exitCode !== null || java.signalCode !== null) {
        throw new Error(`DynamoDB Local exited (is Java installed?): ${stderr.trim()}`);
      }
      const response = await fetch(endpoint, { method: 'POST' }).catch(() => undefined);
      return response !== undefined;
    });
  } catch (error) {
    java.kill('SIGKILL');
    throw error;
  }

  return {
    endpoint,
    async stop() {
      if (java.exitCode === null && java.signalCode === null) {
        java.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (java.exitCode === null && java.signalCode === null) java.kill('SIGKILL');
      }
    },
  };
}
