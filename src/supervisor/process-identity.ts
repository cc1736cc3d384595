import { readFileSync } from 'node:fs';
import { parseProcStat } from './resource-sampler.js';

/**
 * A pid is reused once its process is gone: a record that says "pid 4242" may name an
 * unrelated process a minute (or a reboot) later. The pid with its start time (clock
 * ticks since boot, from `/proc/<pid>/stat`) and the boot's id names exactly one process.
 */
export interface ProcessIdentity {
  pid: number;
  startTicks: number;
  bootId: string;
}

let bootIdCache: string | undefined;

/** This boot's id (Linux), '' where there is none: pids and start times restart at each boot. */
export function bootId(): string {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    } catch {
      bootIdCache = '';
    }
  }
  return bootIdCache;
}

/** The live process `pid`'s identity; undefined when it is gone, a zombie, or there is no `/proc`. */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    if (!stat || stat.state === 'Z' || !Number.isFinite(stat.startTicks)) return undefined;
    return { pid, startTicks: stat.startTicks, bootId: bootId() };
  } catch {
    return undefined;
  }
}

/**
 * True when the process `recorded` names still runs: same boot, same pid, same start time.
 * Without `/proc` (not Linux) nothing can be proved, so false: callers never signal a
 * process they cannot identify.
 * @example isSameProcess({ pid: 4242, startTicks: 81234, bootId }) // false once 4242 exited, even if the pid was reused
 */
export function isSameProcess(recorded: ProcessIdentity): boolean {
  if (!recorded.bootId || recorded.bootId !== bootId()) return false;
  const now = processIdentity(recorded.pid);
  return now !== undefined && now.startTicks === recorded.startTicks;
}
