import type { IncidentRecord, IncidentStatus } from '../../store/records.js';
import type { ElementStatus } from '../../supervisor/supervisor.js';
import type { MetricsRegistry } from '../../telemetry/metrics.js';

/** The unresolved states an incident can be in: each is a series of `homeostat_incidents`, 0 or not. */
export const UNRESOLVED_STATES: readonly Exclude<IncidentStatus, 'resolved'>[] = ['open', 'remediating', 'awaiting-approval', 'escalated'];

export interface HealthMetricsOptions {
  /** This node's supervised replicas and external services now. */
  status: () => ElementStatus[];
  /** Every configured rule with its service, and the ones firing now (the metric watch). */
  rules: () => { rule: string; element: string }[];
  firing: () => { rule: string; element: string }[];
  /** The unresolved incidents in the store (Knowledge), read every `everyMs`. */
  unresolved: () => Promise<Pick<IncidentRecord, 'status' | 'openedAt'>[]>;
  everyMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/** What an alerting rule reads to see that homeostat itself is stuck; `stop` ends the incident refresh. */
export interface HealthMetrics {
  /** Read the incidents again now (the runtime also calls it after each incident event). */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * homeostat's own state as gauges, for a Prometheus to alert on the healer:
 * - `homeostat_element_healthy{element,replica}` 1/0 per supervised replica (`api#0`) and external
 *   service, read from the supervisor at scrape time;
 * - `homeostat_rule_firing{rule,element}` 1/0 for every configured `symptoms:` rule, read
 *   from the metric watch at scrape time (every rule has a series, so `== 1` and `== 0` both
 *   work and a rule's series does not appear and vanish);
 * - `homeostat_incidents{state}` and `homeostat_incident_oldest_age_seconds{state}` for
 *   each unresolved state, from the store every `everyMs` (2 s) and after each incident
 *   event: a gauge read from the store is the same on every node sharing it.
 * Label values come only from the config (services, their replicas, rule names) and a
 * fixed list of states, so the series stay bounded whatever the monitored services expose.
 */
export function healthMetrics(r: MetricsRegistry, options: HealthMetricsOptions): HealthMetrics {
  const now = options.now ?? Date.now;
  let byState = new Map<string, { count: number; oldestOpenedAt: number | undefined }>();
  r.gauge('homeostat_element_healthy', 'Per supervised replica (replica="api#0"; not "instance", which Prometheus sets to the target) and external service: 1 while it runs with no probe failing (external: no probe failing), else 0.', () =>
    options.status().map((s) => ({ labels: { element: s.element, replica: s.instance }, value: isHealthy(s) ? 1 : 0 })),
  );
  r.gauge('homeostat_rule_firing', 'Per configured symptoms: rule and its service: 1 while it fires on any series, else 0.', () => {
    const firing = new Set(options.firing().map((f) => `${f.rule}|${f.element}`));
    return options.rules().map((rule) => ({ labels: rule, value: firing.has(`${rule.rule}|${rule.element}`) ? 1 : 0 }));
  });
  r.gauge('homeostat_incidents', 'Unresolved incidents in the store, by state (open, remediating, awaiting-approval, escalated).', () =>
    UNRESOLVED_STATES.map((state) => ({ labels: { state }, value: byState.get(state)?.count ?? 0 })),
  );
  r.gauge('homeostat_incident_oldest_age_seconds', 'Age of the oldest unresolved incident in each state (0: none): a remediation stuck for long shows here.', () => {
    const at = now();
    return UNRESOLVED_STATES.map((state) => {
      const oldest = byState.get(state)?.oldestOpenedAt;
      return { labels: { state }, value: oldest === undefined ? 0 : Math.max(0, (at - oldest) / 1_000) };
    });
  });
  let reading: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    // One read at a time: a slow store is not queried again by every tick.
    reading ??= options
      .unresolved()
      .then((incidents) => {
        const next = new Map<string, { count: number; oldestOpenedAt: number | undefined }>();
        for (const incident of incidents) {
          const entry = next.get(incident.status) ?? { count: 0, oldestOpenedAt: undefined };
          entry.count++;
          entry.oldestOpenedAt = Math.min(entry.oldestOpenedAt ?? Infinity, incident.openedAt);
          next.set(incident.status, entry);
        }
        byState = next;
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => (reading = undefined));
    return reading;
  };
  const timer = setInterval(() => void refresh(), options.everyMs ?? 2_000);
  timer.unref();
  void refresh();
  return { refresh, stop: () => clearInterval(timer) };
}

/** The supervisor's own verdict, as `isHealthy` has it: a process runs and no probe fails; an external service has no failing probe. */
function isHealthy(status: ElementStatus): boolean {
  if (status.kind === 'process' && status.state !== 'running') return false;
  return status.health === 'healthy' || status.health === 'unprobed' || status.health === 'unknown';
}
