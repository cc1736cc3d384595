import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelsCodeSchema } from '../../config/schema/models.js';
import { TimeSeriesStore } from '../../monitor/time-series.js';
import { openStore } from '../../store/open-store.js';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { ProviderWatch } from '../provider-watch.js';
import { serveMetrics } from './metrics-server.js';
import { providerMetrics } from './provider-metrics.js';

/** The provider series lines of a scrape, without HELP/TYPE. */
async function scrape(url: string): Promise<string[]> {
  const text = await (await fetch(url)).text();
  return text.split('\n').filter((line) => line.startsWith('homeostat_model_provider_'));
}

test('provider metrics: /metrics serves each provider element\'s series as the watch last read them, drained from the store, none for a provider without element', async () => {
  const store = await openStore('sqlite::memory:');
  const clock = new ManualClock(1_000_000);
  const models = modelsCodeSchema.parse({
    providers: {
      primary: { kind: 'openai', baseUrl: 'http://127.0.0.1:9', models: { small: {} }, element: { window: '10s', minAttempts: 2, degradedWhen: { errorRatio: 0.9 } } },
      quiet: { kind: 'openai', baseUrl: 'http://127.0.0.1:9', models: { small: {} }, element: { window: '10s', minAttempts: 2, degradedWhen: { errorRatio: 0.9 } } },
      plain: { kind: 'anthropic', baseUrl: 'http://127.0.0.1:9', models: { large: {} } },
    },
    chains: { default: [{ provider: 'primary', model: 'small' }, { provider: 'plain', model: 'large' }] },
  });
  const watch = new ProviderWatch({ models: () => models, store, series: new TimeSeriesStore(), observe: () => undefined, isLeader: () => false, clock });
  const registry = new MetricsRegistry();
  providerMetrics(registry, () => watch.latestReadings());
  const server = await serveMetrics({ port: 0, registry, isLeader: () => false });
  let n = 0;
  const attempt = async (provider: string, outcome: string, latencyMs: number) => {
    const reserved = await store.reserveModelAttempt(
      { runId: `run-${n++}`, workflow: 'ask', stepSeq: 1, step: 'model:ask', stepAttempt: 1, day: '2026-12-07', provider, model: 'small', promptHash: 'h', reservedTokens: 10, reservedCostMicros: 0, startedAt: clock.now() - latencyMs },
      [],
    );
    assert.ok(reserved.reserved);
    await store.settleModelAttempt(reserved.id, { outcome, tokensIn: 1, tokensOut: 1, costMicros: 0, latencyMs, finishedAt: clock.now(), error: null, validationErrors: null, reply: null });
  };
  try {
    assert.deepEqual(await scrape(server.url), [], 'before the first poll: no series');
    await clock.advance(10);
    await attempt('primary', 'rate-limited', 40);
    await attempt('primary', 'ok', 60);
    await attempt('primary', 'ok', 80);
    await attempt('primary', 'invalid-output', 100);
    await attempt('plain', 'server-error', 10);
    await watch.poll();
    const p = '{provider="primary",service="provider:primary"}';
    const q = '{provider="quiet",service="provider:quiet"}';
    assert.deepEqual((await scrape(server.url)).sort(), [
      `homeostat_model_provider_attempts${p} 4`,
      `homeostat_model_provider_attempts${q} 0`,
      `homeostat_model_provider_drained${p} 0`,
      `homeostat_model_provider_drained${q} 0`,
      `homeostat_model_provider_error_ratio${p} 0.25`,
      `homeostat_model_provider_invalid_output_ratio${p} 0.25`,
      `homeostat_model_provider_latency_p50_ms${p} 70`,
      `homeostat_model_provider_rate_limited_ratio${p} 0.25`,
    ].sort());

    // Drained by anyone writing the store (the loop's rung, an operator): the next poll says so.
    await clock.advance(10);
    await store.setModelProviderState({ provider: 'primary', drained: true, maxConcurrency: null, reason: 'test', changedBy: 'test', changedAt: clock.now() });
    await watch.poll();
    const lines = await scrape(server.url);
    assert.ok(lines.includes(`homeostat_model_provider_drained${p} 1`), lines.join('\n'));
    assert.ok(lines.includes(`homeostat_model_provider_attempts${p} 0`), 'the window starts again at the drain');
  } finally {
    watch.stop();
    await server.close();
    await store.close();
  }
});
