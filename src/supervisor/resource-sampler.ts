import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Resource use of one process group at one moment. */
export interface GroupUsage {
  /** Resident memory of every process in the group, in bytes. */
  rssBytes: number;
  /** CPU time (user + system) used so far by the group's live processes, in seconds. */
  cpuSeconds: number;
  /** Processes in the group. */
  processes: number;
  /** True when the group leader is stopped (SIGSTOP, state T). */
  stopped: boolean;
}

/** One parsed `/proc/<pid>/stat` line (the fields we use). */
export interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
  utimeTicks: number;
  stimeTicks: number;
  rssPages: number;
  /** When the process started, in clock ticks since boot: with the pid, it names one process (pids are reused). */
  startTicks: number;
}

/** Parse `/proc/<pid>/stat`; the command name may contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  // Fields after the name start at field 3 (state): index = field number - 3.
  const fields = text.slice(close + 2).split(' ');
  if (fields.length < 22) return undefined;
  return {
    pid,
    state: fields[0]!,
    pgrp: Number(fields[2]),
    utimeTicks: Number(fields[11]),
    stimeTicks: Number(fields[12]),
    rssPages: Number(fields[21]),
    startTicks: Number(fields[19]),
  };
}

function sysconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2_000 }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Reads RSS and CPU time of process groups from `/proc` (Linux). One call scans
 * `/proc` once for all groups, so sampling 50 supervised processes costs one directory
 * listing plus one small read per process on the machine, with no child processes
 * spawned (unlike `ps`, which pidusage-style samplers run).
 *
 * @example
 * const sampler = new ResourceSampler();
 * sampler.sample([1234]).get(1234); // { rssBytes, cpuSeconds, processes, stopped }
 * @example
 * sampler.sample([999_999]).get(999_999); // undefined: no such group
 */
export class ResourceSampler {
  readonly pageSize: number;
  readonly ticksPerSecond: number;
  readonly available: boolean;

  constructor(options: { groups?: boolean } = {}) {
    this.groups = options.groups ?? true;
    this.available = process.platform === 'linux';
    this.pageSize = this.available ? sysconf('PAGESIZE', 4_096) : 4_096;
    this.ticksPerSecond = this.available ? sysconf('CLK_TCK', 100) : 100;
  }

  private readonly groups: boolean;

  /** Usage per process group id; groups with no live process are missing. */
  sample(pgids: Iterable<number>): Map<number, GroupUsage> {
    const wanted = new Set(pgids);
    const usage = new Map<number, GroupUsage>();
    if (!this.available || wanted.size === 0) return usage;
    const pids = this.groups ? readdirSync('/proc').filter((name) => name.charCodeAt(0) <= 57) : [...wanted].map(String);
    for (const pid of pids) {
      let stat: ProcStat | undefined;
      try {
        stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
      } catch {
        continue; // it exited between the listing and the read
      }
      if (!stat || !wanted.has(stat.pgrp) || stat.state === 'Z') continue;
      const entry = usage.get(stat.pgrp) ?? { rssBytes: 0, cpuSeconds: 0, processes: 0, stopped: false };
      entry.rssBytes += stat.rssPages * this.pageSize;
      entry.cpuSeconds += (stat.utimeTicks + stat.stimeTicks) / this.ticksPerSecond;
      entry.processes++;
      if (stat.pid === stat.pgrp && stat.state === 'T') entry.stopped = true;
      usage.set(stat.pgrp, entry);
    }
    return usage;
  }
}

/** CPU percent of one core between two samples (may exceed 100 for several threads). */
export function cpuPercent(previous: { cpuSeconds: number; at: number } | undefined, current: { cpuSeconds: number; at: number }): number {
  if (!previous || current.at <= previous.at) return 0;
  return Math.max(0, ((current.cpuSeconds - previous.cpuSeconds) / ((current.at - previous.at) / 1_000)) * 100);
}
