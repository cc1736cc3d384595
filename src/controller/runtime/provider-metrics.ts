import type { ProviderReading } from '../../analyze/provider-readings.js';
import { providerElement } from '../../analyze/provider-element.js';
import type { MetricsRegistry } from '../../telemetry/metrics.js';
import type { LatestReading } from '../provider-watch.js';

/** The window's values, each a gauge of its own (name, help, value). */
const WINDOW_GAUGES: readonly [string, string, (reading: ProviderReading) => number][] = [
  ['homeostat_model_provider_error_ratio', 'Per model provider element: its own faults (429, 5xx, resets, first-token timeouts, stalls) ÷ attempts over its window; absent while the window holds no attempt.', (r) => r.errorRatio],
  ['homeostat_model_provider_rate_limited_ratio', 'Per model provider element: 429s ÷ attempts over its window; absent while the window holds no attempt.', (r) => r.rateLimitedRatio],
  ['homeostat_model_provider_invalid_output_ratio', 'Per model provider element: schema-invalid or truncated answers ÷ attempts over its window; absent while the window holds no attempt.', (r) => r.invalidOutputRatio],
  ['homeostat_model_provider_latency_p50_ms', 'Per model provider element: median attempt latency over its window, ms; absent while the window holds no attempt.', (r) => r.latencyP50Ms],
];

/**
 * The model providers' series (`homeostat_model_provider_*`, docs/model-steps.md) on
 * homeostat's own `/metrics`, read at scrape time from what the provider watch wrote at
 * its last poll — the same values the loop judged on, not a second computation. Labels:
 * `provider` and `service="provider:<name>"` (as in the monitor's series), one series per
 * provider with `element:` in the applied config, so the label set stays bounded by the config.
 */
export function providerMetrics(registry: MetricsRegistry, latest: () => LatestReading[]): void {
  const labelsOf = (provider: string) => ({ provider, service: providerElement(provider) });
  registry.gauge('homeostat_model_provider_drained', 'Per model provider element: 1 while it is drained (out of every chain) in the store, else 0.', () =>
    latest().map((l) => ({ labels: labelsOf(l.provider), value: l.drained ? 1 : 0 })),
  );
  registry.gauge('homeostat_model_provider_attempts', 'Per model provider element: attempts that finished within its window (0: none).', () =>
    latest().map((l) => ({ labels: labelsOf(l.provider), value: l.reading?.attempts ?? 0 })),
  );
  for (const [name, help, value] of WINDOW_GAUGES) {
    registry.gauge(name, help, () => latest().flatMap((l) => (l.reading ? [{ labels: labelsOf(l.provider), value: value(l.reading) }] : [])));
  }
}
