import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';

/**
 * Each Lambda function's bundle, built as `infra/constructs/function.ts` has CDK build it (ESM,
 * node24, minified, module-first main fields, the AWS SDK bundled, the `require` shim, a linked
 * source map), then its cold import: a fresh Node process per sample, timing `await import()` of
 * the bundle alone (not Node's own start, which every function pays alike).
 */

const ROOT = resolve(import.meta.dirname, '..');

// The same shim as infra/constructs/function.ts (not imported: that would load aws-cdk-lib).
const REQUIRE_SHIM =
  "import { createRequire as __openverifyCreateRequire } from 'node:module'; const require = __openverifyCreateRequire(import.meta.url);";

export interface Bundle {
  name: string;
  file: string;
  bytes: number;
  /** The packages (or `(project)`) that take most room in the output, largest first. */
  largest: Array<{ name: string; bytes: number }>;
}

export async function bundle(name: string, entry: string, outDir: string): Promise<Bundle> {
  const file = join(outDir, `${name}.mjs`);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, entry)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    banner: { js: REQUIRE_SHIM },
    metafile: true,
    write: true,
    logLevel: 'error',
  });
  return { name, file, bytes: statSync(file).size, largest: largestPackages(result.metafile) };
}

function largestPackages(metafile: Metafile): Bundle['largest'] {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = match?.[1] ?? '(project)';
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 4);
}

// Runs in the child: time the import alone, report it, and exit without waiting for open handles.
const TIMER = `
const started = performance.now();
await import(process.argv[1]);
process.stdout.write(String(performance.now() - started));
process.exit(0);
`;

/** Milliseconds to import `file` in a fresh Node process; `sourceMaps` adds `--enable-source-maps`, as Lambda runs it. */
export function coldImport(file: string, env: NodeJS.ProcessEnv, sourceMaps: boolean): Promise<number> {
  const args = [
    ...(sourceMaps ? ['--enable-source-maps'] : []),
    '--input-type=module',
    '-e',
    TIMER,
    pathToFileURL(file).href,
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      const ms = Number(stdout);
      if (code === 0 && Number.isFinite(ms) && stdout !== '') resolvePromise(ms);
      else reject(new Error(`importing ${file} failed (exit ${code}): ${stderr.trim().slice(-2000)}`));
    });
  });
}
