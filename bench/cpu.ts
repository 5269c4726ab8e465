import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time by process during a load run: this process (the router and handlers, or the baseline
 * server), DynamoDB Local's JVM, and the load generator. Divided by the requests served, it says
 * where each request's CPU goes, a figure far steadier than throughput on a shared machine.
 * Linux only (reads /proc); elsewhere the JVM's share is unknown.
 */

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node supports

export interface CpuSnapshot {
  /** Microseconds, user + system. */
  self: number;
  jvm: number | undefined;
}

let jvmPid: number | undefined;

/** DynamoDB Local is the `java` child of this process (local/dynamodb-local.ts spawns it). */
function findJvm(): number | undefined {
  if (jvmPid !== undefined) return jvmPid;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat && stat.comm === 'java' && stat.ppid === process.pid) {
        jvmPid = Number(entry);
        return jvmPid;
      }
    }
  } catch {
    // Not Linux.
  }
  return undefined;
}

function readStat(pid: number): { comm: string; ppid: number; cpuMicros: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    // Fields after the command: state(3) ppid(4) … utime(14) stime(15).
    const fields = text
      .slice(close + 2)
      .split(' ')
      .map(Number);
    const ppid = fields[1] ?? 0;
    const ticks = (fields[11] ?? 0) + (fields[12] ?? 0);
    return { comm, ppid, cpuMicros: (ticks * 1_000_000) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const usage = process.cpuUsage();
  const pid = findJvm();
  return { self: usage.user + usage.system, jvm: pid === undefined ? undefined : readStat(pid)?.cpuMicros };
}

/** CPU milliseconds spent between two snapshots. */
export function cpuSpent(
  before: CpuSnapshot,
  after: CpuSnapshot,
): { selfMs: number; jvmMs: number | undefined } {
  return {
    selfMs: (after.self - before.self) / 1000,
    jvmMs: before.jvm === undefined || after.jvm === undefined ? undefined : (after.jvm - before.jvm) / 1000,
  };
}
