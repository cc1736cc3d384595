import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Symptom } from '../analyze/symptom.js';
import { modelsCodeSchema, type ModelsConfig } from '../config/schema/models.js';
import { TimeSeriesStore } from '../monitor/time-series.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { ManualClock } from '../testing/manual-clock.js';
import { startModelStandIn, type ModelStandIn } from '../testing/model-stand-in.js';
import { ProviderWatch } from './provider-watch.js';

interface Harness {
  store: Store;
  clock: ManualClock;
  series: TimeSeriesStore;
  symptoms: Symptom[];
  watch: ProviderWatch;
  primary: ModelStandIn;
  leader: { is: boolean };
  /** Record a settled attempt that finished now. */
  attempt(provider: string, outcome: string, latencyMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A watch over a real SQLite store, the primary's probes going to a real stand-in server; time moves only by hand. */
async function harness(): Promise<Harness> {
  const primary = await startModelStandIn({ kind: 'openai' });
  const store = await openStore('sqlite::memory:');
  const clock = new ManualClock(1_000_000);
  const series = new TimeSeriesStore();
  const symptoms: Symptom[] = [];
  const leader = { is: true };
  const models: ModelsConfig = modelsCodeSchema.parse({
    providers: {
      primary: {
        kind: 'openai',
        baseUrl: primary.baseUrl,
        models: { small: {} },
        element: { window: '10s', minAttempts: 3, degradedWhen: { rateLimitedRatio: 0.5, errorRatio: 0.5, latency: '2s' }, probe: { model: 'small', every: '1s', successes: 2 } },
      },
      backup: { kind: 'anthropic', baseUrl: 'http://127.0.0.1:9', models: { large: {} } },
    },
    chains: { default: [{ provider: 'primary', model: 'small' }, { provider: 'backup', model: 'large' }] },
  });
  const watch = new ProviderWatch({ models: () => models, store, series, observe: (s) => symptoms.push(s), isLeader: () => leader.is, clock });
  let n = 0;
  return {
    store,
    clock,
    series,
    symptoms,
    watch,
    primary,
    leader,
    async attempt(provider, outcome, latencyMs = 50) {
      const reserved = await store.reserveModelAttempt(
        { runId: `run-${n++}`, workflow: 'ask', stepSeq: 1, step: 'model:ask', stepAttempt: 1, day: '2026-12-07', provider, model: 'm', promptHash: 'h', reservedTokens: 10, reservedCostMicros: 0, startedAt: clock.now() - latencyMs },
        [],
      );
      assert.ok(reserved.reserved);
      await store.settleModelAttempt(reserved.id, { outcome, tokensIn: 5, tokensOut: 5, costMicros: 0, latencyMs, finishedAt: clock.now(), error: null, validationErrors: null, reply: null });
    },
    async close() {
      watch.stop();
      await store.close();
      await primary.close();
    },
  };
}

test('provider watch: a degraded provider raises its symptom only with enough attempts in the window; its series are in the monitor store', async () => {
  const h = await harness();
  try {
    await h.attempt('primary', 'rate-limited');
    await h.attempt('primary', 'rate-limited');
    await h.watch.poll();
    assert.equal(h.symptoms.length, 0, 'two attempts are below minAttempts: no reading');
    await h.clock.advance(100);
    await h.attempt('primary', 'ok');
    await h.attempt('primary', 'rate-limited');
    await h.watch.poll();
    assert.equal(h.symptoms.length, 1);
    const [symptom] = h.symptoms;
    assert.equal(symptom!.name, 'model-provider-degraded');
    assert.equal(symptom!.element, 'provider:primary');
    assert.match(String(symptom!.signal.message), /429s 3\/4 = 0\.75 > 0\.5/);
    const ratio = h.series.find('homeostat_model_provider_rate_limited_ratio', { service: 'provider:primary' });
    assert.equal(h.series.latest(ratio[0]!.key)?.value, 0.75);

    await h.clock.advance(100);
    await h.attempt('primary', 'rate-limited');
    await h.watch.poll();
    assert.equal(h.symptoms.length, 1, 'still firing: said once');
    // Out of the window, the old attempts no longer count; four slow answers breach the latency limit.
    await h.clock.advance(11_000);
    for (let i = 0; i < 4; i++) await h.attempt('primary', 'ok', 50);
    await h.watch.poll();
    assert.equal(h.symptoms.length, 1, 'healthy again: cleared, nothing raised');
    for (let i = 0; i < 6; i++) await h.attempt('primary', 'ok', 5_000);
    await h.watch.poll();
    assert.equal(h.symptoms.length, 2);
    assert.match(String(h.symptoms[1]!.signal.message), /median latency 5000 ms > 2000 ms/);
  } finally {
    await h.close();
  }
});

test('provider watch: cleared reads what callers see since the drain — the other links, then the restored provider', async () => {
  const h = await harness();
  try {
    for (let i = 0; i < 4; i++) await h.attempt('primary', 'rate-limited');
    await h.watch.poll();
    assert.equal(h.watch.cleared('provider:primary', 'model-provider-degraded'), false, 'the callers still hit 429s');

    await h.clock.advance(10);
    await h.store.setModelProviderState({ provider: 'primary', drained: true, maxConcurrency: null, reason: 'test', changedBy: 'controller', changedAt: h.clock.now() });
    h.primary.always({ kind: 'rate-limit', retryAfterSeconds: 1 });
    await h.watch.poll();
    assert.equal(h.watch.isDrained('primary'), true);
    assert.equal(h.watch.cleared('provider:primary', 'model-provider-degraded'), false, 'no call answered since the drain yet');
    await h.clock.advance(10);
    for (let i = 0; i < 3; i++) await h.attempt('backup', 'server-error');
    await h.watch.poll();
    assert.equal(h.watch.cleared('provider:primary', 'model-provider-degraded'), false, 'the next link fails too');
    for (let i = 0; i < 6; i++) await h.attempt('backup', 'ok');
    await h.watch.poll();
    assert.equal(h.watch.cleared('provider:primary', 'model-provider-degraded'), true, 'the callers are answered (6 of 9 since the drain; no 429s)');
    assert.equal(h.watch.cleared('provider:primary', 'model-provider-recovered'), false, 'still drained: not restored');
    assert.equal(h.watch.cleared('api', 'model-provider-degraded'), false, 'not a provider element');

    await h.clock.advance(10);
    await h.store.setModelProviderState({ provider: 'primary', drained: false, maxConcurrency: null, reason: 'test', changedBy: 'controller', changedAt: h.clock.now() });
    await h.watch.poll();
    assert.equal(h.watch.cleared('provider:primary', 'model-provider-recovered'), false, 'nothing answered since the restore');
    for (let i = 0; i < 3; i++) await h.attempt('primary', 'ok');
    await h.watch.poll();
    assert.equal(h.watch.cleared('provider:primary', 'model-provider-recovered'), true);
    // The rule started over at the restore: a relapse is raised again.
    for (let i = 0; i < 6; i++) await h.attempt('primary', 'rate-limited');
    await h.watch.poll();
    assert.deepEqual(h.symptoms.map((s) => s.name), ['model-provider-degraded', 'model-provider-degraded']);
  } finally {
    await h.close();
  }
});

test('provider watch: the leader probes a drained provider over its wire format; answers in a row raise model-provider-recovered', async () => {
  const h = await harness();
  try {
    await h.store.setModelProviderState({ provider: 'primary', drained: true, maxConcurrency: null, reason: 'test', changedBy: 'controller', changedAt: h.clock.now() });
    h.primary.always({ kind: 'rate-limit', retryAfterSeconds: 1 });
    h.leader.is = false;
    await h.watch.poll();
    await h.clock.advance(1_000);
    await h.watch.poll();
    assert.equal(h.primary.counts.requests, 0, 'a follower does not probe');

    h.leader.is = true;
    await h.watch.poll();
    assert.equal(h.primary.counts.requests, 1, 'probed at once');
    await h.watch.poll();
    assert.equal(h.primary.counts.requests, 1, 'not again before probe.every');
    h.primary.always(undefined);
    await h.clock.advance(1_000);
    await h.watch.poll();
    assert.equal(h.symptoms.length, 0, 'one answer after a 429 is not yet two in a row');
    await h.clock.advance(1_000);
    await h.watch.poll();
    assert.equal(h.primary.counts.requests, 3);
    assert.equal(h.symptoms.length, 1);
    assert.equal(h.symptoms[0]!.name, 'model-provider-recovered');
    assert.match(String(h.symptoms[0]!.signal.message), /answered 2 probes in a row/);
    const probe = h.primary.requests[2] as { max_tokens: number; stream?: boolean };
    assert.equal(probe.max_tokens, 8);
  } finally {
    await h.close();
  }
});
