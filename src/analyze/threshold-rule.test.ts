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

test('a below rule fires after for: below the level, and clears only at or above clearAbove', () => {
  const rule = new ThresholdRule({ below: 2, clearAbove: 5, forMs: 1_000 });
  assert.equal(rule.update(0, 3), undefined);
  assert.equal(rule.state, 'ok');
  assert.equal(rule.update(100, 1), undefined);
  assert.equal(rule.state, 'pending');
  assert.equal(rule.update(600, 2), undefined, 'exactly at the level is not below it: the pending time resets');
  assert.equal(rule.state, 'ok');
  assert.equal(rule.update(700, 0), undefined);
  assert.equal(rule.update(1_700, 0), 'fired');
  assert.equal(rule.update(2_000, 4.9), undefined, 'above below but under clearAbove: still firing');
  assert.equal(rule.state, 'firing');
  assert.equal(rule.update(2_500, undefined), undefined, 'no value changes nothing');
  assert.equal(rule.update(2_600, NaN), undefined);
  assert.equal(rule.state, 'firing');
  assert.equal(rule.update(3_000, 5), 'cleared');
  assert.equal(rule.update(3_100, 5), undefined, 'clears once');
});

test('a below rule without clearAbove clears as soon as the value is back at the level', () => {
  const rule = new ThresholdRule({ below: 1 });
  assert.equal(rule.update(0, 0), 'fired', 'no for: fires on the first reading');
  assert.equal(rule.update(1, 0.5), undefined);
  assert.equal(rule.update(2, 1), 'cleared');
  assert.equal(rule.update(3, -Infinity), 'fired', 'an infinite reading is a reading');
});
