import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnosis } from '../../../src/analyze/symptom.js';
import { waitUntil } from '../helpers/wait.js';
import { loopHarness as harness } from './loop-harness.js';

const waitFor = (check: () => boolean | Promise<boolean>, timeoutMs: number, message: string) => waitUntil(check, { timeoutMs, message });

const SYSTEM = `
services:
  dependency: { command: node, args: [d.js] }
  api: { command: node, args: [a.js], dependsOn: [dependency] }
  worker: { command: node, args: [w.js], dependsOn: [dependency] }
  cron: { command: node, args: [c.js] }
correlation: { window: 5s, settle: 1500ms }
policies:
  down:
    match: { symptom: [liveness-failing, process-crashed] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 100ms, timeout: 2s }
  errors:
    match: { symptom: [api-error-rate, worker-errors] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 100ms, timeout: 2s }
guardrails: { blastRadius: { maxReplicas: 3 } }
escalation: { retryEvery: 1h }
`;

test('a dependency outage is ONE incident: its dependents\' earlier symptoms join it, it targets the dependency, and only the dependency is restarted', async () => {
  const h = await harness(SYSTEM);
  try {
    // The dependents notice first (error rates); the dependency's probe fails a little later.
    h.symptom('api-error-rate', 'api');
    await new Promise((resolve) => setTimeout(resolve, 100));
    h.symptom('worker-errors', 'worker');
    await new Promise((resolve) => setTimeout(resolve, 300));
    h.symptom('liveness-failing', 'dependency');
    // An unrelated service keeps its own incident.
    h.symptom('process-crashed', 'cron');
    await waitFor(async () => (await h.all()).length === 2 && (await h.all()).every((i) => i.status === 'resolved'), 10_000, 'both incidents resolved');
    const incidents = await h.all();
    const outage = incidents.find((i) => i.key === 'api')!;
    assert.ok(outage, JSON.stringify(incidents));
    assert.equal(outage.element, 'dependency', 'the incident opened on the api was re-targeted to its root cause');
    const diagnosis = JSON.parse(outage.diagnosis!) as Diagnosis;
    assert.equal(diagnosis.candidates![0]!.element, 'dependency');
    assert.equal(diagnosis.candidates![0]!.kind, 'element');
    assert.equal(diagnosis.cause, 'liveness-failing');
    assert.deepEqual(diagnosis.candidates!.map((c) => c.element).sort(), ['api', 'dependency', 'worker']);
    assert.equal(incidents.find((i) => i.key === 'cron')!.element, 'cron');
    assert.deepEqual([...h.actions].sort(), ['restart cron#0', 'restart dependency#0']);
    const chain = (await h.knowledge.incidents.explain(outage.id))!.entries;
    assert.deepEqual(
      chain.filter((e) => e.kind === 'symptom').map((e) => e.data.element),
      ['api', 'worker', 'dependency'],
    );
    assert.ok(chain.some((e) => e.kind === 'note' && e.data.retargeted === 'dependency'), JSON.stringify(chain.map((e) => e.data)));
  } finally {
    await h.close();
  }
});

test('a related symptom after the correlation window opens its own incident; one on a service already in an incident joins it', async () => {
  const h = await harness(SYSTEM.replace('window: 5s', 'window: 300ms').replace('settle: 1500ms', 'settle: 0').replace('timeout: 2s }\n  errors', 'timeout: 1500ms }\n  errors'));
  try {
    h.stuck.add('dependency'); // its incident stays unresolved
    h.symptom('process-crashed', 'dependency');
    await waitFor(async () => (await h.all()).length === 1, 5_000, 'the first incident');
    await new Promise((resolve) => setTimeout(resolve, 600));
    h.symptom('worker-errors', 'worker');
    h.symptom('process-crashed', 'dependency');
    await waitFor(async () => (await h.all()).length === 2, 5_000, 'a second incident');
    const incidents = await h.all();
    assert.deepEqual(incidents.map((i) => i.key).sort(), ['dependency', 'worker']);
    const first = incidents.find((i) => i.key === 'dependency')!;
    // The reconcile opens the worker's incident before it records the crash that joins the first: wait for that write.
    const signals = async () => (await h.knowledge.incidents.explain(first.id))!.entries.filter((e) => e.kind === 'signal').length;
    await waitFor(async () => (await signals()) >= 2, 5_000, 'the second dependency crash to join the first incident');
    assert.equal(await signals(), 2, 'the second dependency crash joined the first incident, once');
  } finally {
    await h.close();
  }
});

test('a root symptom after the victim\'s remediation started, before it acted: the run is cancelled and the next cycle targets the root', async () => {
  const h = await harness(SYSTEM.replace('settle: 1500ms', 'settle: 0'), { worker: false });
  try {
    h.symptom('api-error-rate', 'api');
    const first = await waitUntil(async () => (await h.all())[0], { timeoutMs: 5_000, message: 'the incident' });
    const run0 = `remediate:api:${first.id}:0`;
    await waitFor(async () => (await h.engine.getRun(run0)) !== undefined, 5_000, 'a remediation run on the api');
    assert.equal((JSON.parse((await h.engine.getRun(run0))!.input!) as { service: string }).service, 'api');

    h.symptom('liveness-failing', 'dependency');
    const run1 = `remediate:api:${first.id}:1`;
    await waitFor(async () => (await h.engine.getRun(run1)) !== undefined, 5_000, 'a second cycle');
    assert.equal((await h.engine.getRun(run0))!.status, 'cancelled');
    assert.equal((JSON.parse((await h.engine.getRun(run1))!.input!) as { service: string }).service, 'dependency');
    const incident = (await h.all())[0]!;
    assert.equal(incident.element, 'dependency');
    const notes = (await h.knowledge.incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'note').map((e) => String(e.data.detail));
    assert.ok(notes.some((n) => n === `remediation ${run0} on api cancelled before it acted; remediating dependency instead`), notes.join('\n'));
    assert.deepEqual(h.actions, [], 'nothing acted on the victim');
    assert.equal((await h.all()).length, 1);
  } finally {
    await h.close();
  }
});
