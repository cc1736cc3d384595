import { systemClock, type Clock } from '../resilience/clock.js';
import { formatOfContentType, parsePrometheusTextInSlices, TooManySamplesError, type MetricFamily, type SkippedLine } from './prometheus-parser.js';
import { mapScrapedLabels, type ScrapeMapping } from './scrape-mapping.js';
import type { SeriesSource, TimeSeriesStore } from './time-series.js';

/** Largest scrape body by default: thousands of series fit; a runaway exporter does not. */
export const DEFAULT_SCRAPE_MAX_BODY_BYTES = 4 * 1_048_576;
/** Samples one scrape target may send by default (and so series it may hold). */
export const DEFAULT_SCRAPE_MAX_SERIES = 2_000;

/** What a scrape asks for: OpenMetrics first, the text format as fallback (as Prometheus asks). */
const ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** One endpoint to scrape; `labels` are the target's (service, instance, job), given to every sample by `mapping`. */
export interface ScrapeTarget {
  url: string;
  labels: Record<string, string>;
  /** The target's name in logs and `homeostat_scrape_*{target}` (default the URL). */
  name?: string;
  /** How the exposition's own labels meet the target's (default: the target's win; the exposition's are kept as `exported_<name>`). */
  mapping?: Omit<ScrapeMapping, 'targetLabels'>;
  timeoutMs?: number;
  /** Bytes of body read at most; past it the connection is dropped and nothing stored (default 4 MiB). */
  maxBodyBytes?: number;
  /** Samples in one exposition and series held at most (default 2 000); past it nothing of the scrape is stored. */
  maxSeries?: number;
  /** The drop counter's `source` label (default `scrape:<url>`). */
  source?: string;
}

export interface ScrapeResult {
  target: ScrapeTarget;
  ok: boolean;
  samples: number;
  error?: string;
  /** Set when the scrape was refused for a limit rather than failing. */
  limit?: 'body' | 'series';
  families?: MetricFamily[];
  /** Lines of the exposition left out (at most 100 reported; `skippedCount` counts them all). */
  skipped?: SkippedLine[];
  skippedCount?: number;
  /** Request to stored, in ms. */
  durationMs: number;
}

/** The body was larger than the target allows. */
class BodyTooLargeError extends Error {}

/**
 * The body as text, read chunk by chunk and abandoned (the connection cancelled) at the
 * first byte past `maxBytes`: a huge or endless exposition is never held whole.
 */
async function readBodyWithin(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
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
  const started = clock.now();
  const result = await scrapeInto(target, series, clock, signal);
  return { ...result, durationMs: Math.max(0, clock.now() - started) };
}

/**
 * The target's own series, as Prometheus writes them: `up` (1 when the scrape stored
 * something, 0 otherwise) and `scrape_duration_seconds`, with the target's labels, so a rule
 * can fire on a target that stopped answering. Apart from {@link scrapeOnce}, which stores
 * only what the target sent.
 *
 * @example
 * recordTargetHealth(await scrapeOnce(target, series), series, Date.now()) // up{…target.labels} 1
 */
export function recordTargetHealth(result: ScrapeResult, series: TimeSeriesStore, now: number): void {
  const { target, ok, durationMs } = result;
  const source: SeriesSource = { name: target.source ?? `scrape:${target.url}`, maxSeries: (target.maxSeries ?? DEFAULT_SCRAPE_MAX_SERIES) + 2 };
  series.ingest(source, 'up', target.labels, ok ? 1 : 0, undefined, now);
  series.ingest(source, 'scrape_duration_seconds', target.labels, durationMs / 1_000, undefined, now);
}

async function scrapeInto(target: ScrapeTarget, series: TimeSeriesStore, clock: Clock, signal?: AbortSignal): Promise<Omit<ScrapeResult, 'durationMs'>> {
  try {
    const timeout = AbortSignal.timeout(target.timeoutMs ?? 1_000);
    const response = await fetch(target.url, { headers: { accept: ACCEPT }, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    const maxBodyBytes = target.maxBodyBytes ?? DEFAULT_SCRAPE_MAX_BODY_BYTES;
    const maxSeries = target.maxSeries ?? DEFAULT_SCRAPE_MAX_SERIES;
    // Two more for the target's own `up` and `scrape_duration_seconds`.
    const source: SeriesSource = { name: target.source ?? `scrape:${target.url}`, maxSeries: maxSeries + 2 };
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { target, ok: false, samples: 0, error: `HTTP ${response.status}` };
    }
    let text: string;
    try {
      text = await readBodyWithin(response, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      series.countDropped(source.name, 'scrape_body_limit');
      return { target, ok: false, samples: 0, limit: 'body', error: `the body is larger than ${maxBodyBytes} bytes (monitor.scrape[].maxBodyBytes); the scrape was cut off and nothing stored` };
    }
    let parsed: Awaited<ReturnType<typeof parsePrometheusTextInSlices>>;
    try {
      parsed = await parsePrometheusTextInSlices(text, { maxSamples: maxSeries, format: formatOfContentType(response.headers.get('content-type')) });
    } catch (error) {
      if (!(error instanceof TooManySamplesError)) throw error;
      series.countDropped(source.name, 'target_series_limit', maxSeries + 1);
      return { target, ok: false, samples: 0, limit: 'series', error: error.message };
    }
    const { families, skipped } = parsed;
    const skippedReport = skipped.length > 0 ? { skipped, skippedCount: parsed.skippedCount } : {};
    const sampleCount = families.reduce((n, f) => n + f.samples.length, 0);
    // Nothing but bad lines (an HTML error page served with 200, a wrong path) is a failed scrape, not an empty one.
    if (sampleCount === 0 && skipped.length > 0) {
      const first = skipped[0]!;
      return { target, ok: false, samples: 0, error: `not a metrics exposition: line ${first.line}: ${first.reason}`, ...skippedReport };
    }
    const now = clock.now();
    const mapping = { ...target.mapping, targetLabels: target.labels };
    let samples = 0;
    for (const family of families) {
      for (const sample of family.samples) {
        if (series.ingest(source, sample.name, mapScrapedLabels(sample.labels, mapping), sample.value, sample.timestamp, now) === null) samples++;
      }
    }
    return { target, ok: true, samples, families, ...skippedReport };
  } catch (error) {
    return { target, ok: false, samples: 0, error: (error as Error).message };
  }
}

/** JSON pushed to the monitor: `{ metrics: [{ name, labels?, value, timestamp? }] }`. */
export interface PushedMetrics {
  metrics: { name: string; labels?: Record<string, string>; value: number; timestamp?: number }[];
}

/** Series one push token may hold by default. */
export const DEFAULT_PUSH_MAX_SERIES = 1_000;

/**
 * Validate and store pushed JSON metrics; returns how many were stored (and how many
 * samples were dropped, by reason: a timestamp out of the window, the source's series
 * budget) or a reason for refusing the whole batch (nothing is stored then).
 * @example ingestPushedMetrics({ metrics: [{ name: 'queue_depth', value: 12 }] }, series, Date.now()) // { stored: 1, dropped: {} }
 * @example ingestPushedMetrics({ metrics: [{ name: 'bad name', value: 1 }] }, series, 0) // { error: 'metrics[0].name …' }
 */
export function ingestPushedMetrics(
  body: unknown,
  series: TimeSeriesStore,
  now: number,
  source: SeriesSource = { name: 'push', maxSeries: DEFAULT_PUSH_MAX_SERIES },
): { stored: number; dropped: Record<string, number> } | { error: string } {
  const metrics = (body as PushedMetrics | null)?.metrics;
  if (!Array.isArray(metrics)) return { error: 'expected {"metrics": [{"name", "value", "labels"?, "timestamp"?}]}' };
  for (const [index, metric] of metrics.entries()) {
    if (typeof metric?.name !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric.name)) return { error: `metrics[${index}].name must be a metric name` };
    if (typeof metric.value !== 'number') return { error: `metrics[${index}].value must be a number` };
    if (metric.labels !== undefined && (typeof metric.labels !== 'object' || Object.values(metric.labels).some((v) => typeof v !== 'string'))) {
      return { error: `metrics[${index}].labels must map names to strings` };
    }
    if (metric.timestamp !== undefined && (!Number.isFinite(metric.timestamp) || metric.timestamp < 0)) return { error: `metrics[${index}].timestamp must be milliseconds since the epoch, not negative` };
  }
  let stored = 0;
  const dropped: Record<string, number> = {};
  for (const metric of metrics) {
    const refused = series.ingest(source, metric.name, metric.labels ?? {}, metric.value, metric.timestamp, now);
    if (refused === null) stored++;
    else dropped[refused] = (dropped[refused] ?? 0) + 1;
  }
  return { stored, dropped };
}
