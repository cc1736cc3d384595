import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseIncident, elementAlias } from './incident-diagnosis.js';
import { classifyFault } from './fault-classification.js';
import type { Symptom } from './symptom.js';

const at = 1_700_000_000_000;
const symptom = (name: string, element: string, offsetMs: number, instance?: string): Symptom => ({
  name,
  element,
  ...(instance ? { instance } : {}),
  at: at + offsetMs,
  labels: {},
  signal: { message: `${name} seen` },
});
const graph = new Map([
  ['api', ['dependency']],
  ['worker', ['dependency']],
  ['dependency', []],
]);
const scope = ['api', 'dependency', 'worker'];

test('a dependency outage: the dependency is the top candidate even when its dependents complained first', () => {
  const d = diagnoseIncident({
    symptoms: [symptom('api-error-rate', 'api', 0, 'api#0'), symptom('worker-errors', 'worker', 200, 'worker#0'), symptom('liveness-failing', 'dependency', 1_500, 'dependency#0')],
    scope,
    graph,
  });
  assert.deepEqual(
    d.candidates.map((c) => c.element),
    ['dependency', 'api', 'worker'],
  );
  assert.equal(d.candidates[0]!.kind, 'element');
  assert.equal(d.cause, 'liveness-failing');
  assert.ok(d.candidates[0]!.confidence > 0.5, JSON.stringify(d.candidates));
  assert.ok(d.candidates[0]!.evidence.some((e) => /explains 2 of its 2 dependents/.test(e)), d.candidates[0]!.evidence.join('\n'));
  assert.ok(d.candidates[1]!.evidence.some((e) => /depends on dependency, which is unhealthy too/.test(e)), d.candidates[1]!.evidence.join('\n'));
});

test('a dependent that crashed on its own is its own root cause: a healthy dependency is not blamed', () => {
  const d = diagnoseIncident({ symptoms: [symptom('process-crashed', 'api', 0, 'api#0')], scope, graph });
  assert.equal(d.candidates[0]!.element, 'api');
  assert.equal(d.candidates.length, 1);
});

test('metrics alone rank the element that left its normal range most (series named by alias)', () => {
  const times = Array.from({ length: 30 }, (_, i) => i);
  const noise = (i: number) => ((i * 7919) % 13) / 13;
  const normal = { times, series: new Map([[`${elementAlias(scope, 'dependency')}_latency_seconds`, times.map((i) => 0.05 + 0.01 * noise(i))], [`${elementAlias(scope, 'api')}_latency_seconds`, times.map((i) => 0.06 + 0.01 * noise(i + 3))]]) };
  const later = times.map((t) => t + 100);
  const anomalous = { times: later, series: new Map([[`${elementAlias(scope, 'dependency')}_latency_seconds`, later.map(() => 2)], [`${elementAlias(scope, 'api')}_latency_seconds`, later.map(() => 2.01)]]) };
  const d = diagnoseIncident({ symptoms: [symptom('api-latency', 'api', 0, 'api#0')], scope, graph, metrics: { normal, anomalous } });
  assert.equal(d.candidates[0]!.element, 'dependency');
  assert.equal(d.cause, 'metric-anomaly');
  assert.ok(d.candidates[0]!.evidence.some((e) => e.startsWith('dependency:latency_seconds left its normal range')), d.candidates[0]!.evidence.join('\n'));
});

test('a config version applied shortly before the onset to the failing service is named as the cause', () => {
  const d = diagnoseIncident({
    symptoms: [symptom('api-error-rate', 'api', 0, 'api#0')],
    scope,
    graph,
    configChanges: [
      { version: 2, previous: 1, at: at - 3_000, services: ['api'], source: 'homeostat.yaml changed' },
      { version: 1, previous: 0, at: at - 3_600_000, services: ['worker'], source: 'old' },
    ],
  });
  assert.equal(d.candidates[0]!.kind, 'config');
  assert.equal(d.candidates[0]!.element, 'api');
  assert.equal(d.candidates[0]!.version, 2);
  assert.equal(d.cause, 'config-change');
  assert.match(d.candidates[0]!.evidence[0]!, /config version 2 changed api 3\.0 s before the first symptom/);
  assert.equal(d.candidates[1]!.kind, 'element');
  assert.ok(!d.candidates.some((c) => c.version === 1), 'a change outside the window is no candidate');
});

test('a config change to a healthy service is no candidate', () => {
  const d = diagnoseIncident({ symptoms: [symptom('process-crashed', 'api', 0)], scope, graph, configChanges: [{ version: 3, previous: 2, at: at - 1_000, services: ['worker'], source: 'x' }] });
  assert.deepEqual(d.candidates.map((c) => `${c.kind}:${c.element}`), ['element:api']);
});

test('classification: persistent after a restart, byzantine when one replica disagrees, else transient', () => {
  const base = { element: 'api', replicas: 2, history: [], restartsInIncident: [], openedAt: at };
  assert.equal(classifyFault({ ...base, symptoms: [symptom('api-error-rate', 'api', 0, 'api#1')] }).classification, 'byzantine');
  assert.equal(classifyFault({ ...base, symptoms: [symptom('api-error-rate', 'api', 0, 'api#1'), symptom('api-error-rate', 'api', 10, 'api#0')] }).classification, 'transient');
  assert.equal(classifyFault({ ...base, symptoms: [symptom('process-crashed', 'api', 0, 'api#1')] }).classification, 'transient', 'a crash is fail-stop, not a disagreement');
  assert.equal(classifyFault({ ...base, symptoms: [symptom('crash-looping', 'api', 0, 'api#0')] }).classification, 'persistent');
  assert.equal(classifyFault({ ...base, restartsInIncident: [at + 100], symptoms: [symptom('liveness-failing', 'api', 0, 'api#0'), symptom('liveness-failing', 'api', 5_000, 'api#0')] }).classification, 'persistent');
  const history = [{ id: 'inc-1', symptom: 'resource-breach', openedAt: at - 120_000, resolvedAt: at - 60_000, resolvedByRestart: true }];
  const recurred = classifyFault({ ...base, history, symptoms: [symptom('resource-breach', 'api', 0, 'api#0')] });
  assert.equal(recurred.classification, 'persistent');
  assert.match(recurred.reason, /inc-1 .* resolved by a restart 60 s before/);
  assert.equal(classifyFault({ ...base, history: [{ ...history[0]!, resolvedAt: at - 3_600_000 }], symptoms: [symptom('resource-breach', 'api', 0, 'api#0')] }).classification, 'transient', 'long ago: not a recurrence');
});
