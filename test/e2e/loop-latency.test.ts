import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpHarness } from './loop-harness.js';

test('a latency anomaly (the slow fault) is raised by a robust z-score detector within 3 scrapes, and a restart heals it', async () => {
  const h = new UpHarness(`
services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    env: { SELF_LOAD_EVERY: "50" }
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
monitor:
  scrape: [{ service: api, every: 250ms }]
symptoms:
  api-latency:
    service: api
    metric: api_work_latency_seconds
    detector: { name: robust-zscore, window: 200, warmup: 20 }
    raiseAt: 0.9999
    clearBelow: 0.99
    clearFor: 1s
policies:
  slow:
    match: { symptom: [api-latency] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 1s, timeout: 20s }
`);
  try {
    await h.up();
    await h.healthy('api');
    // A normal period for the detector's window (20 samples of warm-up at 250 ms).
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    assert.equal((await h.incidents()).length, 0, 'normal latency raises nothing');
    await h.fault('api#0', 'slow?ms=400');
    const incident = await h.waitForIncident((i) => i.status === 'resolved', 40_000, 'the latency incident resolved');
    assert.equal(incident.symptom, 'api-latency');
    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const signal = explained.entries.find((e) => e.kind === 'signal')!.data;
    assert.equal(signal.detector, 'robust-zscore');
    assert.ok(Number(signal.samples) <= 3, `raised after ${String(signal.samples)} anomalous scrapes`);
    assert.ok(Number(signal.value) >= 0.3, `the latency it saw: ${String(signal.value)} s`);
    assert.deepEqual(explained.entries.filter((e) => e.kind === 'action').map((e) => e.data.action), ['restart api#0']);
    assert.match((await h.cli('incident', 'show', incident.id)).out, /robust-zscore anomaly score/);
  } finally {
    await h.close();
  }
});
