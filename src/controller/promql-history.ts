import type { HomeostatConfig } from '../config/schema/root.js';
import { rangeQuery, type RangeAnswer, type RangeWindow } from '../monitor/prometheus-query.js';
import { TimeSeriesStore } from '../monitor/time-series.js';

/** Prometheus answers at most this many points per series of a range query. */
const MAX_POINTS = 11_000;

export interface PromqlHistoryOptions {
  /** Services in the incident's scope: only their PromQL rules are read. */
  services: readonly string[];
  fromMs: number;
  nowMs: number;
  /** The ranking's time step (ms): the range queries' step, made coarser when the window would pass 11 000 points. */
  stepMs: number;
  signal?: AbortSignal;
  /** Replaces the HTTP range query (tests). */
  query?: (baseUrl: string, query: string, window: RangeWindow, timeoutMs: number, signal?: AbortSignal) => Promise<RangeAnswer>;
}

/**
 * The history of the PromQL symptom rules of some services, read back from Prometheus
 * (`query_range` of each rule's query over `fromMs`..`nowMs`) into a store root-cause ranking
 * reads like the monitor's own: series named after the rule, labelled with its `service`
 * (which overrides a `service` label of the answer) and the answer's other labels. So a
 * dependency whose PromQL series left their range ranks as it would if homeostat had scraped
 * them. A rule whose query fails is left out and named in `failed`: ranking is best effort
 * with what it has, and the rule itself stays unknown in the watch.
 *
 * @example const { store, failed } = await promqlHistory(config, { services: ['api', 'db'], fromMs, nowMs, stepMs: 1_000 });
 */
export async function promqlHistory(config: HomeostatConfig, options: PromqlHistoryOptions): Promise<{ store: TimeSeriesStore; failed: { rule: string; error: string }[] }> {
  const span = Math.max(0, options.nowMs - options.fromMs);
  const stepMs = Math.max(options.stepMs, 1_000, Math.ceil(span / (MAX_POINTS - 1)));
  const store = new TimeSeriesStore({ retentionMs: span + stepMs * 2, maxPointsPerSeries: Math.ceil(span / stepMs) + 2 });
  const failed: { rule: string; error: string }[] = [];
  const prometheus = config.prometheus;
  if (!prometheus) return { store, failed };
  const scope = new Set(options.services);
  const rules = Object.entries(config.symptoms).filter(([, rule]) => rule.query !== undefined && scope.has(rule.service));
  await Promise.all(
    rules.map(async ([name, rule]) => {
      const answer = await (options.query ?? rangeQuery)(prometheus.url, rule.query!, { startMs: options.fromMs, endMs: options.nowMs, stepMs }, prometheus.timeout, options.signal);
      if (!answer.ok) {
        failed.push({ rule: name, error: answer.error });
        return;
      }
      for (const series of answer.series) {
        for (const [at, value] of series.samples) store.append(name, { ...series.labels, service: rule.service }, value, at);
      }
    }),
  );
  return { store, failed };
}
