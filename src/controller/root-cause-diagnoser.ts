import type { HomeostatConfig } from '../config/schema/root.js';
import { classifyFault, type PastIncident } from '../analyze/fault-classification.js';
import { diagnoseIncident, elementAlias, type ConfigChangeEvidence } from '../analyze/incident-diagnosis.js';
import type { Diagnoser, Diagnosis, DiagnosisContext, Symptom } from '../analyze/symptom.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { TimeSeriesStore } from '../monitor/time-series.js';
import { DependencyGroups } from './dependency-groups.js';
import { metricHistory } from './metric-history.js';
import { INSTANCE_CPU } from './resource-series.js';

export interface RootCauseDiagnoserOptions {
  config: HomeostatConfig;
  groups?: DependencyGroups;
  /** The monitor's series (the metric watch's) and the supervisor's CPU and RSS; without them, symptoms and the graph only. */
  series?: TimeSeriesStore[];
  /** How often `series` are sampled at most (ms): the ranking's time step. */
  stepMs?: number;
  /**
   * More history read when an incident is diagnosed: the series of the PromQL rules of the
   * services in scope, from Prometheus (see promql-history.ts), for `fromMs`..`nowMs`.
   */
  promql?: (services: readonly string[], fromMs: number, nowMs: number, stepMs: number) => Promise<TimeSeriesStore | undefined>;
  /** Config versions applied recently (the config manager's). */
  configChanges?: () => ConfigChangeEvidence[];
  /** Earlier incidents and this incident's actions, for the classification. */
  knowledge?: Knowledge;
  /** Replicas of a service now. */
  replicas?: (service: string) => number;
  now?: () => number;
}

/**
 * The loop's {@link Diagnoser}: ranks the root cause of an incident over its `dependsOn`
 * group with {@link diagnoseIncident} — the monitor's recent history (normal period: before
 * the onset) and, with `promql`, the history of the scope's PromQL rules from Prometheus, the graph, the symptoms, recent config versions — and classifies the fault
 * (transient, persistent, byzantine) from the incident's and the element's history.
 *
 * @example const diagnoser = new RootCauseDiagnoser({ config, series: watch.series, configChanges: () => configs.recentChanges() });
 * @example await diagnoser.diagnose([]) // { cause: 'unknown', … }
 */
export class RootCauseDiagnoser implements Diagnoser {
  private readonly groups: DependencyGroups;
  private readonly now: () => number;

  constructor(private readonly options: RootCauseDiagnoserOptions) {
    this.groups = options.groups ?? new DependencyGroups(options.config.services);
    this.now = options.now ?? Date.now;
  }

  async diagnose(symptoms: Symptom[], context?: DiagnosisContext): Promise<Diagnosis> {
    if (symptoms.length === 0) return { cause: 'unknown', confidence: 0, evidence: ['no symptoms'], candidates: [] };
    const { config } = this.options;
    const scope = [...new Set(symptoms.flatMap((s) => this.groups.scope(s.element)))];
    const onset = Math.min(...symptoms.map((s) => s.at));
    const now = this.now();
    const stepMs = this.options.stepMs ?? 1_000;
    // The whole window metricHistory reads: the normal period, its lead and three steps of forward fill before it.
    const fromPrometheus = await this.options.promql?.(scope, onset - 5_000 - config.correlation.normalPeriod - stepMs * 4, now, stepMs);
    const series = [...(this.options.series ?? []), ...(fromPrometheus ? [fromPrometheus] : [])];
    const metrics =
      series.length > 0
        ? metricHistory(series, {
            services: scope,
            alias: (service) => elementAlias(scope, service),
            onset,
            now,
            normalMs: config.correlation.normalPeriod,
            stepMs,
          })
        : undefined;
    const base = {
      symptoms,
      scope,
      graph: this.groups.graph,
      ...(metrics ? { metrics } : {}),
      configChanges: this.options.configChanges?.() ?? [],
      configWindowMs: config.correlation.configWindow,
      minSpread: resourceNoiseFloor,
    };
    const first = diagnoseIncident(base);
    const top = first.candidates[0]?.element;
    if (!top) return first;
    const classification = classifyFault({
      element: top,
      replicas: this.options.replicas?.(top) ?? config.services[top]?.replicas ?? 1,
      symptoms,
      history: await this.history(top, context?.incidentId),
      restartsInIncident: context?.fresh ? [] : await this.restarts(context?.incidentId),
      openedAt: context?.openedAt ?? onset,
    });
    return diagnoseIncident({ ...base, classification });
  }

  private async history(element: string, except: string | undefined): Promise<PastIncident[]> {
    const knowledge = this.options.knowledge;
    if (!knowledge) return [];
    const incidents = await knowledge.incidents.list({ element, limit: 20 });
    // The summary of a resolved incident names the action that helped: "restart api#0 helped: …".
    return incidents
      .filter((i) => i.id !== except)
      .map((i) => ({ id: i.id, symptom: i.symptom, openedAt: i.openedAt, resolvedAt: i.resolvedAt, resolvedByRestart: i.status === 'resolved' && /^(restart|stop-start) /.test(i.summary) }));
  }

  private async restarts(incidentId: string | undefined): Promise<number[]> {
    if (!incidentId || !this.options.knowledge) return [];
    const explained = await this.options.knowledge.incidents.explain(incidentId);
    return (explained?.entries ?? []).filter((e) => e.kind === 'action' && e.data.ok === true && /^(restart|stop-start) /.test(String(e.data.action))).map((e) => e.at);
  }
}

/**
 * Percentage points of CPU that are noise for one process: sampled each second with clock-tick
 * resolution, an idle process reads 0 and then 1–3 %. A flat normal period would otherwise
 * make such a blip a robust z of 100 and rank a healthy dependency above a crashed dependent.
 * Kept small: a dependency explains a dependent in proportion to how far out of range each
 * is, so a hog (3 % → 95 %) must stay far out of range too.
 */
const CPU_NOISE_PERCENT = 2;

function resourceNoiseFloor(series: string): number {
  return series.includes(INSTANCE_CPU) ? CPU_NOISE_PERCENT : 0;
}
