import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from '../../local/data-dir-lock.ts';

/** One running stack per data dir: the lock file, and what counts as a stale one. */

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'openverify-lock-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '0']);
  return pid;
}

describe('lockDataDir', () => {
  it('writes our pid, refuses a second lock while held, and removes the file on release', () => {
    const dir = newDir();
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    release();
    expect(() => readFileSync(join(dir, LOCK_FILE))).toThrow();
    lockDataDir(dir)();
  });

  it('refuses a lock held by a running process, naming its pid', () => {
    const dir = newDir();
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
    expect(() => lockDataDir(dir)).toThrow(`in use by another openverify (pid ${process.ppid})`);
  });

  it.each([
    ['a dead pid', () => `${deadPid()}\n`],
    ['our own pid, from an earlier process', () => `${process.pid}\n`],
    ['no pid at all', () => ''],
  ])('takes over a stale lock: %s', (_, content) => {
    const dir = newDir();
    writeFileSync(join(dir, LOCK_FILE), content());
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
