import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One running stack per data dir: two would share DynamoDB Local's files and overwrite each other's
 * endpoints.json. The lock is a file holding the owner's pid; a lock whose pid no longer runs is
 * left over from a crash and is taken over.
 */

export const LOCK_FILE = 'openverify.lock';

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

// A pid equal to ours in a lock we did not take belongs to an earlier process (pids are reused,
// soon after a reboot or in a container).
const held = new Set<string>();

/** Takes the data dir's lock, or throws DataDirInUseError; answers the function that releases it. */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 1; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      held.add(file);
      return () => {
        if (!held.delete(file)) return;
        if (readPid(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readPid(file);
    const stale = owner === undefined || (owner === process.pid ? !held.has(file) : !isRunning(owner));
    const inUse = () =>
      new DataDirInUseError(
        `${dataDir} is in use by another openverify${owner === undefined ? '' : ` (pid ${owner})`}: ` +
          `stop it first, or choose another OPENVERIFY_DATA_DIR. If no such process runs, delete ${file}.`,
      );
    if (!stale || attempt === 3) throw inUse();
    if (!setAside(file, owner)) throw inUse();
  }
}

/**
 * Moves a stale lock out of the way, atomically: two starts that both judged it stale cannot both
 * remove it, and one that took it over in between keeps it. False when the lock moved was not the
 * stale one (it is put back).
 */
function setAside(file: string, stalePid: number | undefined): boolean {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true; // someone else moved it
    throw error;
  }
  const moved = readPid(aside);
  if (moved !== stalePid) {
    try {
      linkSync(aside, file); // never over a lock written since
    } catch {}
    rmSync(aside, { force: true });
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
