import { test } from 'node:test';
import assert from 'node:assert/strict';
import { supervisorControl } from '../../../src/execute/element-control.js';
import { Harness } from './harness.js';

// Verification after a restart polls health at once: the old process, still alive in its
// grace period, must not count as the element having recovered (with fail-fast
// verification, its exit a moment later would read as a relapse).
test('a replica asked to restart is not healthy while its old process is still exiting; the new one is', async () => {
  const h = await Harness.start(`
services:
  stubborn:
    command: /bin/sh
    args: [-c, "trap '' TERM; sleep 60 & sleep 60 & wait"]
    gracePeriod: 3s
`);
  try {
    const control = supervisorControl(h.supervisor);
    const spawned = await h.waitFor('process-spawned');
    await waitUntil(() => control.isHealthy('stubborn'), 20_000, 'stubborn healthy');
    const before = h.events.length;
    await control.restart('stubborn');
    assert.equal(control.isHealthy('stubborn'), false, 'asked to exit: not healthy');
    assert.equal(h.pid('stubborn'), spawned.pid, 'the old process is still there (it ignores SIGTERM)');
    await h.waitFor('process-spawned', () => true, 20_000, before);
    await waitUntil(() => control.isHealthy('stubborn'), 20_000, 'the new process healthy');
  } finally {
    await h.close();
  }
});

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
