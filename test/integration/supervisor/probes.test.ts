import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fault, Harness } from './harness.js';

const liveApi = (extra = '') => `
services:
  api:
    command: ${process.execPath}
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 600ms, failureThreshold: 3 }
${extra}`;

test('SIGSTOP: liveness fails, the process is killed and restarted', async () => {
  const h = await Harness.start(liveApi());
  try {
    await h.waitFor('probe-changed', (e) => e.to === 'passing');
    const pid = h.pid('api');
    process.kill(pid, 'SIGSTOP');
    const failing = await h.waitFor('probe-changed', (e) => e.to === 'failing');
    assert.match(failing.message, /timed out/);
    const exited = await h.waitFor('process-exited');
    assert.deepEqual([exited.pid, exited.reason, exited.signal], [pid, 'liveness', 'SIGKILL']);
    const spawned = await h.waitFor('process-spawned', (e) => e.pid !== pid);
    assert.equal(spawned.restarts, 1);
    await h.waitFor('probe-changed', (e) => e.to === 'passing', 15_000, h.events.indexOf(spawned));
  } finally {
    await h.close();
  }
});

test('a busy loop: liveness fails, the process is killed and restarted', async () => {
  const h = await Harness.start(liveApi());
  try {
    await h.waitFor('probe-changed', (e) => e.to === 'passing');
    const pid = h.pid('api');
    await fault(h.supervisor.status()[0]!.port!, 'hang');
    const exited = await h.waitFor('process-exited');
    assert.deepEqual([exited.pid, exited.reason], [pid, 'liveness']);
    assert.ok(exited.lastLines.some((line) => line.includes('busy loop')));
    await h.waitFor('process-spawned', (e) => e.pid !== pid);
  } finally {
    await h.close();
  }
});

test('a TCP probe is fooled by a stopped process; the HTTP probe is not', async () => {
  const h = await Harness.start(`
services:
  api:
    command: ${process.execPath}
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      readiness: { tcp: true, period: 200ms, timeout: 600ms, failureThreshold: 2 }
      liveness: { http: /healthz, period: 200ms, timeout: 600ms, failureThreshold: 2 }
`);
  try {
    await h.waitFor('probe-changed', (e) => e.probe === 'liveness' && e.to === 'passing');
    await h.waitFor('probe-changed', (e) => e.probe === 'readiness' && e.to === 'passing');
    const stoppedAt = h.events.length;
    process.kill(h.pid('api'), 'SIGSTOP');
    await h.waitFor('process-exited', (e) => e.reason === 'liveness');
    const readinessFailed = h.events.slice(stoppedAt).some((e) => e.kind === 'probe-changed' && e.probe === 'readiness' && e.to === 'failing');
    assert.ok(!readinessFailed, 'the kernel accepted TCP connections for the stopped process');
  } finally {
    await h.close();
  }
});

test('heartbeats: a stopped worker misses its beats and is restarted', async () => {
  const h = await Harness.start(`
services:
  worker:
    command: ${process.execPath}
    args: [worker.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    env: { HEARTBEAT_EVERY: "100" }
    probes:
      liveness: { heartbeat: true, period: 200ms, timeout: 500ms, failureThreshold: 2 }
`);
  try {
    await h.waitFor('probe-changed', (e) => e.to === 'passing');
    await new Promise((resolve) => setTimeout(resolve, 700)); // beats keep it passing past the spawn grace
    assert.ok(!h.events.some((e) => e.kind === 'probe-changed' && e.to === 'failing'));
    const pid = h.pid('worker');
    process.kill(pid, 'SIGSTOP');
    const failing = await h.waitFor('probe-changed', (e) => e.to === 'failing');
    assert.match(failing.message, /no heartbeat for \d+ ms/);
    await h.waitFor('process-spawned', (e) => e.pid !== pid);
  } finally {
    await h.close();
  }
});

test('exec probes and external services (url:, probed only, never spawned)', async () => {
  const h = await Harness.start(`
services:
  dependency:
    command: ${process.execPath}
    args: [dependency.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      readiness: { exec: "exit 0", period: 200ms }
  remote:
    url: http://127.0.0.1:1
    probes:
      readiness: { http: /healthz, period: 200ms, failureThreshold: 1 }
`);
  try {
    await h.waitFor('probe-changed', (e) => e.instance === 'dependency#0' && e.to === 'passing');
    const down = await h.waitFor('probe-changed', (e) => e.element === 'remote' && e.to === 'failing');
    assert.match(down.message, /ECONNREFUSED/);
    assert.deepEqual(h.events.filter((e) => e.kind === 'process-spawned').map((e) => e.element), ['dependency']);
    const remote = h.supervisor.status().find((s) => s.element === 'remote')!;
    assert.deepEqual([remote.kind, remote.health], ['external', 'unhealthy']);
  } finally {
    await h.close();
  }
});
