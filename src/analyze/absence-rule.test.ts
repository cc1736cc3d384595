import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbsenceRule } from './absence-rule.js';

test('a series that went away fires once the duration passed since its last sample, and clears on the next one', () => {
  const rule = new AbsenceRule(5_000, 0);
  assert.equal(rule.update(1_000, 1_000), undefined);
  assert.equal(rule.update(5_900, 1_000), undefined, '4.9 s without a sample is a gap, not an absence');
  assert.equal(rule.state, 'ok', 'no pending state: a gap between scrapes is normal');
  assert.equal(rule.update(6_000, 1_000), 'fired');
  assert.equal(rule.update(9_000, undefined), undefined, 'fires once, also once the series was pruned');
  assert.equal(rule.state, 'firing');
  assert.equal(rule.update(9_500, 9_400), 'cleared', 'the first sample clears it');
  assert.equal(rule.update(14_399, 9_400), undefined);
  assert.equal(rule.update(14_400, 9_400), 'fired', 'and the clock starts again from that sample');
});

test('a series that never existed fires the duration after the rule started, not at once', () => {
  const rule = new AbsenceRule(5_000, 100_000);
  assert.equal(rule.update(100_000, undefined), undefined);
  assert.equal(rule.update(104_999, undefined), undefined);
  assert.equal(rule.update(105_000, undefined), 'fired');
});

test('after homeostat restarts, samples older than the start do not count: the new process waits the whole duration', () => {
  // The store may hold a sample from before the rule started (pushed with its own old timestamp).
  const rule = new AbsenceRule(5_000, 100_000);
  assert.equal(rule.update(102_000, 90_000), undefined, 'an old sample is not a fresh one, and does not fire early either');
  assert.equal(rule.update(105_000, 90_000), 'fired');
  assert.equal(rule.update(105_500, 90_000), undefined, 'the same old sample does not clear it');
  assert.equal(rule.update(106_000, 105_800), 'cleared');
});
