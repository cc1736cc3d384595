import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopLeftovers } from './leftover-processes.js';
import { processIdentity } from './process-identity.js';
import { ledgerDir, ProcessLedger, type LedgerFile } from './process-ledger.js';

const linux = process.platform === 'linux';

function spawnGroup(script: string): ChildProcess {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

const alive = (pid: number) => processIdentity(pid) !== undefined;

/** Pids of group `pgid` that are not zombies. */
function runningMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[2]) === pgid && fields[0] !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

function writeLedger(stateDir: string, name: string, ledger: LedgerFile): string {
  mkdirSync(ledgerDir(stateDir), { recursive: true });
  const file = join(ledgerDir(stateDir), name);
  writeFileSync(file, JSON.stringify(ledger));
  return file;
}

async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

test('leftovers of a gone owner are stopped; a pid whose start time differs (reused) is never signalled', { skip: !linux && 'needs /proc' }, async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'homeostat-leftovers-'));
  const leftover = spawnGroup('exec sleep 60');
  const reused = spawnGroup('exec sleep 60');
  const orphanedGroup = spawnGroup('sleep 60 & exit 0');
  try {
    await settle(100);
    const me = processIdentity(process.pid)!;
    const ticks = (pid: number) => processIdentity(pid)!.startTicks;
    const file = writeLedger(stateDir, '1-1.json', {
      version: 1,
      // This pid with another start time: the owner is gone (its pid reused by this test).
      owner: { ...me, startTicks: me.startTicks - 1 },
      processes: [
        { element: 'api', instance: 'api#0', pid: leftover.pid!, startTicks: ticks(leftover.pid!), stopSignal: 'SIGTERM', graceMs: 2_000 },
        { element: 'api', instance: 'api#1', pid: reused.pid!, startTicks: ticks(reused.pid!) + 7, stopSignal: 'SIGTERM', graceMs: 2_000 },
        // The leader exited (spawned `sleep` in the background): its group lives on.
        { element: 'worker', instance: 'worker#0', pid: orphanedGroup.pid!, startTicks: 1, stopSignal: 'SIGTERM', graceMs: 2_000 },
      ],
    });
    await settle(100);
    assert.equal(alive(orphanedGroup.pid!), false, 'the group leader has exited');
    const stopped = await stopLeftovers(stateDir);
    assert.deepEqual(
      stopped.map((s) => [s.instance, s.stoppedBy]).sort(),
      [
        ['api#0', 'stop-signal'],
        ['worker#0', 'SIGKILL'],
      ],
    );
    assert.equal(stopped[0]!.ownerPid, process.pid);
    assert.equal(alive(leftover.pid!), false);
    assert.equal(alive(reused.pid!), true, 'the process whose start time does not match is left alone');
    assert.deepEqual(runningMembers(orphanedGroup.pid!), [], 'nothing of the orphaned group runs (a zombie may wait for PID 1 to reap it)');
    assert.equal(existsSync(file), false, 'the stale ledger is removed');
  } finally {
    for (const child of [leftover, reused, orphanedGroup]) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('the processes of a live owner (another supervisor of the same state dir) are left alone; a ledger records with 0600', { skip: !linux && 'needs /proc' }, async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'homeostat-leftovers-'));
  const child = spawnGroup('exec sleep 60');
  const ledger = new ProcessLedger(stateDir);
  try {
    await settle(50);
    ledger.add({ element: 'api', instance: 'api#0', pid: child.pid!, stopSignal: 'SIGTERM', graceMs: 1_000 });
    await settle(50);
    assert.equal(statSync(ledger.file).mode & 0o777, 0o600);
    assert.equal(statSync(ledgerDir(stateDir)).mode & 0o777, 0o700);
    assert.deepEqual(await stopLeftovers(stateDir), []);
    assert.equal(alive(child.pid!), true);
    assert.equal(existsSync(ledger.file), true, 'a live owner keeps its ledger');
    ledger.close();
    assert.equal(existsSync(ledger.file), false, 'a clean stop removes the ledger');
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('a ledger of another boot never gets a process signalled (pids restart at each boot); a recent one is kept (another machine may share the state dir)', { skip: !linux && 'needs /proc' }, async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'homeostat-leftovers-'));
  const child = spawnGroup('exec sleep 60');
  try {
    await settle(50);
    const file = writeLedger(stateDir, '9-1.json', {
      version: 1,
      owner: { pid: 1, startTicks: 1, bootId: 'another-boot' },
      processes: [{ element: 'api', instance: 'api#0', pid: child.pid!, startTicks: processIdentity(child.pid!)!.startTicks, stopSignal: 'SIGKILL', graceMs: 0 }],
    });
    assert.deepEqual(await stopLeftovers(stateDir), []);
    assert.equal(alive(child.pid!), true);
    assert.equal(existsSync(file), true);
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('a ledger that cannot be written reports HS_ORPHAN_GUARD_DEGRADED once per outage, and never throws at the supervisor', { skip: !linux && 'needs /proc' }, async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'homeostat-leftovers-'));
  // A file where the ledger's folder should be: every write fails (as on a full or read-only disk).
  writeFileSync(ledgerDir(stateDir), 'not a folder');
  const errors: unknown[] = [];
  const ledger = new ProcessLedger(stateDir, (error) => errors.push(error));
  try {
    ledger.add({ element: 'api', instance: 'api#0', pid: process.pid, stopSignal: 'SIGTERM', graceMs: 1_000 });
    await settle(20);
    ledger.add({ element: 'api', instance: 'api#1', pid: process.pid, stopSignal: 'SIGTERM', graceMs: 1_000 });
    await settle(20);
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as { code?: string }).code, 'HS_ORPHAN_GUARD_DEGRADED');
    assert.match((errors[0] as Error).message, /cannot write the process ledger .*processes/);
  } finally {
    ledger.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
