import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrphanReaper } from './orphan-reaper.js';
import { processIdentity } from './process-identity.js';

const linux = process.platform === 'linux';

function group(script: string): ChildProcess {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

test('the reaper stops the registered groups when its pipe closes without a clean stop (as when up is SIGKILLed); removed ones are left', { skip: !linux && 'needs /proc' }, async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'homeostat-reaper-'));
  const stubborn = group("trap '' TERM; sleep 60 & wait");
  const removed = group('exec sleep 60');
  const reaper = OrphanReaper.start(stateDir);
  try {
    await waitFor(() => processIdentity(stubborn.pid!) !== undefined && processIdentity(removed.pid!) !== undefined, 2_000);
    reaper.add(stubborn.pid!, 'SIGTERM', 300);
    reaper.add(removed.pid!, 'SIGTERM', 300);
    reaper.remove(removed.pid!);
    // What the kernel does when this process dies: the write end of the pipe closes.
    (reaper as unknown as { child: ChildProcess }).child.stdin!.destroy();
    assert.ok(await waitFor(() => processIdentity(stubborn.pid!) === undefined, 10_000), 'the group that ignores SIGTERM is SIGKILLed after its grace');
    const log = await waitFor(() => /"by":"SIGKILL"/.test(readFileSync(join(stateDir, 'reaper.log'), 'utf8')), 5_000);
    assert.ok(log, readFileSync(join(stateDir, 'reaper.log'), 'utf8'));
    assert.ok(processIdentity(removed.pid!) !== undefined, 'a group removed (its process exited) is not signalled');
  } finally {
    for (const child of [stubborn, removed]) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  }
});
