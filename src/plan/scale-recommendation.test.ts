import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoscaleSchema } from '../config/schema/autoscale.js';
import { desiredReplicas, ScaleRecommender } from './scale-recommendation.js';

const config = (extra: Record<string, unknown> = {}) => autoscaleSchema.parse({ min: 1, max: 6, metric: 'inflight', target: 10, ...extra });

test('desired replicas: current × average / target rounded up, within tolerance unchanged, within bounds', () => {
  const bounds = { min: 1, max: 10, tolerance: 0.1 };
  assert.equal(desiredReplicas(2, 30, 10, bounds), 6);
  assert.equal(desiredReplicas(4, 10.9, 10, bounds), 4, 'within 10 %');
  assert.equal(desiredReplicas(4, 11.5, 10, bounds), 5);
  assert.equal(desiredReplicas(4, 1, 10, bounds), 1);
  assert.equal(desiredReplicas(4, 0, 10, bounds), 1, 'never below min');
  assert.equal(desiredReplicas(4, 1_000, 10, bounds), 10, 'never above max');
});

test('scale-out at once (no up window), at most maxStep, then a cooldown', () => {
  const r = new ScaleRecommender(config({ scaleUp: { stabilization: 0, cooldown: 15_000, maxStep: 2 } }));
  const first = r.decide(0, 1, 50);
  assert.deepEqual([first?.replicas, first?.direction], [3, 'up']);
  assert.match(first!.reason, /average 50 per replica against a target of 10: 5 replicas wanted \(2 at a time\)/);
  r.scaled('up', 0);
  assert.equal(r.decide(5_000, 3, 50), undefined, 'cooling down');
  assert.equal(r.decide(15_000, 3, 50)?.replicas, 5);
});

test('scale-in waits for the highest recommendation of its window, one replica at a time, with a cooldown', () => {
  const r = new ScaleRecommender(config({ scaleDown: { stabilization: 60_000, cooldown: 30_000, maxStep: 1 } }));
  assert.equal(r.decide(0, 4, 10), undefined, 'on target');
  assert.equal(r.decide(10_000, 4, 2), undefined, 'a dip: the window still holds the 4 recommended at 0 s');
  assert.equal(r.decide(59_000, 4, 2), undefined);
  const down = r.decide(61_000, 4, 2);
  assert.deepEqual([down?.replicas, down?.direction], [3, 'down'], 'the 4 left the window: one replica less');
  r.scaled('down', 61_000);
  assert.equal(r.decide(80_000, 3, 2), undefined, 'cooling down');
  assert.equal(r.decide(91_000, 3, 2)?.replicas, 2);
});

test('no reading is no decision; outside min..max it goes back at once', () => {
  const r = new ScaleRecommender(config({ min: 2 }));
  assert.equal(r.decide(0, 3, undefined), undefined);
  assert.equal(r.decide(0, 3, Number.NaN), undefined);
  assert.deepEqual(r.decide(0, 1, undefined), { replicas: 2, direction: 'up', reason: '1 replicas is below autoscale.min 2' });
  assert.equal(r.decide(0, 9, undefined)?.replicas, 6);
});

test('config: min above max, and replicas outside the bounds, are errors', () => {
  assert.throws(() => autoscaleSchema.parse({ min: 5, max: 2, metric: 'm', target: 1 }), /min \(5\) is above max \(2\)/);
});
