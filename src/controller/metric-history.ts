import type { MetricTable } from '../analyze/root-cause/metric-table.js';
import type { Point, TimeSeriesStore } from '../monitor/time-series.js';

export interface MetricHistoryOptions {
  /** Services to take series of, each named by `alias(service)` in the tables. */
  services: readonly string[];
  alias: (service: string) => string;
  /** The first symptom (ms): the normal period ends `leadMs` before it. */
  onset: number;
  now: number;
  /** Length of the normal period (ms). */
  normalMs: number;
  /** Grid step (ms): about the scrape period. */
  stepMs: number;
  /** The fault began before it was detected: the anomalous period starts this long before the onset (default 5 s). */
  leadMs?: number;
  /** Series per service at most (default 40). */
  maxSeriesPerService?: number;
}

/**
 * Series that say nothing about health: they grow while all is well, or reset on every
 * restart, or (`scrape_duration_seconds`) measure the scraper's round trip, jitter of the
 * host rather than of the element. A target's `up` stays: a target that stops answering is evidence.
 */
const NOT_HEALTH = /uptime|start_time|_bucket$|_created$|^scrape_duration_seconds$/;
/** Counters: ranked by their per-second rate, not their ever-growing value. */
const COUNTER = /_(total|count|sum)$/;

/**
 * The recent history of some services (the monitor's scrapes, the supervisor's CPU and RSS) as the two tables root-cause ranking
 * compares — the normal period (before the onset) and the anomalous one (from shortly
 * before the onset to now) — on one time grid, each series forward-filled from its last
 * scrape (and left empty when that is stale), counters as rates.
 *
 * @example metricHistory([watch.series, resources.series], { services: ['api', 'db'], alias: (s) => `e${i}`, onset, now, normalMs: 300_000, stepMs: 1_000 })
 * @example metricHistory(emptySeries, options) // undefined: nothing scraped
 */
export function metricHistory(stores: readonly TimeSeriesStore[], options: MetricHistoryOptions): { normal: MetricTable; anomalous: MetricTable } | undefined {
  const step = Math.max(50, options.stepMs);
  const boundary = options.onset - (options.leadMs ?? 5_000);
  const from = boundary - options.normalMs;
  const normalTimes: number[] = [];
  const anomalousTimes: number[] = [];
  for (let t = boundary - step; t >= from; t -= step) normalTimes.unshift(t);
  for (let t = boundary; t <= options.now; t += step) anomalousTimes.push(t);
  const normal: MetricTable = { times: normalTimes.map((t) => t / 1_000), series: new Map() };
  const anomalous: MetricTable = { times: anomalousTimes.map((t) => t / 1_000), series: new Map() };
  for (const service of options.services) {
    const ids = stores.flatMap((series) => series.select({ service }).map((id) => ({ series, id })));
    for (const { series, id } of ids.filter(({ id }) => !NOT_HEALTH.test(id.name)).slice(0, options.maxSeriesPerService ?? 40)) {
      // NaN and ±Inf samples are no value to rank on (as for rules): a table's NaN means "no data" already.
      let points = series.points(id.key, from - step * 3).filter((p) => Number.isFinite(p.value));
      if (COUNTER.test(id.name)) points = rates(points);
      if (points.length === 0) continue;
      const name = `${options.alias(service)}_${id.key}`;
      normal.series.set(name, sample(points, normalTimes, step * 3));
      anomalous.series.set(name, sample(points, anomalousTimes, step * 3));
    }
  }
  return normal.series.size === 0 ? undefined : { normal, anomalous };
}

/** Per-second increase between consecutive samples; a drop is a restart (the new value is the increase). */
function rates(points: Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < points.length; i++) {
    const seconds = (points[i]!.at - points[i - 1]!.at) / 1_000;
    if (seconds <= 0) continue;
    const delta = points[i]!.value - points[i - 1]!.value;
    out.push({ at: points[i]!.at, value: (delta >= 0 ? delta : points[i]!.value) / seconds });
  }
  return out;
}

/** The last value at or before each grid time, NaN when there is none younger than `staleMs`. */
function sample(points: Point[], times: number[], staleMs: number): number[] {
  const values: number[] = [];
  let i = 0;
  for (const t of times) {
    while (i + 1 < points.length && points[i + 1]!.at <= t) i++;
    const point = points[i]!;
    values.push(point.at <= t && t - point.at <= staleMs ? point.value : Number.NaN);
  }
  return values;
}
