import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fault, Harness } from './harness.js';

test('memory growth past maxMemory: a breach event, then a restart', async () => {
  const h = await Harness.start(`
resources: { sampleEvery: 250ms }
services:
  api:
    command: ${process.execPath}
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    maxMemory: 150MB
    probes:
      startup: { http: /healthz, period: 50ms, failureThreshold: 100 }
`);
  try {
    await h.waitFor('probe-changed', (e) => e.to === 'passing');
    const pid = h.pid('api');
    await fault(h.supervisor.status()[0]!.port!, 'leak', '?mb=20&every=100');
    const breach = await h.waitFor('resource-breach');
    assert.deepEqual([breach.resource, breach.action, breach.limit], ['memory', 'restart', 150_000_000]);
    assert.ok(breach.value > 150_000_000);
    const exited = await h.waitFor('process-exited');
    assert.deepEqual([exited.pid, exited.reason], [pid, 'memory']);
    await h.waitFor('process-spawned', (e) => e.pid !== pid);
  } finally {
    await h.close();
  }
});

test('limits raise symptoms without acting, and recover', async () => {
  const h = await Harness.start(`
resources: { sampleEvery: 200ms }
services:
  api:
    command: ${process.execPath}
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    limits: { memory: 120MB }
    probes:
      startup: { http: /healthz, period: 50ms, failureThreshold: 100 }
`);
  try {
    await h.waitFor('probe-changed', (e) => e.to === 'passing');
    const pid = h.pid('api');
    await fault(h.supervisor.status()[0]!.port!, 'leak', '?mb=20&every=100');
    const breach = await h.waitFor('resource-breach');
    assert.equal(breach.action, 'none');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(h.pid('api'), pid, 'a limit alone does not restart');
    const rss = h.supervisor.status()[0]!.rssBytes!;
    assert.ok(rss > 120_000_000, `rss ${rss}`);
  } finally {
    await h.close();
  }
});
