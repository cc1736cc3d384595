import { systemClock, type Clock } from '../resilience/clock.js';
import { parsePrometheusText, type MetricFamily } from './prometheus-parser.js';
import type { TimeSeriesStore } from './time-series.js';

/** One endpoint to scrape; `labels` are added to every sample (service, instance). */
export interface ScrapeTarget {
  url: string;
  labels: Record<string, string>;
  timeoutMs?: number;
}

export interface ScrapeResult {
  target: ScrapeTarget;
  ok: boolean;
  samples: number;
  error?: string;
  families?: MetricFamily[];
}

/**
 * Scrapes Prometheus text endpoints into a {@link TimeSeriesStore}. A scrape that fails
 * (refused, timed out, malformed) is reported, never thrown: a down service is a signal.
 *
 * @example
 * const result = await scrapeOnce({ url: 'http://127.0.0.1:4100/metrics', labels: { service: 'api', instance: 'api#0' } }, series);
 * @example
 * (await scrapeOnce({ url: 'http://127.0.0.1:1/metrics', labels: {} }, series)).ok // false, error 'fetch failed …'
 */
export async function scrapeOnce(target: ScrapeTarget, series: TimeSeriesStore, clock: Clock = systemClock, signal?: AbortSignal): Promise<ScrapeResult> {
  try {
    const timeout = AbortSignal.timeout(target.timeoutMs ?? 1_000);
    const response = await fetch(target.url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    const text = await response.text();
    if (!response.ok) return { target, ok: false, samples: 0, error: `HTTP ${response.status}` };
    const families = parsePrometheusText(text);
    const now = clock.now();
    let samples = 0;
    for (const family of families) {
      for (const sample of family.samples) {
        series.append(sample.name, { ...sample.labels, ...target.labels }, sample.value, sample.timestamp ?? now);
        samples++;
      }
    }
    return { target, ok: true, samples, families };
  } catch (error) {
    return { target, ok: false, samples: 0, error: (error as Error).message };
  }
}

/** JSON pushed to the monitor: `{ metrics: [{ name, labels?, value, timestamp? }] }`. */
export interface PushedMetrics {
  metrics: { name: string; labels?: Record<string, string>; value: number; timestamp?: number }[];
}

/**
 * Validate and store pushed JSON metrics; returns how many were stored or a reason
 * for refusing the whole batch (nothing is stored then).
 * @example ingestPushedMetrics({ metrics: [{ name: 'queue_depth', value: 12 }] }, series, Date.now()) // { stored: 1 }
 * @example ingestPushedMetrics({ metrics: [{ name: 'bad name', value: 1 }] }, series, 0) // { error: 'metrics[0].name …' }
 */
export function ingestPushedMetrics(body: unknown, series: TimeSeriesStore, now: number): { stored: number } | { error: string } {
  const metrics = (body as PushedMetrics | null)?.metrics;
  if (!Array.isArray(metrics)) return { error: 'expected {"metrics": [{"name", "value", "labels"?, "timestamp"?}]}' };
  for (const [index, metric] of metrics.entries()) {
    if (typeof metric?.name !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric.name)) return { error: `metrics[${index}].name must be a metric name` };
    if (typeof metric.value !== 'number') return { error: `metrics[${index}].value must be a number` };
    if (metric.labels !== undefined && (typeof metric.labels !== 'object' || Object.values(metric.labels).some((v) => typeof v !== 'string'))) {
      return { error: `metrics[${index}].labels must map names to strings` };
    }
    if (metric.timestamp !== undefined && !Number.isFinite(metric.timestamp)) return { error: `metrics[${index}].timestamp must be milliseconds` };
  }
  let stored = 0;
  for (const metric of metrics) if (series.append(metric.name, metric.labels ?? {}, metric.value, metric.timestamp ?? now)) stored++;
  return { stored };
}
