import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessExited } from '../supervisor/element-events.js';
import { symptomOf } from './element-symptoms.js';

test('element events map to symptoms; clean stops are not symptoms', () => {
  const exited: ProcessExited = { kind: 'process-exited', at: 1, element: 'api', instance: 'api#0', pid: 1, code: 1, signal: null, reason: 'exited', uptimeMs: 5, lastLines: [] };
  assert.equal(symptomOf(exited)?.name, 'process-crashed');
  assert.equal(symptomOf({ ...exited, reason: 'liveness', code: null, signal: 'SIGKILL' })?.name, 'liveness-failing');
  assert.equal(symptomOf({ ...exited, reason: 'stopped' }), undefined);
  assert.equal(symptomOf({ ...exited, code: 0 }), undefined);
  assert.equal(symptomOf({ kind: 'probe-changed', at: 1, element: 'api', instance: 'api#0', probe: 'liveness', from: 'passing', to: 'failing', message: 'timed out' })?.name, 'liveness-failing');
});
