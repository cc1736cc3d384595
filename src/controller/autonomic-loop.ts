import type { HomeostatConfig } from '../config/schema/root.js';
import { describeSymptom, symptomDiagnoser, type Diagnoser, type Symptom } from '../analyze/symptom.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { IncidentRecord } from '../store/records.js';
import { matchPolicy } from '../plan/policy-matcher.js';
import type { Engine } from '../workflow/engine.js';
import type { ElementControl } from '../execute/element-control.js';
import { REMEDIATION_WORKFLOW, type RemediationInput } from '../execute/remediation-workflow.js';
import { escalate } from '../execute/actuators.js';
import type { EscalationMessage } from '../execute/escalation-payloads.js';
import { ReconcileLoop } from './reconcile-loop.js';

export interface AutonomicLoopOptions {
  config: HomeostatConfig;
  knowledge: Knowledge;
  engine: Engine;
  control: ElementControl;
  diagnoser?: Diagnoser;
  /** Reconciles of different services at once (default 4). */
  concurrency?: number;
  onError?: (key: string, error: unknown) => void;
  /** An incident was opened from `symptom` (metrics: MTTD; logs). */
  onIncidentOpened?: (incident: IncidentRecord, symptom: Symptom) => void;
  /** An incident matched no policy and escalated at once. */
  onEscalated?: (incident: IncidentRecord) => void;
}

/**
 * The closed loop's controller: symptoms (from the supervisor, metric rules, …) are
 * buffered per service and only enqueue the service's key; `reconcile(service)` re-reads
 * the service's unresolved incident and its remediation run from the store and decides —
 * open an incident (signals → symptoms → diagnosis → policy), start its remediation
 * workflow, wait for it, or start the next slow retry of an escalated incident.
 *
 * @example
 * const loop = new AutonomicLoop({ config, knowledge, engine, control }); loop.start();
 * supervisor.on((event) => { const s = symptomOf(event); if (s) loop.observe(s); });
 * @example
 * loop.observe({ name: 'process-crashed', element: 'ghost', … }) // no policy: the incident opens and escalates
 */
export class AutonomicLoop {
  readonly loop: ReconcileLoop;
  private readonly pending = new Map<string, Symptom[]>();
  private readonly diagnoser: Diagnoser;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: AutonomicLoopOptions) {
    this.diagnoser = options.diagnoser ?? symptomDiagnoser;
    this.loop = new ReconcileLoop({
      concurrency: options.concurrency ?? 4,
      reconciler: { reconcile: (key) => this.reconcile(key) },
      onError: (key, error) => options.onError?.(key, error),
    });
  }

  start(): void {
    this.unsubscribe = this.options.engine.on((event) => {
      if (event.type === 'run-finished' && event.workflow === REMEDIATION_WORKFLOW) {
        const service = serviceOfRun(event.runId);
        if (service) this.loop.enqueue(service);
      }
    });
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.loop.stop();
  }

  /** A symptom was observed: remember it and look at its service. */
  observe(symptom: Symptom): void {
    const list = this.pending.get(symptom.element) ?? [];
    if (list.length < 50) list.push(symptom);
    this.pending.set(symptom.element, list);
    this.loop.enqueue(symptom.element);
  }

  /** Look at every service with an unresolved incident (after a controller restart). */
  async resync(): Promise<void> {
    for (const incident of await this.options.knowledge.store.listIncidents({ unresolved: true, limit: 1_000 })) this.loop.enqueue(incident.element);
  }

  private async reconcile(service: string): Promise<{ requeueAfter?: number } | void> {
    const { knowledge, engine, config } = this.options;
    const symptoms = this.pending.get(service) ?? [];
    this.pending.delete(service);
    // The loop opens every incident with key = service: at most one is unresolved (a unique index finds it).
    const [open] = await knowledge.store.listIncidents({ key: service, unresolved: true, limit: 1 });
    if (!open) {
      if (symptoms.length === 0) return;
      const first = symptoms[0]!;
      const { incident, created } = await knowledge.incidents.open({ key: service, element: service, symptom: first.name, summary: describeSymptom(first) });
      await knowledge.incidents.recordMany(
        incident.id,
        symptoms.flatMap((symptom) => [
          { kind: 'signal' as const, data: symptom.signal },
          { kind: 'symptom' as const, data: { name: symptom.name, instance: symptom.instance ?? null, labels: symptom.labels, description: describeSymptom(symptom) } },
        ]),
      );
      if (!created) return { requeueAfter: 0 };
      this.options.onIncidentOpened?.(incident, first);
      const diagnosis = await this.diagnoser.diagnose(symptoms);
      await knowledge.incidents.setDiagnosis(incident.id, { ...diagnosis });
      const matched = matchPolicy(config.policies, { symptom: first.name, diagnosis: diagnosis.cause, service, labels: { ...first.labels, environment: config.environment } }, config.environment);
      if (!matched) {
        await knowledge.incidents.record(incident.id, 'policy', { matched: null, reason: `no policy matches symptom ${first.name} on ${service}: escalating` });
        const result = await escalate({ escalation: config.escalation, escalationMessage: (id, severity) => this.escalationMessage(id, severity) }, incident.id, 'error');
        await knowledge.incidents.record(incident.id, 'escalation', { ...result });
        await knowledge.incidents.setStatus(incident.id, 'escalated', `${incident.summary} — no policy; escalated`);
        this.options.onEscalated?.(incident);
        return;
      }
      await knowledge.incidents.record(incident.id, 'policy', { matched: matched.name, reason: matched.reason, ladder: matched.policy.ladder.map((a) => a.action), approval: matched.policy.approval.required, dryRun: matched.policy.dryRun || config.guardrails.dryRun });
      await knowledge.incidents.setStatus(incident.id, 'remediating');
      const input: RemediationInput = { incidentId: incident.id, service, ...(first.instance ? { instance: first.instance } : {}), diagnosis: diagnosis.cause, policyName: matched.name, policy: matched.policy };
      await engine.start(REMEDIATION_WORKFLOW, input, { id: runIdFor(service, incident.id, 0) });
      return;
    }
    // An incident is open: new symptoms join it; its remediation run says what is next.
    await knowledge.incidents.recordMany(open.id, symptoms.map((symptom) => ({ kind: 'signal' as const, data: symptom.signal })));
    const { run, cycle } = await this.latestRun(service, open.id);
    if (!run) return { requeueAfter: config.escalation.retryEvery };
    if (run.status === 'pending' || run.status === 'running' || run.status === 'waiting') return;
    if (open.status !== 'escalated' || run.status !== 'completed') {
      if (run.status === 'failed' || run.status === 'parked') await knowledge.incidents.record(open.id, 'note', { detail: `remediation run ${run.id} ${run.status}; retrying slowly` });
    }
    const output = run.output ? (JSON.parse(run.output) as { outcome?: string }) : {};
    if (output.outcome === 'dry-run' || output.outcome === 'resolved') return;
    const dueAt = (run.finishedAt ?? run.updatedAt) + config.escalation.retryEvery;
    const wait = dueAt - Date.now();
    if (wait > 0) return { requeueAfter: wait };
    const input = JSON.parse(run.input ?? '{}') as RemediationInput;
    await knowledge.incidents.record(open.id, 'note', { detail: `slow retry ${cycle + 1} of the ladder` });
    await engine.start(REMEDIATION_WORKFLOW, input, { id: runIdFor(service, open.id, cycle + 1) });
  }

  private async latestRun(service: string, incidentId: string) {
    let found;
    let cycle = -1;
    for (let n = 0; ; n++) {
      const run = await this.options.engine.getRun(runIdFor(service, incidentId, n));
      if (!run) break;
      found = run;
      cycle = n;
    }
    return { run: found, cycle };
  }

  /** The escalation message: the incident and its explanation chain in a few lines. */
  async escalationMessage(incidentId: string, severity: EscalationMessage['severity']): Promise<EscalationMessage> {
    const explained = await this.options.knowledge.incidents.explain(incidentId);
    if (!explained) throw new Error(`no incident ${incidentId}`);
    const lines = explained.entries
      .filter((e) => e.kind !== 'signal' && e.kind !== 'evidence')
      .slice(-12)
      .map((e) => `${e.kind}: ${summarize(e.data)}`);
    return { incident: explained.incident, explanation: lines, severity, event: 'trigger' };
  }
}

/** Remediation run ids: `remediate:<service>:<incident>:<cycle>` (the service is read back from it). */
export function runIdFor(service: string, incidentId: string, cycle: number): string {
  return `remediate:${service}:${incidentId}:${cycle}`;
}

function serviceOfRun(runId: string): string | undefined {
  const parts = runId.split(':');
  return parts[0] === 'remediate' && parts.length >= 4 ? parts.slice(1, -2).join(':') : undefined;
}

function summarize(data: Record<string, unknown>): string {
  const pick = ['description', 'action', 'detail', 'reason', 'cause', 'matched', 'status', 'outcome'].filter((key) => data[key] !== undefined && data[key] !== null);
  return pick.map((key) => `${key}=${typeof data[key] === 'string' ? data[key] : JSON.stringify(data[key])}`).join(' ').slice(0, 300);
}
