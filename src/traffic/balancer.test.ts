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

test('a canary gets exactly its share of the requests, in any strategy; alone, or on a retry, it is treated like the others', () => {
  for (const strategy of ['round-robin', 'least-requests'] as const) {
    const balancer = new Balancer(strategy, new InFlight());
    const withCanary = [{ ...upstreams[0]!, share: 0.1 }, upstreams[1]!, upstreams[2]!];
    const counts = new Map<string, number>();
    for (let i = 0; i < 1_000; i++) {
      const picked = balancer.pick(withCanary)!.instance;
      counts.set(picked, (counts.get(picked) ?? 0) + 1);
    }
    assert.equal(counts.get('api#0'), 100, strategy);
    assert.equal(counts.get('api#1'), 450, strategy);
    assert.equal(counts.get('api#2'), 450, strategy);
    // The only replica that takes traffic: it takes all of it, rather than callers getting 503s.
    assert.equal(balancer.pick([withCanary[0]!])!.instance, 'api#0');
    // A retry after the canary failed goes elsewhere; after another failed it may go to the canary.
    for (let i = 0; i < 20; i++) assert.notEqual(balancer.pick(withCanary, new Set(['api#0']))!.instance, 'api#0');
    assert.equal(balancer.pick(withCanary, new Set(['api#1', 'api#2']))!.instance, 'api#0');
  }
});
