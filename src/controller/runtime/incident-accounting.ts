import type { Symptom } from '../../analyze/symptom.js';
import { incidentOfRun } from '../../execute/remediation-reference.js';
import { incidentTimes } from '../../knowledge/incident-times.js';
import type { Knowledge } from '../../knowledge/knowledge.js';
import type { IncidentRecord, RunRecord } from '../../store/records.js';
import type { Logger } from '../../telemetry/logger.js';
import type { RuntimeMetrics } from './runtime-metrics.js';

export interface IncidentAccountingOptions {
  knowledge: Pick<Knowledge, 'incidents'>;
  metrics: Pick<RuntimeMetrics, 'opened' | 'resolved' | 'reopened' | 'escalated' | 'mttd' | 'mttr' | 'unresolved'>;
  /** A remediation run, to read its outcome. */
  readRun: (runId: string) => Promise<RunRecord | undefined>;
  logger: Pick<Logger, 'info'>;
  /** One-line, human summaries (the console of `up`). */
  say: (line: string) => void;
}

/**
 * Counts, times and says each turn of an incident's life as this process sees it: opened
 * (MTTD), re-opened, re-targeted, escalated, a remediation's end and a resolution (MTTR,
 * by symptom and resolution); and keeps the unresolved count (`homeostat_incidents_unresolved`,
 * and whether the system is quiet enough to mark a config version good).
 */
export class IncidentAccounting {
  private count = 0;

  constructor(private readonly options: IncidentAccountingOptions) {}

  /** Unresolved incidents, as of the last loop event. */
  get unresolved(): number {
    return this.count;
  }

  /** `symptom` is the incident's earliest (the loop opens an incident from its symptoms sorted by time). */
  opened(incident: IncidentRecord, symptom: Symptom): void {
    const { metrics } = this.options;
    metrics.opened.inc({ symptom: symptom.name });
    metrics.mttd.observe({ symptom: symptom.name }, Math.max(0, incident.openedAt - symptom.at) / 1_000);
    this.setCount(this.count + 1);
    this.options.logger.info({ incident: incident.id, element: incident.element, symptom: symptom.name, detectMs: incident.openedAt - symptom.at }, 'incident opened');
    this.options.say(`incident ${incident.id} opened: ${incident.summary}`);
  }

  reopened(incident: IncidentRecord, symptom: Symptom): void {
    this.options.metrics.reopened.inc({ symptom: symptom.name });
    this.setCount(this.count + 1);
    this.options.say(`incident ${incident.id} re-opened: ${symptom.name} on ${symptom.element} came back (see homeostat incident show ${incident.id})`);
  }

  retargeted(incident: IncidentRecord, from: string): void {
    this.options.say(`incident ${incident.id}: root cause is ${incident.element}, not ${from}; remediation targets ${incident.element}`);
  }

  /** No policy matched: escalated at once. */
  escalatedWithoutPolicy(incident: IncidentRecord): void {
    this.options.metrics.escalated.inc({ reason: 'no-policy' });
    this.options.say(`incident ${incident.id} on ${incident.element}: no policy matches; escalated`);
  }

  /** A remediation run ended (its input names its incident): an exhausted ladder is an escalation, a dry run is said. */
  async remediationFinished(runId: string, status: string): Promise<void> {
    const { knowledge, metrics, logger, say } = this.options;
    const run = await this.options.readRun(runId);
    const incidentId = incidentOfRun(run);
    if (!incidentId) return;
    const incident = await knowledge.incidents.get(incidentId);
    if (!incident) return;
    const outcome = run?.output ? ((JSON.parse(run.output) as { outcome?: string }).outcome ?? status) : status;
    logger.info({ incident: incident.id, run: runId, status, outcome, incidentStatus: incident.status }, 'remediation finished');
    // A resolution is counted and said by resolved(), whoever resolved it.
    if (incident.status !== 'resolved' && outcome === 'escalated') {
      metrics.escalated.inc({ reason: 'ladder-exhausted' });
      say(`incident ${incident.id} escalated: ${incident.summary} (see homeostat incident show ${incident.id})`);
    } else if (incident.status !== 'resolved' && outcome === 'dry-run') {
      say(`incident ${incident.id}: dry-run, decision recorded, nothing executed`);
    }
    await this.refresh();
  }

  /**
   * A resolved incident: counted and timed by how it was resolved, its repair time from its
   * own symptoms (incident-times.ts), said on the console.
   */
  async resolved(incident: IncidentRecord): Promise<void> {
    const { knowledge, metrics } = this.options;
    const explained = await knowledge.incidents.explain(incident.id);
    const resolution = incident.resolution ?? 'action';
    const seconds = (explained ? (incidentTimes(explained).repairMs ?? 0) : (incident.resolvedAt ?? Date.now()) - incident.openedAt) / 1_000;
    metrics.resolved.inc({ symptom: incident.symptom, resolution });
    metrics.mttr.observe({ symptom: incident.symptom, resolution }, seconds);
    const how = resolution === 'external' ? 'resolved externally' : resolution === 'operator' ? `closed by ${incident.resolvedBy ?? 'an operator'}` : 'resolved';
    this.options.say(`incident ${incident.id} ${how} after ${seconds.toFixed(1)} s: ${incident.summary}`);
    await this.refresh();
  }

  /** Counts the unresolved incidents again, from the store. */
  async refresh(): Promise<void> {
    this.setCount((await this.options.knowledge.incidents.list({ unresolved: true, limit: 10_000 })).length);
  }

  private setCount(count: number): void {
    this.count = count;
    this.options.metrics.unresolved.set({}, count);
  }
}
