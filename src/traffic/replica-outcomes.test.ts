import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplicaOutcomes } from './replica-outcomes.js';

test('a watch counts the requests and failures of its replica from its start, and the 95th percentile of their latency', () => {
  const outcomes = new ReplicaOutcomes();
  outcomes.record('api#0', { ok: false, latencyMs: 1 }); // before the watch: not counted
  const watch = outcomes.watch('api#0');
  for (let i = 1; i <= 100; i++) outcomes.record('api#0', { ok: i % 10 !== 0, latencyMs: i });
  outcomes.record('api#0', { ok: false }); // refused: no answer, no latency
  outcomes.record('api#1', { ok: false, latencyMs: 5 });
  assert.deepEqual(watch.seen(), { requests: 101, failures: 11, p95LatencyMs: 95 });
  watch.stop();
  outcomes.record('api#0', { ok: false });
  assert.equal(watch.seen().requests, 101);
  assert.deepEqual(outcomes.watch('api#0').seen(), { requests: 0, failures: 0, p95LatencyMs: undefined });
});
