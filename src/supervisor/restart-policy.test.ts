import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../resilience/random.js';
import { RestartPolicy, type RestartPolicyOptions } from './restart-policy.js';

const options: RestartPolicyOptions = { mode: 'always', initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 'none', resetAfterMs: 10_000 };
const crash = { code: 1, signal: null, reason: 'exited' as const, uptimeMs: 50 };

test('the first restart is immediate, then exponential up to the cap', () => {
  const policy = new RestartPolicy(options, seededRandom(1));
  const delays = Array.from({ length: 7 }, () => {
    const decision = policy.decide(crash);
    assert.ok(decision.restart);
    return decision.delayMs;
  });
  assert.deepEqual(delays, [0, 100, 200, 400, 800, 1_000, 1_000]);
});

test('equal jitter stays within [d/2, d)', () => {
  const policy = new RestartPolicy({ ...options, jitter: 'equal' }, seededRandom(7));
  policy.decide(crash);
  for (const nominal of [100, 200, 400, 800, 1_000]) {
    const decision = policy.decide(crash);
    assert.ok(decision.restart && decision.delayMs >= nominal / 2 && decision.delayMs <= nominal, `${JSON.stringify(decision)} vs ${nominal}`);
  }
});

test('a stable run resets the backoff', () => {
  const policy = new RestartPolicy(options, seededRandom(1));
  policy.decide(crash);
  policy.decide(crash);
  assert.deepEqual(policy.decide({ ...crash, uptimeMs: 10_000 }), { restart: true, delayMs: 0, attempt: 1 });
});

test('on-failure restarts failures only; never restarts nothing; a stop is never restarted', () => {
  const onFailure = new RestartPolicy({ ...options, mode: 'on-failure' }, seededRandom(1));
  assert.deepEqual(onFailure.decide({ ...crash, code: 0 }), { restart: false });
  assert.equal(onFailure.decide({ ...crash, code: null, signal: 'SIGKILL' }).restart, true);
  assert.equal(onFailure.decide({ ...crash, code: 0, reason: 'liveness' }).restart, true);
  assert.deepEqual(new RestartPolicy({ ...options, mode: 'never' }, seededRandom(1)).decide(crash), { restart: false });
  assert.deepEqual(new RestartPolicy(options, seededRandom(1)).decide({ ...crash, reason: 'stopped' }), { restart: false });
});
