import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThresholdRule } from './threshold-rule.js';

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
