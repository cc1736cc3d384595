import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrendExtrapolator } from './trend-extrapolation.js';

test('a leak of 1 MB/s with 600 MB to go reaches the limit in about 10 minutes', () => {
  const trend = new TrendExtrapolator({ limit: 1000e6, window: 30 });
  let forecast;
  for (let s = 0; s < 60; s++) forecast = trend.update(s * 1000, 340e6 + s * 1e6 + ((s * 7919) % 5) * 1e4);
  assert.ok(forecast !== undefined);
  assert.ok(Math.abs(forecast.timeToLimitMs - 601_000) < 5_000, `predicted ${forecast.timeToLimitMs} ms`);
  assert.ok(forecast.fit > 0.99);
});

test('a flat or falling series predicts nothing; past the limit predicts 0', () => {
  const flat = new TrendExtrapolator({ limit: 100, minSamples: 3 });
  for (let s = 0; s < 10; s++) assert.equal(flat.update(s * 1000, 50 - s), undefined);
  const over = new TrendExtrapolator({ limit: 100, minSamples: 3 });
  let last;
  for (let s = 0; s < 5; s++) last = over.update(s * 1000, 150 + s);
  assert.equal(last?.timeToLimitMs, 0);
  const falling = new TrendExtrapolator({ limit: 10, direction: 'falling', minSamples: 3 });
  for (let s = 0; s < 5; s++) last = falling.update(s * 1000, 50 - s);
  assert.ok(last !== undefined && Math.abs(last.timeToLimitMs - 36_000) < 1);
});
