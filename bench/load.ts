import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LoadOptions, LoadResult } from './load-generator.ts';

export type { LoadOptions, LoadResult };

const GENERATOR = join(import.meta.dirname, 'load-generator.ts');

/** Runs one load from a child process (`load-generator.ts`) and answers its figures. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GENERATOR, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // An interrupted bench must not leave the generator running.
    const stop = () => child.kill();
    process.once('exit', stop);
    child.once('error', reject);
    child.once('close', (code) => {
      process.off('exit', stop);
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(stdout) as LoadResult);
      } catch (error) {
        reject(
          new Error(`load generator failed (${(error as Error).message}): ${stderr.trim().slice(-2000)}`),
        );
      }
    });
  });
}
