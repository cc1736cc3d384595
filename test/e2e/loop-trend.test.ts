import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpHarness } from './loop-harness.js';

/** `api_resident_memory_bytes` as the api itself reports it now. */
async function residentMemory(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('api_resident_memory_bytes '));
  assert.ok(line, `no api_resident_memory_bytes in\n${text}`);
  return Number(line.split(' ')[1]);
}

/** The pid answering `/healthz` on `port`, undefined while nothing answers. */
async function pidAt(port: number): Promise<number | undefined> {
  try {
    return ((await (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) })).json()) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

test('a leak forecast to reach maxMemory raises a trend symptom with the time left, and the restart comes before the supervisor has to kill it', async () => {
  const h = new UpHarness(`
services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    maxMemory: 300MB
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 1s, failureThreshold: 3 }
resources: { sampleEvery: 250ms }
monitor:
  scrape: [{ service: api, every: 300ms }]
symptoms:
  api-memory-trend:
    service: api
    metric: api_resident_memory_bytes
    trend: { limit: maxMemory, within: 20s, window: 20, minSamples: 8 }
policies:
  memory-leak:
    match: { symptom: [api-memory-trend] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 1s, timeout: 30s }
`);
  try {
    await h.up();
    await h.healthy('api');
    const port = await h.portOf('api#0');
    const baseline = await residentMemory(port);
    const leakingPid = await pidAt(port);
    assert.ok(leakingPid, `api#0 answers /healthz on ${port}`);
    assert.equal((await h.incidents()).length, 0, 'a steady api raises nothing');
    const spawnsBefore = (await h.db().listEvents({ kinds: ['process-spawned'], limit: 100 })).length;

    // 1 MiB every 100 ms: about 10 MiB/s, so the ~250 MB left below maxMemory last some
    // 25 s (longer on a loaded machine, where the timer fires late) — a forecast, not a crash.
    await h.fault('api#0', 'leak?mb=1&every=100');
    const incident = await h.waitForIncident((i) => i.symptom === 'api-memory-trend' && i.status === 'resolved', 90_000, 'the trend incident resolved');

    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const signal = explained.entries.find((e) => e.kind === 'signal')!.data;
    assert.equal(signal.predictive, true);
    const left = Number(signal.timeToLimitMs);
    // Raised on the 20 s horizon, well ahead of the limit — not at the last moment.
    assert.ok(left >= 5_000 && left <= 20_000, `time left before maxMemory: ${left} ms`);
    assert.ok(Number(signal.value) < 300e6, `raised below the limit, at ${String(signal.value)} bytes`);
    assert.match(String(signal.message), /^api_resident_memory_bytes is \d+ and reaches its limit \d+ in \d+\.\d s \(trend \d+\/s, fit [01]\.\d\d\)$/);
    assert.deepEqual(explained.entries.filter((e) => e.kind === 'action').map((e) => e.data.action), ['restart api#0']);
    assert.match((await h.cli('incident', 'show', incident.id)).out, /reaches its limit \d+ in \d+\.\d s/);

    // The new process starts from scratch: its memory is back near where it was before the leak.
    await h.waitFor(async () => (await h.db().listEvents({ kinds: ['process-spawned'], limit: 100 })).length > spawnsBefore, 15_000, 'api#0 spawned again');
    const newPort = await h.portOf('api#0');
    await h.waitFor(async () => ((await pidAt(newPort)) ?? leakingPid) !== leakingPid, 15_000, 'the new api#0 answering');
    const after = await residentMemory(newPort);
    assert.ok(after < baseline + 50 * 1_048_576, `memory after the restart ${after} bytes, baseline ${baseline}`);

    // The loop acted first: the supervisor never had to kill api#0 for its memory.
    const events = await h.db().listEvents({ kinds: ['process-exited', 'resource-breach'], limit: 1_000 });
    const exits = events.filter((e) => e.kind === 'process-exited').map((e) => JSON.parse(e.data) as { instance: string; reason: string });
    assert.deepEqual(exits.map((e) => `${e.instance} ${e.reason}`), ['api#0 requested']);
    assert.deepEqual(events.filter((e) => e.kind === 'resource-breach'), []);
    assert.deepEqual((await h.incidents()).map((i) => i.symptom), ['api-memory-trend'], 'one incident, from the forecast: no resource-breach');
  } finally {
    await h.close();
  }
});
