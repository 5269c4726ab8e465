import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BundlingOptions, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { FUNCTION_BUNDLING } from './deployed.ts';

/**
 * Each Lambda function's bundle, built with the deployed `bundling` props (`./deployed.ts`, from
 * `infra/constructs/function.ts`) turned into esbuild's options as CDK turns them into its flags,
 * then its cold import: a fresh Node process per sample, timing `await import()` of the bundle alone
 * (not Node's own start, which every function pays alike).
 */

const ROOT = resolve(import.meta.dirname, '..');

/** The props that change what esbuild writes; any other one fails the run rather than be ignored. */
const TRANSLATED = new Set<keyof BundlingOptions>([
  'format',
  'target',
  'mainFields',
  'banner',
  'footer',
  'minify',
  'keepNames',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'define',
  'loader',
  'inject',
  'bundleAwsSDK',
  'externalModules',
  'tsconfig',
  'logLevel', // messages only
  'metafile', // a file beside the bundle
]);

/** esbuild's options for CDK's `bundling` props, as aws-cdk-lib's `Bundling.buildEsbuildArgs` maps them. */
export function esbuildOptions(bundling: BundlingOptions): BuildOptions {
  const untranslated = Object.keys(bundling).filter((key) => !TRANSLATED.has(key as keyof BundlingOptions));
  if (untranslated.length > 0) {
    throw new Error(
      `bench/bundles.ts does not translate bundling.${untranslated.join(', bundling.')}; teach it`,
    );
  }
  const externals = bundling.externalModules ?? (bundling.bundleAwsSDK ? [] : ['@aws-sdk/*']);
  if (externals.some((name) => name.startsWith('@aws-sdk/'))) {
    // The runtime's copy of the SDK is not on this machine: the import would fail or time something else.
    throw new Error(
      `bench/bundles.ts cannot time a bundle with the AWS SDK external (${externals.join(', ')})`,
    );
  }
  // The native packages (sharp, tesseract.js, …) are installed beside the bundles that use them and
  // loaded on first use, never at import: a bundle that imported one at its top would fail its cold
  // import here (the bundle runs away from node_modules), as a regression should.
  const sourceMap = bundling.sourceMapMode ?? (bundling.sourceMap ? SourceMapMode.DEFAULT : undefined);
  return {
    format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
    ...(bundling.target ? { target: bundling.target } : {}),
    ...(bundling.mainFields ? { mainFields: bundling.mainFields } : {}),
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.footer ? { footer: { js: bundling.footer } } : {}),
    minify: bundling.minify ?? false,
    ...(externals.length > 0 ? { external: [...externals] } : {}),
    keepNames: bundling.keepNames ?? false,
    ...(sourceMap === undefined ? {} : { sourcemap: sourceMap === SourceMapMode.DEFAULT ? true : sourceMap }),
    sourcesContent: bundling.sourcesContent ?? true,
    ...(bundling.define ? { define: bundling.define } : {}),
    ...(bundling.loader ? { loader: bundling.loader as BuildOptions['loader'] } : {}),
    ...(bundling.inject ? { inject: bundling.inject.map((file) => resolve(ROOT, file)) } : {}),
    ...(bundling.tsconfig ? { tsconfig: resolve(ROOT, bundling.tsconfig) } : {}),
  };
}

export interface Bundle {
  name: string;
  file: string;
  bytes: number;
  /** The packages (or `(project)`) that take most room in the output, largest first. */
  largest: Array<{ name: string; bytes: number }>;
}

export async function bundle(name: string, entry: string, outDir: string): Promise<Bundle> {
  const options = esbuildOptions(FUNCTION_BUNDLING);
  const file = join(outDir, `${name}.${options.format === 'esm' ? 'mjs' : 'cjs'}`);
  const result = await build({
    ...options,
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, entry)],
    outfile: file,
    bundle: true,
    platform: 'node',
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

/**
 * Milliseconds to import `file` in a fresh Node process with `env` as its whole environment: pass the
 * deployed `NODE_OPTIONS` in it (`--enable-source-maps` reads and parses the source map at import).
 */
export function coldImport(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  const args = ['--input-type=module', '-e', TIMER, pathToFileURL(file).href];
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
