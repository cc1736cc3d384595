import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Balancer } from './balancer.js';
import { InFlight } from './in-flight.js';

const upstreams = [
  { instance: 'api#0', port: 3000 },
  { instance: 'api#1', port: 3001 },
  { instance: 'api#2', port: 3002 },
];

test('round-robin goes in turn; a retry never picks the replica that failed', () => {
  const balancer = new Balancer('round-robin', new InFlight());
  assert.deepEqual([0, 1, 2, 3].map(() => balancer.pick(upstreams)!.instance), ['api#0', 'api#1', 'api#2', 'api#0']);
  for (let i = 0; i < 6; i++) assert.notEqual(balancer.pick(upstreams, new Set(['api#1']))!.instance, 'api#1');
  assert.equal(balancer.pick(upstreams, new Set(['api#0', 'api#1', 'api#2'])), undefined);
  assert.equal(balancer.pick([]), undefined);
});

test('least-requests sends to the replica with the fewest in flight, in turn among equals', () => {
  const inFlight = new InFlight();
  const balancer = new Balancer('least-requests', inFlight);
  const slow = [inFlight.begin('api#0'), inFlight.begin('api#0'), inFlight.begin('api#1')];
  assert.deepEqual([0, 1, 2].map(() => balancer.pick(upstreams)!.instance), ['api#2', 'api#2', 'api#2']);
  for (const done of slow) done();
  assert.deepEqual(new Set([0, 1, 2].map(() => balancer.pick(upstreams)!.instance)), new Set(['api#0', 'api#1', 'api#2']));
});

test('in flight: ending twice counts once; a drain resolves when the last request ends, or false at its timeout', async () => {
  const inFlight = new InFlight();
  const first = inFlight.begin('api#0');
  const second = inFlight.begin('api#0');
  first();
  first();
  assert.equal(inFlight.of('api#0'), 1);
  const drained = inFlight.drained('api#0', 5_000);
  second();
  assert.equal(await drained, true);
  assert.equal(await inFlight.drained('api#0', 10), true);
  inFlight.begin('api#1');
  assert.equal(await inFlight.drained('api#1', 20), false);
});
