import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThresholdRule } from './threshold-rule.js';
import { symptomOf } from './symptom.js';
import type { ProcessExited } from '../supervisor/element-events.js';

test('fires after the minimum duration, clears only below the hysteresis level', () => {
  const rule = new ThresholdRule({ above: 0.5, clearBelow: 0.2, forMs: 2_000 });
  assert.equal(rule.update(0, 0.9), undefined);
  assert.equal(rule.state, 'pending');
  assert.equal(rule.update(1_000, 0.4), undefined, 'a dip resets the pending time');
  assert.equal(rule.update(1_500, 0.9), undefined);
  assert.equal(rule.update(3_400, 0.9), undefined);
  assert.equal(rule.update(3_500, 0.9), 'fired');
  assert.equal(rule.update(4_000, 0.9), undefined, 'fires once');
  assert.equal(rule.update(5_000, 0.3), undefined, 'still firing above clearBelow');
  assert.equal(rule.update(6_000, 0.2), 'cleared');
  assert.equal(rule.update(7_000, NaN), undefined);
});

test('element events map to symptoms; clean stops are not symptoms', () => {
  const exited: ProcessExited = { kind: 'process-exited', at: 1, element: 'api', instance: 'api#0', pid: 1, code: 1, signal: null, reason: 'exited', uptimeMs: 5, lastLines: [] };
  assert.equal(symptomOf(exited)?.name, 'process-crashed');
  assert.equal(symptomOf({ ...exited, reason: 'liveness', code: null, signal: 'SIGKILL' })?.name, 'liveness-failing');
  assert.equal(symptomOf({ ...exited, reason: 'stopped' }), undefined);
  assert.equal(symptomOf({ ...exited, code: 0 }), undefined);
  assert.equal(symptomOf({ kind: 'probe-changed', at: 1, element: 'api', instance: 'api#0', probe: 'liveness', from: 'passing', to: 'failing', message: 'timed out' })?.name, 'liveness-failing');
});
