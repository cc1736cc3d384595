import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnosis } from '../../src/analyze/symptom.js';
import { UpHarness } from './loop-harness.js';

// The dependency's probe is deliberately slow to fail (6 × 500 ms), so its dependents'
// error rates fire first and the incident opens on a victim: correlation must re-target it.
const SYSTEM = `
services:
  dependency:
    command: $NODE
    args: [dependency.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    port: {{dependencyPort}}
    probes:
      liveness: { http: /healthz, period: 500ms, timeout: 300ms, failureThreshold: 6 }
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    env: { DEPENDENCY_URL: "http://127.0.0.1:{{dependencyPort}}", SELF_LOAD_EVERY: "100" }
    dependsOn: [dependency]
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
  worker:
    command: $NODE
    args: [worker.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    env: { DEPENDENCY_URL: "http://127.0.0.1:{{dependencyPort}}", WORK_EVERY: "100" }
    dependsOn: [dependency]
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
monitor:
  scrape:
    - { service: api, every: 250ms }
    - { service: worker, every: 250ms }
    - { service: dependency, every: 250ms }
symptoms:
  api-errors: { service: api, metric: api_errors_total, aggregate: rate, window: 1s, above: 0.5, for: 250ms }
  worker-errors: { service: worker, metric: worker_jobs_failed_total, aggregate: rate, window: 1s, above: 0.5, for: 250ms }
correlation: { window: 30s, settle: 6s }
policies:
  down:
    match: { symptom: [liveness-failing, process-crashed] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 1s, timeout: 20s }
  dependent-errors:
    match: { symptom: [api-errors, worker-errors] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 1s, timeout: 20s }
escalation: { retryEvery: 1h }
`;

test('a dependency outage is ONE incident whose top candidate is the dependency; only the dependency is restarted', async () => {
  const h = new UpHarness(SYSTEM.replaceAll('{{dependencyPort}}', String(await freePortNumber())));
  try {
    await h.up();
    await Promise.all([h.healthy('dependency'), h.healthy('api'), h.healthy('worker')]);
    // Some normal history for the ranking, then the outage: the dependency hangs.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await h.fault('dependency#0', 'hang');
    const incident = await h.waitForIncident((i) => i.status === 'resolved', 60_000, 'the outage incident resolved');
    const all = await h.incidents();
    assert.equal(all.length, 1, `one incident, not one per service: ${JSON.stringify(all.map((i) => [i.key, i.element, i.symptom]))}`);
    assert.equal(incident.element, 'dependency');
    assert.notEqual(incident.symptom, 'liveness-failing', 'it opened on a dependent (the dependency is detected later)');
    const diagnosis = JSON.parse(incident.diagnosis!) as Diagnosis;
    assert.equal(diagnosis.candidates![0]!.element, 'dependency', JSON.stringify(diagnosis.candidates));
    assert.equal(diagnosis.cause, 'liveness-failing');
    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const actions = explained.entries.filter((e) => e.kind === 'action').map((e) => String(e.data.action));
    // One restart, of the dependency's one replica: named by the replica when the dependency's own
    // symptom had joined before the re-target, by the service when the ranking (its failing
    // scrape's `up`, its latency) re-targeted first — the same process either way.
    assert.equal(actions.length, 1, `one action: ${actions.join(', ')}`);
    assert.match(actions[0]!, /^restart dependency(#0)?$/);
    const elements = new Set(explained.entries.filter((e) => e.kind === 'symptom').map((e) => e.data.element));
    assert.ok(elements.has('dependency') && elements.size >= 2, `the dependents' symptoms joined: ${[...elements].join(', ')}`);
    const shown = await h.cli('incident', 'show', incident.id);
    assert.match(shown.out, /cause: liveness-failing on dependency/);
    assert.match(shown.out, /candidates:\n\s+1\. dependency \d+%/);
  } finally {
    await h.close();
  }
});

async function freePortNumber(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
