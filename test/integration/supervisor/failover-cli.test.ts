import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { tempDir } from '../temp-store.js';
import { Harness } from './harness.js';

test('failover: the standby becomes active when the primary fails', async () => {
  const h = await Harness.start(`
services:
  dependency:
    command: ${process.execPath}
    args: [dependency.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 200ms, timeout: 600ms, failureThreshold: 2 }
    standby: dependency-standby
  dependency-standby:
    command: ${process.execPath}
    args: [dependency.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 200ms, timeout: 600ms, failureThreshold: 2 }
`);
  try {
    await h.waitFor('probe-changed', (e) => e.instance === 'dependency#0' && e.to === 'passing');
    await h.waitFor('probe-changed', (e) => e.instance === 'dependency-standby#0' && e.to === 'passing');
    assert.deepEqual([h.supervisor.roleOf('dependency'), h.supervisor.roleOf('dependency-standby')], ['active', 'standby']);
    process.kill(h.pid('dependency'), 'SIGSTOP');
    const failover = await h.waitFor('failover');
    assert.deepEqual([failover.element, failover.from, failover.to], ['dependency', 'dependency', 'dependency-standby']);
    const standbyFailed = () => h.events.some((e, i) => i > h.events.indexOf(failover) && e.kind === 'probe-changed' && e.instance === 'dependency-standby#0' && e.to === 'failing');
    const describe = () => h.events.map((e) => JSON.stringify(e)).join('\n');
    // The old primary is restarted and waits as the standby: no automatic fail-back
    // (unless the new active side fails in turn, which a very loaded machine can cause).
    await h.waitFor('probe-changed', (e) => e.instance === 'dependency#0' && e.to === 'passing', 15_000, h.events.indexOf(failover));
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (!standbyFailed()) {
      assert.deepEqual([h.supervisor.roleOf('dependency'), h.supervisor.roleOf('dependency-standby')], ['standby', 'active'], describe());
      assert.equal(h.events.filter((e) => e.kind === 'failover').length, 1, describe());
    }
    // homeostat status, from the store, as another process would see it.
    await h.supervisor.flush();
    const out: string[] = [];
    assert.equal(await main(['status', '-c', h.configPath], (line) => out.push(line), (line) => out.push(line)), 0);
    const table = out.join('\n');
    assert.match(table, /^element\s+role\s+state\s+health\s+restarts\s+uptime/m);
    if (!standbyFailed()) {
      assert.match(table, /^dependency#0\s+standby\s+running\s+\S+\s+1\s/m);
      assert.match(table, /^dependency-standby#0\s+active\s+running\s+healthy\s/m);
    }
    assert.match(table, /SIGKILL \(liveness\)/);
  } finally {
    await h.close();
  }
});

test('homeostat up with a broken config names file, line and field, and exits 1', async () => {
  const tmp = tempDir('homeostat-badcfg-');
  try {
    const path = join(tmp.dir, 'homeostat.yaml');
    writeFileSync(path, 'services:\n  api:\n    command: node\n    replicas: two\n    probes:\n      liveness: { http: /healthz, period: often }\n');
    const err: string[] = [];
    const status = await main(['up', '-c', path], () => undefined, (line) => err.push(line));
    assert.equal(status, 1);
    const text = err.join('\n');
    assert.match(text, /HS_CONFIG_INVALID/);
    assert.ok(text.includes(`${path}:4:15: services.api.replicas: expected number, received string`), text);
    assert.ok(text.includes(`${path}:6:43: services.api.probes.liveness.period: expected a duration like "500ms", got "often"`), text);
  } finally {
    tmp.cleanup();
  }
});
