import type { TimeSeriesStore } from '../../monitor/time-series.js';
import { DropCounter } from '../../telemetry/drop-counter.js';
import type { Logger } from '../../telemetry/logger.js';
import type { MetricsRegistry } from '../../telemetry/metrics.js';

/** The buffers whose drops `up` counts itself; the others count their own and are followed. */
export type RuntimeBuffer = 'loop-symptoms' | 'incident-symptoms' | 'early-symptoms' | 'recent-exits';

export interface RuntimeDropSources {
  logger: Pick<Logger, 'warn'>;
  /** Element events the supervisor could not hand to the store. */
  elementEvents: () => number;
  /** The scraped and pushed series (`homeostat_metric_samples_dropped_total` says which source and why). */
  metricSeries: TimeSeriesStore;
  /** The supervised processes' CPU and RSS series. */
  resourceSeries: TimeSeriesStore;
  /** Live events a slow API stream client missed (0 without an API). */
  liveEvents: () => number;
}

/**
 * Every bounded buffer of `up` in one `homeostat_dropped_total{buffer}` family, registered
 * on `registry`, with a warning per buffer at most every 10 s.
 */
export function runtimeDrops(registry: MetricsRegistry, sources: RuntimeDropSources): DropCounter {
  const drops = new DropCounter({
    report: ({ buffer, what, dropped, total }) => sources.logger.warn({ buffer, dropped, total }, `dropped ${dropped} ${what}: the buffer was full (${total} since start)`),
  });
  const define = (buffer: RuntimeBuffer, what: string) => drops.define(buffer, what);
  define('loop-symptoms', "symptoms waiting for the loop's reconcile");
  define('incident-symptoms', "symptoms beyond the 200 an incident's diagnosis is ranked from (still recorded in its explanation)");
  define('early-symptoms', 'symptoms seen before this process led the loop');
  define('recent-exits', "remembered process exits (evidence for actions): the oldest instance's");
  drops.follow('element-events', 'element events waiting for the store', sources.elementEvents);
  drops.follow('metric-samples', 'scraped or pushed samples (homeostat_metric_samples_dropped_total says which source and why)', () => sources.metricSeries.droppedSamples);
  drops.follow('resource-samples', 'CPU and RSS samples of supervised processes (series cap)', () => sources.resourceSeries.droppedSamples);
  drops.follow('live-events', 'live events for a slow API stream client', sources.liveEvents);
  drops.register(registry);
  return drops;
}
