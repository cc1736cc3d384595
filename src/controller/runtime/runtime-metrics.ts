import type { TimeSeriesStore } from '../../monitor/time-series.js';
import type { Counter, Gauge, Histogram, MetricsRegistry } from '../../telemetry/metrics.js';

/** The loop's own metrics on `/metrics`: what it observed, opened, resolved and did, and how long each took. */
export interface RuntimeMetrics {
  symptoms: Counter;
  opened: Counter;
  resolved: Counter;
  reopened: Counter;
  escalated: Counter;
  actions: Counter;
  actionSeconds: Histogram;
  mttd: Histogram;
  mttr: Histogram;
  remediationSeconds: Histogram;
  stepSeconds: Histogram;
  scrapes: Counter;
  leader: Gauge;
  unresolved: Gauge;
}

/**
 * Registers the loop's `homeostat_*` families, in the order `/metrics` lists them; the
 * gauges start at 0, so a scrape before the first incident or election reads a value.
 */
export function runtimeMetrics(r: MetricsRegistry): RuntimeMetrics {
  const metrics: RuntimeMetrics = {
    symptoms: r.counter('homeostat_symptoms_total', 'Symptoms observed, by name.'),
    opened: r.counter('homeostat_incidents_opened_total', 'Incidents opened, by symptom.'),
    resolved: r.counter('homeostat_incidents_resolved_total', 'Incidents resolved, by symptom and resolution (action: a verified action of homeostat; external: healthy without one; operator: closed by a person).'),
    reopened: r.counter('homeostat_incidents_reopened_total', 'Resolved incidents re-opened: their symptom came back within correlation.reopenWithin, by symptom.'),
    escalated: r.counter('homeostat_incidents_escalated_total', 'Escalations (ladder exhausted or no policy).'),
    actions: r.counter('homeostat_actions_total', 'Remediation actions executed, by kind and outcome.'),
    actionSeconds: r.histogram('homeostat_action_duration_seconds', 'Time an action took to execute, by kind.'),
    mttd: r.histogram('homeostat_mttd_seconds', "Time to detect: from the incident's earliest symptom to the incident being opened.", [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
    mttr: r.histogram('homeostat_mttr_seconds', "Time to repair: from the incident's earliest symptom (a re-opened one's: the re-opening symptom) to the incident resolved, by symptom and resolution."),
    remediationSeconds: r.histogram('homeostat_remediation_duration_seconds', 'Remediation workflow runs, start to finish, by outcome.'),
    stepSeconds: r.histogram('homeostat_workflow_step_duration_seconds', 'Workflow steps executed here (retries included), by step and outcome.', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30]),
    scrapes: r.counter('homeostat_scrapes_total', 'Metric scrapes, by outcome.'),
    leader: r.gauge('homeostat_leader', '1 while this process is the loop leader.'),
    unresolved: r.gauge('homeostat_incidents_unresolved', 'Unresolved incidents (as of the last loop event).'),
  };
  metrics.leader.set({}, 0);
  metrics.unresolved.set({}, 0);
  return metrics;
}

/**
 * What homeostat holds in memory, read at scrape time: the scraped series, the samples
 * not stored or stored at another time than their own (by source and reason), its RSS.
 */
export function memoryMetrics(r: MetricsRegistry, series: TimeSeriesStore): void {
  r.gauge('homeostat_series', 'Time series held in memory.', () => [{ labels: {}, value: series.seriesCount }]);
  r.counter('homeostat_metric_samples_dropped_total', 'Scraped or pushed samples not stored, by source and reason (timestamp out of window, series budget, scrape limits).', () =>
    series.dropped().map((d) => ({ labels: { source: d.source, reason: d.reason }, value: d.count })),
  );
  r.counter('homeostat_metric_samples_restamped_total', 'Scraped or pushed samples stored at another time than their own, by source and reason (reordered or repeated: stored as the next sample at arrival; clock_skew: a little ahead, clamped to now).', () =>
    series.restamped().map((d) => ({ labels: { source: d.source, reason: d.reason }, value: d.count })),
  );
  r.gauge('homeostat_process_resident_memory_bytes', 'RSS of the homeostat process.', () => [{ labels: {}, value: process.memoryUsage().rss }]);
}
