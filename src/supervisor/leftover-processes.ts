import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { bootId as currentBootId, isSameProcess, processIdentity } from './process-identity.js';
import { readLedgers, type LedgerProcess } from './process-ledger.js';
import { parseProcStat } from './resource-sampler.js';

/** A process a previous supervisor of this state dir left running, and how it was stopped. */
export interface StoppedLeftover {
  element: string;
  instance: string;
  pid: number;
  /** The supervisor (`homeostat up`) that spawned it and is gone. */
  ownerPid: number;
  /** `stop-signal`: it went within its grace period; `SIGKILL`: it did not, or only its group was left. */
  stoppedBy: 'stop-signal' | 'SIGKILL';
}

/** How long to wait for a SIGKILLed group to be gone before giving up on it. */
const KILL_WAIT_MS = 5_000;
/** A leftover's grace period is its service's, capped: start-up should not wait minutes. */
const MAX_GRACE_MS = 30_000;

/**
 * Stop what a previous supervisor of `stateDir` left running: for each ledger whose owner
 * is gone (SIGKILLed, crashed, or the machine rebooted), every recorded process that still
 * runs — the same pid *and* start time on the same boot, so a reused pid is never
 * signalled — gets its stop signal, then SIGKILL of its group after its grace period.
 * A leader already gone whose group still has members gets SIGKILL for the group (its
 * number cannot be reused while the group lives). Ledgers of a live owner (another
 * supervisor of the same state dir, in this process or another) are left alone.
 * Stale ledger files are removed. Call before spawning anything.
 *
 * @example
 * const stopped = await stopLeftovers(stateDir); // [{ instance: 'api#0', pid: 4242, ownerPid: 4200, stoppedBy: 'stop-signal' }]
 */
export async function stopLeftovers(stateDir: string): Promise<StoppedLeftover[]> {
  const stopping: Promise<StoppedLeftover | undefined>[] = [];
  const staleFiles: string[] = [];
  for (const { file, ledger } of readLedgers(stateDir)) {
    if (ledger && isSameProcess(ledger.owner)) continue;
    // Another boot id: a previous boot of this machine (stale) — or another machine sharing
    // the state dir, whose `up` may live: its file is left unless it predates this boot.
    if (ledger && ledger.owner.bootId !== currentBootId() && !predatesBoot(file)) continue;
    staleFiles.push(file);
    if (!ledger) continue;
    for (const entry of ledger.processes) stopping.push(stopOne(entry, ledger.owner.bootId, ledger.owner.pid));
  }
  const stopped = (await Promise.all(stopping)).filter((s): s is StoppedLeftover => s !== undefined);
  for (const file of staleFiles) {
    try {
      rmSync(file, { force: true });
    } catch {
      // Read again next time: what it lists is checked again, harmlessly.
    }
  }
  return stopped;
}

function predatesBoot(file: string): boolean {
  try {
    const uptimeSeconds = Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
    return statSync(file).mtimeMs < Date.now() - uptimeSeconds * 1_000;
  } catch {
    return false;
  }
}

async function stopOne(entry: LedgerProcess, bootId: string, ownerPid: number): Promise<StoppedLeftover | undefined> {
  const identity = { pid: entry.pid, startTicks: entry.startTicks, bootId };
  const found = { element: entry.element, instance: entry.instance, pid: entry.pid, ownerPid };
  if (isSameProcess(identity)) {
    signalGroup(entry.pid, entry.stopSignal);
    signalGroup(entry.pid, 'SIGCONT');
    if (await waitUntil(() => !isSameProcess(identity) && !groupAlive(entry.pid), Math.min(entry.graceMs, MAX_GRACE_MS))) return { ...found, stoppedBy: 'stop-signal' };
  } else {
    // The leader is gone. Its group may live on in its children: their group id cannot be
    // reused as a pid while they live, so when no process has that pid they are ours.
    // Otherwise (the pid names another process now, or this is another boot) nothing is.
    const orphanedGroup = bootId !== '' && bootId === currentBootId() && processIdentity(entry.pid) === undefined && groupAlive(entry.pid);
    if (!orphanedGroup) return undefined;
  }
  signalGroup(entry.pid, 'SIGKILL');
  await waitUntil(() => !groupAlive(entry.pid), KILL_WAIT_MS);
  return { ...found, stoppedBy: 'SIGKILL' };
}

/**
 * True while a process of group `pgid` runs. Zombies do not count: they hold no port and
 * no file, and where PID 1 does not reap orphans they would never go.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false; // ESRCH: no such group (EPERM: not ours, never one we spawned)
  }
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) > 57) continue;
    try {
      const stat = parseProcStat(readFileSync(`/proc/${name}/stat`, 'latin1'));
      if (stat && stat.pgrp === pgid && stat.state !== 'Z') return true;
    } catch {
      // exited between the listing and the read
    }
  }
  return false;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: gone already
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
