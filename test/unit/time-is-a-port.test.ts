import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOCK_SHIFT_MS } from '../support/shifted-clock.ts';

/**
 * Guards against tests and code that depend on the real date: production code reads the time only
 * through the `Clock` port, and the suites run on a clock moved far from the real one.
 */

const ROOT = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

// The system clock itself; everything else gets the time from a Clock it is given.
const CLOCK_READERS = new Set(['shared/use-cases/ports.ts']);
const READS_THE_CLOCK = /\bDate\.now\(\)|\bnew Date\(\s*\)/;

describe('time is a port', () => {
  it('production code reads the time only through the Clock port', () => {
    const offenders = [...sources('shared'), ...sources('functions')].filter(
      (file) => !CLOCK_READERS.has(file) && READS_THE_CLOCK.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('this suite runs on a clock far from the real one', () => {
    const real = performance.timeOrigin + performance.now();
    expect(CLOCK_SHIFT_MS).not.toBe(0);
    expect(Math.abs(Date.now() - real - CLOCK_SHIFT_MS)).toBeLessThan(60_000);
    // biome-ignore lint/complexity/useDateNow: the constructor without arguments is what is checked here.
    expect(Math.abs(new Date().getTime() - real)).toBeGreaterThan(30 * 24 * 60 * 60 * 1000);
    // Dates built from values are untouched.
    expect(new Date('2026-11-22T10:00:00.000Z').getTime()).toBe(Date.UTC(2026, 10, 22, 10));
  });
});
