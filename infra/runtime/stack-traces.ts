/**
 * Readable stack traces for the minified function bundles, paid for only when a trace is made.
 *
 * esbuild injects this file at the top of every bundle (`FUNCTION_BUNDLING.inject`). Node's own
 * `--enable-source-maps` reads and parses the whole source map, and scans the bundle's lines, when
 * the bundle loads: 10–14 ms of every cold start (bench/README.md), for traces that most
 * containers never print. Here nothing is read until an error's `stack` is first formatted; the
 * map (`<bundle>.map`, beside the bundle) is then parsed once by Node's own `SourceMap` and each
 * frame inside the bundle is shown at its original file, line and name:
 *
 *     at header (shared/http/request.ts:7:16)
 *
 * Frames outside the bundle (Node's internals) are left as V8 writes them. Names: the minifier
 * renamed the functions, and the map gives the original name where a function is called, so it is
 * read from the caller's frame; a frame resumed after an `await`, or called from outside the bundle,
 * keeps its minified name (its file, line and column are still the original ones).
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';
import { fileURLToPath } from 'node:url';

const BUNDLE_URL = import.meta.url;
let sourceMap: SourceMap | null | undefined;

function loadSourceMap(): SourceMap | null {
  if (sourceMap === undefined) {
    try {
      sourceMap = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(BUNDLE_URL)}.map`, 'utf8')));
    } catch {
      sourceMap = null; // No map shipped: plain frames, never a failure while reporting one.
    }
  }
  return sourceMap;
}

/** The source's path from the project root (`shared/…`, `node_modules/…`), wherever it was built. */
export function projectPath(source: string): string {
  const path = source.replace(/^[a-z]+:\/\//, '').replace(/^(?:\.\.\/)+/, '');
  const dependency = path.lastIndexOf('node_modules/');
  if (dependency !== -1) return path.slice(dependency);
  return /(?:^|\/)((?:shared|functions|web|infra|local)\/.*)$/.exec(path)?.[1] ?? path;
}

/** Node ≥ 20 also gives the original identifier's name; @types/node does not say so yet. */
type NamedMapping = SourceMapping & { name?: string };

function mapped(map: SourceMap, site: NodeJS.CallSite): NamedMapping | undefined {
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (line === null || column === null) return undefined;
  const entry = map.findEntry(line - 1, column - 1);
  return 'originalSource' in entry ? entry : undefined;
}

function formatFrame(site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string {
  const map = site.getFileName() === BUNDLE_URL ? loadSourceMap() : null;
  const position = map ? mapped(map, site) : undefined;
  if (!map || !position) return String(site);
  // The minifier renamed the function; the map names it where it is called, so the caller's
  // frame gives the original name.
  const callerName = caller?.getFileName() === BUNDLE_URL ? mapped(map, caller)?.name : undefined;
  const name = callerName || site.getFunctionName() || site.getMethodName() || '<anonymous>';
  const prefix = site.isAsync() ? 'async ' : site.isConstructor() ? 'new ' : '';
  const location = `${projectPath(position.originalSource)}:${position.originalLine + 1}:${position.originalColumn + 1}`;
  return `${prefix}${name} (${location})`;
}

Error.prepareStackTrace = (error, frames) =>
  [String(error), ...frames.map((site, i) => `    at ${formatFrame(site, frames[i + 1])}`)].join('\n');
