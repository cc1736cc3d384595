import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canarySchema } from '../config/schema/canary.js';
import type { ServiceConfig } from '../config/schema/services.js';
import type { Clock } from '../resilience/clock.js';
import { judgeConfigCanary, type CanaryControl } from './config-canary.js';

/**
 * A stand-in supervisor: the canary's callers' outcomes are fed by the test (`traffic`),
 * its health by `healthy`; what was asked of it is kept in `calls`.
 */
function fakeControl(clock: Clock, options: { start?: { ready: boolean; error?: string }; healthy?: () => boolean; traffic?: (elapsedMs: number) => { requests: number; failures: number; p95LatencyMs?: number } } = {}) {
  const calls: string[] = [];
  let began = 0;
  const control: CanaryControl = {
    startCanary: async (service, _spec, share) => {
      calls.push(`start ${service} ${share}`);
      began = clock.now();
      return { instance: `${service}#0`, ...(options.start ?? { ready: true }) };
    },
    endCanary: async (service, outcome) => {
      calls.push(`end ${service} ${outcome}`);
    },
    watchTraffic: (instance) => {
      calls.push(`watch ${instance}`);
      return {
        seen: () => {
          const { requests, failures, p95LatencyMs } = options.traffic?.(clock.now() - began) ?? { requests: 100, failures: 0 };
          return { requests, failures, p95LatencyMs };
        },
        stop: () => calls.push(`unwatch ${instance}`),
      };
    },
    replicas: (service) => [
      { instance: `${service}#0`, isHealthy: () => options.healthy?.() ?? true },
      { instance: `${service}#1`, isHealthy: () => true },
    ],
  };
  return { control, calls };
}

const spec = {} as ServiceConfig;

/** A clock whose sleeps pass at once, moving its time on: a canary's duration is judged without waiting for it. */
function selfAdvancingClock(): Clock {
  let time = 1_000_000;
  return {
    now: () => time,
    sleep: async (ms: number) => {
      time += ms;
    },
  };
}
const canary = (fields: Record<string, unknown> = {}) => canarySchema.parse({ duration: '300ms', ...fields });

test('a canary whose callers saw few enough failures passes after its duration and is kept', async () => {
  const clock = selfAdvancingClock();
  const { control, calls } = fakeControl(clock, { traffic: () => ({ requests: 200, failures: 1, p95LatencyMs: 12 }) });
  const verdict = await judgeConfigCanary(control, 'api', spec, canary({ share: '25%', maxLatency: '50ms' }), { clock });
  assert.equal(verdict.ok, true, verdict.detail);
  assert.match(verdict.detail, /^api#0 served 200 requests in 0\.3 s at a 25% share: 1 failed \(limit 1%\), p95 12\.0 ms \(limit 50 ms\), probes passing$/);
  assert.deepEqual(calls, ['start api 0.25', 'watch api#0', 'unwatch api#0', 'end api keep']);
});

test('a canary over its error rate fails as soon as minRequests were seen, and is restarted on the spec in force', async () => {
  const clock = selfAdvancingClock();
  const { control, calls } = fakeControl(clock, { traffic: (elapsed) => (elapsed < 50 ? { requests: 5, failures: 5 } : { requests: 40, failures: 4 }) });
  const verdict = await judgeConfigCanary(control, 'api', spec, canary({ duration: '30s', minRequests: 20, maxErrorRate: '5%' }), { clock });
  assert.equal(verdict.ok, false);
  assert.equal(verdict.detail, 'api#0 failed 4 of 40 requests (10%, limit 5%); restarted on the spec in force');
  assert.equal(verdict.tookMs, 100, 'decided at the first look after minRequests were seen, not at the end of its 30 s');
  assert.deepEqual(calls.at(-1), 'end api revert');
});

test('a canary fails when its probes fail, when too few requests reached it, when its answers are too slow, or when it never took traffic', async () => {
  const clock = selfAdvancingClock();
  const judge = (options: Parameters<typeof fakeControl>[1], fields: Record<string, unknown> = {}) => {
    const fake = fakeControl(clock, options);
    return { verdict: judgeConfigCanary(fake.control, 'api', spec, canary(fields), { clock }), calls: fake.calls };
  };
  const probes = await judge({ healthy: () => false }).verdict;
  assert.equal(probes.detail, 'api#0 failed its probes (or exited) on the new spec; restarted on the spec in force');
  const idle = await judge({ traffic: () => ({ requests: 3, failures: 0 }) }, { minRequests: 20 }).verdict;
  assert.match(idle.detail, /^only 3 requests reached api#0 in 0\.3 s \(canary\.minRequests: 20\): its callers could not judge it; restarted on the spec in force$/);
  const slow = await judge({ traffic: () => ({ requests: 100, failures: 0, p95LatencyMs: 900 }) }, { maxLatency: '200ms' }).verdict;
  assert.equal(slow.detail, "api#0's answers took 900.0 ms at the 95th percentile (limit 200 ms); restarted on the spec in force");
  const neverReady = judge({ start: { ready: false } });
  assert.equal((await neverReady.verdict).ok, false);
  assert.deepEqual(neverReady.calls, ['start api 0.1', 'end api revert']);
  const notStarted = judge({ start: { ready: false, error: 'spawn ./missing ENOENT' } });
  assert.match((await notStarted.verdict).detail, /did not start on the new spec \(spawn \.\/missing ENOENT\)/);
  assert.deepEqual(notStarted.calls, ['start api 0.1'], 'the supervisor already put it back');
  for (const verdict of [probes, idle, slow]) assert.equal(verdict.ok, false);
});

test('minRequests 0 judges a canary on its probes alone', async () => {
  const clock = selfAdvancingClock();
  const verdict = await judgeConfigCanary(fakeControl(clock, { traffic: () => ({ requests: 0, failures: 0 }) }).control, 'api', spec, canary({ minRequests: 0 }), { clock });
  assert.equal(verdict.ok, true, verdict.detail);
});
