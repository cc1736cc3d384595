/**
 * The reaper: a tiny process `homeostat up` starts beside itself (see {@link OrphanReaper}).
 * `up` tells it on its stdin which process groups it supervises (`add <pgid> <signal>
 * <graceMs>`, `del <pgid>`). When that pipe reaches end-of-file, `up` is gone — a clean
 * stop first removes every group, so only a crash (SIGKILL, OOM kill) leaves any —
 * and the reaper stops every group still listed: its stop signal, SIGKILL after its grace
 * period. Then it exits. One line per group goes to its stdout (`<stateDir>/reaper.log`).
 *
 * It runs in its own session, so signals aimed at `up`'s terminal or process group do not
 * reach it. Node has no parent-death signal (prctl PR_SET_PDEATHSIG), hence the pipe.
 */
import { readFileSync } from 'node:fs';
import { parseProcStat } from './resource-sampler.js';

interface Group {
  signal: NodeJS.Signals;
  graceMs: number;
  /** The leader's start time when added: a pid reused since is not signalled. */
  startTicks: number | undefined;
}

const groups = new Map<number, Group>();
let pending = '';

function startTicks(pid: number): number | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return stat && stat.state !== 'Z' ? stat.startTicks : undefined;
  } catch {
    return undefined;
  }
}

function onLine(line: string): void {
  const [verb, pgidText, signal, grace] = line.trim().split(' ');
  const pgid = Number(pgidText);
  if (!Number.isInteger(pgid) || pgid <= 1) return;
  if (verb === 'add') groups.set(pgid, { signal: (signal ?? 'SIGTERM') as NodeJS.Signals, graceMs: Math.max(0, Number(grace) || 0), startTicks: startTicks(pgid) });
  else if (verb === 'del') groups.delete(pgid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function log(entry: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`);
}

async function reapAll(): Promise<void> {
  const targets = [...groups].filter(([pgid, group]) => {
    const now = startTicks(pgid);
    // Leader gone: its group, if any is left, is ours (a group id is not reused as a pid while
    // the group lives). Leader alive: only if it is the process registered, not a reused pid.
    return now === undefined || now === group.startTicks;
  });
  if (targets.length === 0) return;
  log({ event: 'supervisor-gone', groups: targets.map(([pgid]) => pgid) });
  for (const [pgid, group] of targets) {
    if (signalGroup(pgid, group.signal)) signalGroup(pgid, 'SIGCONT');
  }
  const deadline = Date.now() + Math.min(30_000, Math.max(...targets.map(([, group]) => group.graceMs)));
  let alive = targets;
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    alive = alive.filter(([pgid]) => startTicks(pgid) !== undefined);
  }
  for (const [pgid] of targets) {
    // Whatever is left of each group (a leader that ignored its signal, its children).
    signalGroup(pgid, 'SIGKILL');
    log({ event: 'group-stopped', pgid, by: alive.some(([p]) => p === pgid) ? 'SIGKILL' : 'stop-signal' });
  }
}

// Terminal signals are for `up`, not for the reaper (it is in its own session anyway).
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) onLine(line);
});
process.stdin.on('end', () => {
  if (pending) onLine(pending);
  void reapAll().finally(() => process.exit(0));
});
process.stdin.on('error', () => undefined);
