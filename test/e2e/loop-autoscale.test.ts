import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UpHarness } from './loop-harness.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/**
 * Scaling from load with real processes: the per-replica load (a scraped gauge) rises above
 * the target, the leader scales out to max at once (no up window), audited and verified; the
 * load falls, and replicas are removed one at a time, only after the down window and each
 * down cooldown — never below min.
 */
test('autoscale: out on load to max, audited and verified; in after the stabilization window and cooldowns, one at a time, to min', async () => {
  const h = new UpHarness('');
  const loadFile = join(h.dir, 'load');
  writeFileSync(loadFile, '5');
  writeFileSync(
    h.configPath,
    `stateDir: state
services:
  app:
    command: ${process.execPath}
    args: [load-gauge-server.js, --port, "{{port}}", --load-file, "${loadFile}"]
    cwd: ${FIXTURES}
    replicas: 1
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 1s, failureThreshold: 3 }
    autoscale:
      min: 1
      max: 3
      metric: work_in_flight
      target: 10
      every: 300ms
      scaleUp: { stabilization: 0s, cooldown: 1s, maxStep: 4 }
      scaleDown: { stabilization: 3s, cooldown: 2s, maxStep: 1 }
monitor:
  scrape: [{ service: app, every: 200ms }]
`,
  );
  try {
    await h.up();
    await h.healthy('app');
    const replicas = async () => (await h.db().listElementStates()).filter((s) => s.element === 'app' && s.state === 'running').length;
    const audit = async () => (await h.db().listAudit({ limit: 100 })).filter((e) => e.actor === 'controller:autoscale');

    // 5 per replica against 10: within bounds, nothing happens.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(await replicas(), 1);
    assert.equal((await audit()).length, 0, 'no decision at half the target');

    writeFileSync(loadFile, '40');
    await h.waitFor(async () => (await replicas()) === 3, 20_000, 'scaled out to max (3)');
    const out = (await audit()).find((e) => e.action === 'autoscale.scaled')!;
    assert.deepEqual([JSON.parse(out.data).from, JSON.parse(out.data).to], [1, 3], 'one step: 40/10 wants 4, capped at max 3');
    assert.match(JSON.parse(out.data).reason, /average 40 per replica against a target of 10/);
    await h.waitFor(async () => (await audit()).some((e) => e.action === 'autoscale.verified'), 20_000, 'the scale-out verified');
    await h.healthy('app', 3);

    const calmAt = Date.now();
    writeFileSync(loadFile, '1');
    await h.waitFor(async () => (await replicas()) === 1, 30_000, 'scaled in to min (1)');
    const ins = (await audit()).filter((e) => e.action === 'autoscale.scaled').map((e) => ({ at: e.at, ...(JSON.parse(e.data) as { from: number; to: number }) })).filter((e) => e.to < e.from).sort((a, b) => a.at - b.at);
    assert.deepEqual(ins.map((e) => [e.from, e.to]), [[3, 2], [2, 1]], 'one replica at a time');
    // The window runs from the last high recommendation, which may predate the calm by an
    // evaluation (every 300 ms, on a 250 ms tick) plus a scrape (200 ms): up to 1 s earlier.
    assert.ok(ins[0]!.at - calmAt >= 3_000 - 1_000, `the first scale-in waited for the 3 s window (${ins[0]!.at - calmAt} ms after the calm)`);
    // The cooldown runs between decisions; their audit entries are written a moment after each.
    assert.ok(ins[1]!.at - ins[0]!.at >= 2_000 - 250, `the second waited for the 2 s cooldown (${ins[1]!.at - ins[0]!.at} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(await replicas(), 1, 'never below min');
    assert.match(h.lines.join('\n'), /autoscale: app 1 → 3 replicas/);
  } finally {
    await h.close();
  }
});
