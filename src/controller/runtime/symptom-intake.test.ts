import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Symptom } from '../../analyze/symptom.js';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { symptomIntake } from './symptom-intake.js';

test('own symptoms get this node unless they name one; every symptom is counted, logged and handed on', () => {
  const registry = new MetricsRegistry();
  const logged: { msg: string; symptom: string; labels: Record<string, string> }[] = [];
  const own: Symptom[] = [];
  const shared: Symptom[] = [];
  const intake = symptomIntake({
    node: 'node-a',
    symptoms: registry.counter('homeostat_symptoms_total', 'Symptoms.'),
    logger: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) }),
    outbox: { observe: (s) => void own.push(s), observeShared: (s) => void shared.push(s) },
  });
  intake.observe({ name: 'process-crashed', element: 'api', instance: 'api#0', at: 1, labels: { exit: '1' }, signal: {} });
  intake.observe({ name: 'process-crashed', element: 'api', at: 2, labels: { node: 'node-b' }, signal: {} });
  intake.observeShared({ name: 'workflow-failed', element: 'workflow:orders', at: 3, labels: {}, signal: {} });
  assert.deepEqual(own.map((s) => s.labels), [{ exit: '1', node: 'node-a' }, { node: 'node-b' }]);
  assert.deepEqual(shared.map((s) => s.labels), [{}], 'a shared symptom belongs to no node');
  const text = registry.render();
  assert.match(text, /^homeostat_symptoms_total\{name="process-crashed"\} 2$/m);
  assert.match(text, /^homeostat_symptoms_total\{name="workflow-failed"\} 1$/m);
  assert.deepEqual(logged.map((l) => [l.msg, l.symptom, l.labels]), [
    ['symptom', 'process-crashed', { exit: '1', node: 'node-a' }],
    ['symptom', 'process-crashed', { node: 'node-b' }],
    ['symptom', 'workflow-failed', {}],
  ]);
});
