import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main.js';
import { supervisorControl } from '../../../src/execute/element-control.js';
import { fault, Harness } from './harness.js';

const api = (extra = '', backoff = '{ initial: 300ms, max: 5s, resetAfter: 20s, jitter: none }') => `
services:
  api:
    command: ${process.execPath}
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    restartBackoff: ${backoff}
    probes:
      startup: { http: /healthz, period: 50ms, failureThreshold: 100 }
${extra}`;

test('a crash is restarted at once, then with growing backoff; the crash evidence is kept', async () => {
  const h = await Harness.start(api());
  try {
    const port = h.supervisor.status()[0]!.port!;
    for (let crash = 1; crash <= 3; crash++) {
      await h.waitFor('probe-changed', (e) => e.probe === 'startup' && e.to === 'passing', 15_000, h.events.length - 1);
      const before = h.events.length;
      await fault(port, 'crash', '?code=3');
      const exited = await h.waitFor('process-exited', () => true, 15_000, before);
      assert.equal(exited.code, 3);
      assert.ok(exited.lastLines.some((line) => line.includes('fatal: crash requested')), exited.lastLines.join('\n'));
      const scheduled = await h.waitFor('restart-scheduled', () => true, 15_000, before);
      assert.equal(scheduled.attempt, crash);
      assert.equal(scheduled.delayMs, [0, 300, 600][crash - 1]);
      await h.waitFor('process-spawned', () => true, 15_000, before);
    }
    const stored = await h.store.listEvents({ element: 'api', kinds: ['process-exited'] });
    await h.supervisor.flush();
    const afterFlush = await h.store.listEvents({ element: 'api', kinds: ['process-exited'] });
    assert.equal(afterFlush.length, 3, `stored exits: ${stored.length} before flush`);
    assert.match(afterFlush[0]!.data, /fatal: crash requested/);
    // The instance before the last restart kept its log; the running one has a fresh file.
    const out: string[] = [];
    assert.equal(await main(['logs', 'api', '--previous', '-c', h.configPath], (line) => out.push(line), () => undefined), 0);
    assert.ok(out.some((line) => line.includes('fatal: crash requested (exit 3)')), out.join('\n'));
    const current: string[] = [];
    assert.equal(await main(['logs', 'api', '-c', h.configPath], (line) => current.push(line), () => undefined), 0);
    assert.ok(!current.some((line) => line.includes('fatal')), current.join('\n'));
  } finally {
    await h.close();
  }
});

test('a crash loop is marked crash-looping, raises a symptom, and keeps retrying slowly', async () => {
  const h = await Harness.start(api(`    env: { CRASH_ON_START: "1" }
    crashLoop: { restarts: 3, window: 30s, retryEvery: 1s }
`, '{ initial: 50ms, max: 100ms }'));
  try {
    const looping = await h.waitFor('crash-looping');
    assert.equal(looping.restartsInWindow, 3);
    assert.ok(looping.nextRetryMs >= 1_000);
    assert.ok(looping.lastLines.some((line) => line.includes('CRASH_ON_START')), looping.lastLines.join('\n'));
    assert.equal(h.supervisor.status()[0]!.state, 'crash-looping');
    // Slow retries continue: two more spawns, each at least retryEvery after the previous exit.
    const from = h.events.indexOf(looping);
    await h.waitFor('process-spawned', () => true, 10_000, from);
    const second = h.events.filter((e, i) => i > from && e.kind === 'process-spawned').length;
    assert.ok(second >= 1);
    await h.waitFor('restart-scheduled', (e) => e.delayMs >= 1_000, 10_000, from + 2);
    await h.supervisor.flush();
    const stored = await h.store.listElementStates();
    assert.equal(stored[0]!.state, 'crash-looping');
  } finally {
    await h.close();
  }
});

test('restart: never leaves a crashed process down, and the exit is still a symptom event; the loop\'s restart still starts it', async () => {
  const h = await Harness.start(api('    restart: never\n'));
  try {
    await h.waitFor('probe-changed', (e) => e.probe === 'startup' && e.to === 'passing');
    await fault(h.supervisor.status()[0]!.port!, 'crash');
    await h.waitFor('process-exited');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(h.supervisor.status()[0]!.state, 'failed');
    assert.equal(h.events.filter((e) => e.kind === 'process-spawned').length, 1);
    // The policy only governs the supervisor's own restarts: a requested one overrides it.
    const before = h.events.length;
    await supervisorControl(h.supervisor).restart('api', 'api#0');
    await h.waitFor('process-spawned', () => true, 15_000, before);
    assert.notEqual(h.supervisor.status()[0]!.state, 'failed');
  } finally {
    await h.close();
  }
});

test('replicas get their own ports and scale up and down at run time; stop is graceful', async () => {
  const h = await Harness.start(api('    replicas: 2\n'));
  try {
    await h.waitFor('probe-changed', (e) => e.instance === 'api#1' && e.to === 'passing');
    const ports = h.supervisor.status().map((s) => s.port);
    assert.equal(new Set(ports).size, 2);
    await h.supervisor.scale('api', 3);
    await h.waitFor('probe-changed', (e) => e.instance === 'api#2' && e.to === 'passing');
    await h.supervisor.scale('api', 1);
    const exits = h.events.filter((e) => e.kind === 'process-exited');
    assert.deepEqual(exits.map((e) => [e.instance, e.reason, e.code]).sort(), [
      ['api#1', 'stopped', 0],
      ['api#2', 'stopped', 0],
    ]);
    assert.ok(h.events.some((e) => e.kind === 'scaled' && e.from === 2 && e.to === 3));
    assert.equal(h.supervisor.status().length, 1);
  } finally {
    await h.close();
  }
});

test('a process that ignores SIGTERM is SIGKILLed after the grace period, with its children', async () => {
  const h = await Harness.start(`
services:
  stubborn:
    command: /bin/sh
    args: [-c, "trap '' TERM; sleep 60 & sleep 60 & wait"]
    gracePeriod: 300ms
`);
  try {
    await h.waitFor('process-spawned');
    const pgid = h.pid('stubborn');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await h.supervisor.stop();
    const exited = h.events.find((e) => e.kind === 'process-exited')!;
    assert.equal(exited.kind === 'process-exited' && exited.signal, 'SIGKILL');
    assert.ok(Date.now() - started >= 250);
    // Killed members may linger a moment as zombies until reaped.
    const deadline = Date.now() + 2_000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      try {
        process.kill(-pgid, 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, 'no process of the group survives');
  } finally {
    await h.close();
  }
});
