import type { HomeostatConfig } from '../config/schema/root.js';
import { storedDiagnosis } from '../analyze/diagnosis-codec.js';
import { symptomStrength } from '../analyze/incident-diagnosis.js';
import { describeSymptom, type Diagnoser, type Diagnosis, type Symptom } from '../analyze/symptom.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { IncidentRecord, RunRecord } from '../store/records.js';
import { matchPolicy, type MatchedPolicy } from '../plan/policy-matcher.js';
import type { Engine } from '../workflow/engine.js';
import type { ElementControl } from '../execute/element-control.js';
import { REMEDIATION_WORKFLOW, type RemediationInput } from '../execute/remediation-workflow.js';
import { incidentOfRun, remediationReference } from '../execute/remediation-reference.js';
import { escalationMessage } from '../execute/escalation-message.js';
import { pageOnce } from '../execute/page-once.js';
import type { WebhookSender } from '../execute/webhook-sender.js';
import { DependencyGroups } from './dependency-groups.js';
import { ReconcileLoop } from './reconcile-loop.js';
import { RootCauseDiagnoser } from './root-cause-diagnoser.js';
import { traced, type Span } from '../telemetry/tracing.js';

/**
 * Whether an incident is healthy now, with no action of ours: checked before every slow
 * retry (healthy: it is resolved externally, the ladder does not run again). Narrow on
 * purpose, so that the runtime can swap how "healthy" is decided.
 */
export type IncidentHealthCheck = (incident: IncidentRecord) => Promise<{ healthy: boolean; detail: string }>;

export interface AutonomicLoopOptions {
  config: HomeostatConfig;
  knowledge: Knowledge;
  engine: Engine;
  control: ElementControl;
  /** Default: root-cause ranking over the `dependsOn` graph and the symptoms (no metrics). */
  diagnoser?: Diagnoser;
  /** Reconciles of different services (or `dependsOn` groups) at once (default 4). */
  concurrency?: number;
  onError?: (key: string, error: unknown) => void;
  /** An incident was opened from `symptom` (metrics: MTTD; logs). */
  onIncidentOpened?: (incident: IncidentRecord, symptom: Symptom) => void;
  /** Is the incident healthy now (before a slow retry)? Without it, every slow retry runs the ladder again. */
  incidentHealth?: IncidentHealthCheck;
  /** The loop resolved an incident itself: it recovered externally, without an action of ours (metrics: MTTR; logs). */
  onResolved?: (incident: IncidentRecord) => void;
  /** A resolved incident's element had a symptom again within `correlation.reopenWithin`: it is open again. */
  onReopened?: (incident: IncidentRecord, symptom: Symptom) => void;
  /** An incident matched no policy and escalated at once. */
  onEscalated?: (incident: IncidentRecord) => void;
  /** An incident's root cause moved to another element (a dependency's symptom joined it). */
  onRetargeted?: (incident: IncidentRecord, from: string) => void;
  /** Symptoms dropped by a full bounded buffer (`homeostat_dropped_total{buffer}`; see {@link LoopBuffer}). */
  onDropped?: (buffer: LoopBuffer, count: number) => void;
  /** Sends the page of an incident no policy matches (signed, retried, dead-lettered); default: unrecorded (tests). */
  webhooks?: WebhookSender;
  now?: () => number;
}

/**
 * The loop's bounded buffers: `loop-symptoms`, symptoms waiting for their key's reconcile
 * (50 per service of the key; the newest are dropped); `incident-symptoms`, the symptoms an
 * incident's diagnosis is ranked from (200; later ones are still recorded in its explanation).
 */
export type LoopBuffer = 'loop-symptoms' | 'incident-symptoms';

/** Symptoms kept per service of a queue key while they wait for its reconcile. */
const PENDING_PER_SERVICE = 50;
/** Symptoms an incident's diagnosis is ranked from. */
const INCIDENT_SYMPTOMS = 200;

/** What the loop remembers of an unresolved incident between reconciles (rebuilt from the store after a restart). */
interface TrackedIncident {
  /** Services with a symptom in it. */
  members: Set<string>;
  symptoms: Symptom[];
  /** The latest symptom's time: related symptoms within the correlation window join. */
  lastAt: number;
  /** Remediation waits until then (a dependency's symptom may still come). */
  settleUntil: number;
}

/**
 * The closed loop's controller: symptoms (from the supervisor, metric rules, …) are
 * buffered and only enqueue a key — the service's, or its `dependsOn` group's
 * ({@link DependencyGroups}); `reconcile(key)` re-reads the unresolved incidents of those
 * services and their remediation runs from the store and decides — open an incident
 * (signals → symptoms → diagnosis → policy), join symptoms of related services to it,
 * re-target it to a newly found root cause, start its remediation workflow, wait for it,
 * or start the next slow retry of an escalated incident.
 *
 * Correlation: a symptom joins the unresolved incident that already has a symptom of its
 * service; failing that, in a `dependsOn` group, the newest incident of the group whose
 * latest symptom is at most `correlation.window` older; failing that, it re-opens its
 * service's incident resolved at most `correlation.reopenWithin` before it when it is a kind
 * of symptom that incident had (the fault came back); otherwise it opens one with key = its service. The incident's element is the top
 * root-cause candidate and the remediation targets it.
 *
 * Life cycle (docs/detection-and-diagnosis.md, "The incident life cycle"): open →
 * remediating → resolved (by an action) or escalated → slow retries, each first asking
 * {@link IncidentHealthCheck} (healthy: resolved externally, never credited to an action).
 * A symptom that joins an escalated incident is not absorbed: a new kind of symptom, or one
 * after its last action (not the same kind on a persistent fault), re-plans it at once with
 * the policy that matches that symptom.
 *
 * @example
 * const loop = new AutonomicLoop({ config, knowledge, engine, control }); loop.start();
 * supervisor.on((event) => { const s = symptomOf(event); if (s) loop.observe(s); });
 * @example
 * loop.observe({ name: 'process-crashed', element: 'ghost', … }) // no policy: the incident opens and escalates
 */
export class AutonomicLoop {
  readonly loop: ReconcileLoop;
  groups: DependencyGroups;
  private readonly pending = new Map<string, Symptom[]>();
  /** Queue key → incident id → what the loop remembers of it. */
  private readonly tracked = new Map<string, Map<string, TrackedIncident>>();
  private diagnoser: Diagnoser;
  private readonly now: () => number;
  private unsubscribe: (() => void) | undefined;
  /** Between start() and stop(): a run that finishes after stop() is not looked up. */
  private running = false;

  constructor(private readonly options: AutonomicLoopOptions) {
    this.groups = new DependencyGroups(options.config.services);
    this.now = options.now ?? Date.now;
    this.diagnoser = options.diagnoser ?? this.defaultDiagnoser();
    this.loop = new ReconcileLoop({
      concurrency: options.concurrency ?? 4,
      reconciler: { reconcile: (key) => this.reconcile(key) },
      onError: (key, error) => options.onError?.(key, error),
    });
  }

  private defaultDiagnoser(): Diagnoser {
    const { config, knowledge, control } = this.options;
    return new RootCauseDiagnoser({ config, groups: this.groups, knowledge, replicas: (service) => control.instances(service).length });
  }

  start(): void {
    this.running = true;
    this.unsubscribe = this.options.engine.on((event) => {
      if (event.type === 'run-finished' && event.workflow === REMEDIATION_WORKFLOW) {
        this.enqueueIncidentOf(event.runId).catch((error: unknown) => {
          if (this.running) this.options.onError?.(event.runId, error);
        });
      }
    });
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    await this.loop.stop();
  }

  /** A remediation run ended: look at its incident's key (the run's input names the incident). */
  private async enqueueIncidentOf(runId: string): Promise<void> {
    const incidentId = incidentOfRun(await this.options.engine.getRun(runId));
    const incident = incidentId === undefined ? undefined : await this.options.knowledge.incidents.get(incidentId);
    if (incident && this.running) this.loop.enqueue(this.groups.queueKey(incident.key));
  }

  /**
   * A new config version was applied: policies, correlation, escalation and the `dependsOn`
   * groups follow it from the next decision on. Symptoms waiting to be looked at are queued
   * again under the new groups, and every unresolved incident is looked at again.
   */
  async reconfigure(config: HomeostatConfig, diagnoser?: Diagnoser): Promise<void> {
    this.options.config = config;
    this.groups = new DependencyGroups(config.services);
    this.diagnoser = diagnoser ?? this.defaultDiagnoser();
    const waiting = [...this.pending.values()].flat();
    this.pending.clear();
    this.tracked.clear();
    for (const symptom of waiting) this.observe(symptom);
    await this.resync();
  }

  /** A symptom was observed: remember it and look at its service (or its group). */
  observe(symptom: Symptom): void {
    const key = this.groups.queueKey(symptom.element);
    this.keep(key, [symptom]);
    this.loop.enqueue(key);
  }

  /**
   * Symptoms waiting for `key`'s reconcile, oldest first; `earlier` (given back by a failed
   * reconcile) go before those observed meanwhile. Past the bound the newest are dropped
   * and counted: the first symptoms of a fault open and explain its incident.
   */
  private keep(key: string, symptoms: Symptom[], earlier = false): void {
    const waiting = this.pending.get(key) ?? [];
    const all = earlier ? [...symptoms, ...waiting] : [...waiting, ...symptoms];
    const bound = PENDING_PER_SERVICE * this.groups.servicesOf(key).length;
    if (all.length > bound) this.options.onDropped?.('loop-symptoms', all.length - bound);
    if (all.length > 0) this.pending.set(key, all.slice(0, bound));
  }

  /** Look at every service with an unresolved incident (after a controller restart). */
  async resync(): Promise<void> {
    for (const incident of await this.options.knowledge.incidents.list({ unresolved: true, limit: 1_000 })) this.loop.enqueue(this.groups.queueKey(incident.key));
  }

  /**
   * Level-based: a reconcile that fails part-way loses nothing. The symptoms it took and had
   * not yet recorded in an incident go back to the buffer, ahead of those observed meanwhile,
   * and the error makes the {@link ReconcileLoop} look at the key again after a backoff;
   * what was written before the failure (an incident opened, a run started) is read back
   * from the store then, so nothing is done twice.
   */
  private async reconcile(key: string): Promise<{ requeueAfter?: number } | void> {
    const symptoms = (this.pending.get(key) ?? []).sort((a, b) => a.at - b.at);
    this.pending.delete(key);
    const unrecorded = new Set(symptoms);
    try {
      return await this.decide(key, symptoms, unrecorded);
    } catch (error) {
      this.giveBack(key, symptoms.filter((s) => unrecorded.has(s)));
      throw error;
    }
  }

  /**
   * A failed reconcile of `key` gives its symptoms back. Their key is the one the symptoms
   * have now: a config applied meanwhile may have moved them to another group, which is
   * then enqueued; `key` itself is retried by the {@link ReconcileLoop} after its backoff
   * (an error it takes as terminal, like `HS_STORE_LOST`, is not retried: the symptoms
   * wait for the key's next one).
   */
  private giveBack(key: string, symptoms: Symptom[]): void {
    const byKey = new Map<string, Symptom[]>();
    for (const symptom of symptoms) {
      const now = this.groups.queueKey(symptom.element);
      byKey.set(now, [...(byKey.get(now) ?? []), symptom]);
    }
    for (const [now, list] of byKey) {
      this.keep(now, list, true);
      if (now !== key) this.loop.enqueue(now);
    }
  }

  /** `unrecorded`: the symptoms not yet in an incident's explanation; those recorded are removed from it. */
  private async decide(key: string, symptoms: Symptom[], unrecorded: Set<Symptom>): Promise<{ requeueAfter?: number } | void> {
    const unresolved = await this.unresolvedOf(key);
    const ids = new Set(unresolved.map((i) => i.id));
    const tracked = this.tracked.get(key);
    if (tracked) for (const id of tracked.keys()) if (!ids.has(id)) tracked.delete(id);
    const { joined, fresh } = await this.correlate(key, unresolved, symptoms);
    let requeueAfter: number | undefined;
    const later = (ms: number | void) => {
      if (typeof ms === 'number') requeueAfter = requeueAfter === undefined ? ms : Math.min(requeueAfter, ms);
    };
    for (const group of fresh) later(await this.openIncident(key, group, unrecorded));
    const changed = new Set<string>();
    for (const [incident, added] of joined) {
      const known = new Set(this.trackedOf(incident)?.symptoms.map((s) => s.name));
      if (await this.join(incident, added, unrecorded)) changed.add(incident.id);
      if (await this.replanAbsorbed(incident.id, added, known)) changed.add(incident.id);
    }
    for (const incident of unresolved) later(await this.advance(changed.has(incident.id) ? ((await this.options.knowledge.incidents.get(incident.id)) ?? incident) : incident));
    return requeueAfter === undefined ? undefined : { requeueAfter };
  }

  /** The unresolved incidents reconciled under `key` (each keyed by the service that opened it). */
  private async unresolvedOf(key: string): Promise<IncidentRecord[]> {
    const incidents = this.options.knowledge.incidents;
    // One service: at most one is unresolved, and a unique index finds it.
    if (!this.groups.isGroup(key)) return incidents.list({ key, unresolved: true, limit: 1 });
    const services = new Set(this.groups.servicesOf(key));
    return (await incidents.list({ unresolved: true, limit: 1_000 })).filter((i) => services.has(i.key)).sort((a, b) => b.openedAt - a.openedAt);
  }

  /** Which symptoms join which unresolved incident, and which open new ones (grouped by the incident they will open). */
  private async correlate(key: string, unresolved: IncidentRecord[], symptoms: Symptom[]) {
    const window = this.options.config.correlation.window;
    const joined = new Map<IncidentRecord, Symptom[]>();
    const fresh: Symptom[][] = [];
    const freshState: { members: Set<string>; lastAt: number }[] = [];
    for (const incident of unresolved) await this.track(incident);
    for (const symptom of symptoms) {
      const state = (i: IncidentRecord) => this.trackedOf(i)!;
      let target = unresolved.find((i) => state(i).members.has(symptom.element));
      let freshIndex = freshState.findIndex((f) => f.members.has(symptom.element));
      if (!target && freshIndex < 0 && this.groups.isGroup(key)) {
        target = unresolved.find((i) => state(i).lastAt >= symptom.at - window);
        if (!target) freshIndex = freshState.findIndex((f) => f.lastAt >= symptom.at - window);
      }
      if (target) {
        joined.set(target, [...(joined.get(target) ?? []), symptom]);
        const tracked = state(target);
        tracked.lastAt = Math.max(tracked.lastAt, symptom.at);
      } else if (freshIndex >= 0) {
        fresh[freshIndex]!.push(symptom);
        freshState[freshIndex]!.members.add(symptom.element);
        freshState[freshIndex]!.lastAt = Math.max(freshState[freshIndex]!.lastAt, symptom.at);
      } else {
        fresh.push([symptom]);
        freshState.push({ members: new Set([symptom.element]), lastAt: symptom.at });
      }
    }
    return { joined, fresh };
  }

  private trackedOf(incident: IncidentRecord): TrackedIncident | undefined {
    return this.tracked.get(this.groups.queueKey(incident.key))?.get(incident.id);
  }

  private remember(incident: IncidentRecord, tracked: TrackedIncident): void {
    const key = this.groups.queueKey(incident.key);
    const map = this.tracked.get(key) ?? new Map<string, TrackedIncident>();
    map.set(incident.id, tracked);
    this.tracked.set(key, map);
  }

  /** Load what the loop needs of an incident it has not seen since it started. */
  private async track(incident: IncidentRecord): Promise<TrackedIncident> {
    const known = this.trackedOf(incident);
    if (known) return known;
    const explained = await this.options.knowledge.incidents.explain(incident.id);
    const symptoms: Symptom[] = (explained?.entries ?? [])
      .filter((e) => e.kind === 'symptom' && typeof e.data.name === 'string')
      .map((e) => ({
        name: String(e.data.name),
        element: typeof e.data.element === 'string' ? e.data.element : incident.key,
        ...(typeof e.data.instance === 'string' ? { instance: e.data.instance } : {}),
        at: typeof e.data.at === 'number' ? e.data.at : e.at,
        labels: (e.data.labels ?? {}) as Record<string, string>,
        signal: {},
      }));
    const tracked: TrackedIncident = {
      members: new Set([incident.key, incident.element, ...symptoms.map((s) => s.element)]),
      symptoms,
      lastAt: Math.max(incident.openedAt, ...symptoms.map((s) => s.at)),
      settleUntil: incident.openedAt + this.options.config.correlation.settle,
    };
    this.remember(incident, tracked);
    return tracked;
  }

  private async openIncident(key: string, symptoms: Symptom[], unrecorded: Set<Symptom>): Promise<number | void> {
    const { knowledge } = this.options;
    const first = symptoms[0]!;
    const reopened = await this.reopenRecent(symptoms, unrecorded);
    // Looked at again after `retryEvery`: a re-opened incident escalated again (no policy) gets its slow retry too.
    if (reopened === 'reopened') return this.options.config.escalation.retryEvery;
    if (reopened === 'given-back') return 0;
    const { incident, created } = await knowledge.incidents.open({ key: first.element, element: first.element, symptom: first.name, summary: describeSymptom(first) });
    if (!created) {
      // Opened meanwhile by another reconcile of the key (a controller that just lost the lead): look again.
      for (const symptom of symptoms) unrecorded.delete(symptom);
      for (const symptom of symptoms) this.observe(symptom);
      return 0;
    }
    await knowledge.incidents.recordMany(incident.id, symptoms.flatMap(symptomEntries));
    for (const symptom of symptoms) unrecorded.delete(symptom);
    this.options.onIncidentOpened?.(incident, first);
    const tracked: TrackedIncident = { members: new Set(symptoms.map((s) => s.element)), symptoms: [...symptoms], lastAt: Math.max(...symptoms.map((s) => s.at)), settleUntil: 0 };
    this.remember(incident, tracked);
    const diagnosis = await this.diagnose(incident, tracked, true);
    const target = diagnosis.candidates?.[0]?.element ?? first.element;
    // A dependent's soft symptom (an error rate, a latency) may be its dependency's fault,
    // whose own symptom often comes later: wait a moment for it before acting on the dependent.
    const ownSymptoms = tracked.symptoms.filter((s) => s.element === target);
    const mayBeVictim = this.groups.isGroup(key) && (this.groups.graph.get(target)?.length ?? 0) > 0 && ownSymptoms.every((s) => symptomStrength(s) < 1);
    tracked.settleUntil = mayBeVictim ? incident.openedAt + this.options.config.correlation.settle : 0;
    const current = target !== incident.element ? ((await knowledge.incidents.retarget(incident.id, target, `root cause ranked on ${target}`)) ?? incident) : incident;
    if (tracked.settleUntil > this.now()) {
      await knowledge.incidents.record(incident.id, 'note', { detail: `waiting ${this.options.config.correlation.settle} ms for related symptoms before remediating ${target}` });
      return tracked.settleUntil - this.now();
    }
    return this.plan(current, diagnosis, tracked, 0);
  }

  /** Symptoms join an unresolved incident; a new element among them means a new diagnosis, maybe a new target (true: it changed). */
  private async join(incident: IncidentRecord, symptoms: Symptom[], unrecorded: Set<Symptom>): Promise<boolean> {
    const { knowledge } = this.options;
    const tracked = await this.track(incident);
    const newcomers = symptoms.filter((s) => !tracked.members.has(s.element));
    // A symptom new to the incident (by element and name) is recorded in full: also the
    // first symptom of an incident whose opening reconcile failed before recording it.
    // Verification reads those entries: a rule that fires later on a member must clear too.
    const described = new Set(tracked.symptoms.map((s) => `${s.element}|${s.name}`));
    await knowledge.incidents.recordMany(incident.id, symptoms.flatMap((s) => (described.has(`${s.element}|${s.name}`) ? [{ kind: 'signal' as const, data: s.signal }] : symptomEntries(s))));
    for (const symptom of symptoms) unrecorded.delete(symptom);
    const room = Math.max(0, INCIDENT_SYMPTOMS - tracked.symptoms.length);
    tracked.symptoms.push(...symptoms.slice(0, room));
    if (symptoms.length > room) this.options.onDropped?.('incident-symptoms', symptoms.length - room);
    for (const s of symptoms) tracked.members.add(s.element);
    if (newcomers.length === 0) return false;
    const diagnosis = await this.diagnose(incident, tracked);
    const target = diagnosis.candidates?.[0]?.element;
    if (!target || target === incident.element) return false;
    const from = incident.element;
    const updated = await knowledge.incidents.retarget(incident.id, target, `${describeSymptom(newcomers[0]!)} joined; the root cause is now ranked on ${target}, not ${from}`);
    if (updated) this.options.onRetargeted?.(updated, from);
    const { run, next } = await this.currentRemediation(incident.id);
    if (!run || !(run.status === 'pending' || run.status === 'running' || run.status === 'waiting')) return true;
    // Acting on the victim is wasted (and its guard reservation must be released by its own
    // run): the run is replaced only while nothing was reserved or executed.
    const entries = (await knowledge.incidents.explain(incident.id))?.entries ?? [];
    if (entries.some((e) => (e.kind === 'guard' && e.data.allowed === true) || e.kind === 'action' || e.kind === 'approval')) {
      await knowledge.incidents.record(incident.id, 'note', { detail: `remediation ${run.id} on ${from} already acted; the next cycle targets ${target}` });
      return true;
    }
    await this.options.engine.cancel(run.id);
    await knowledge.incidents.record(incident.id, 'note', { detail: `remediation ${run.id} on ${from} cancelled before it acted; remediating ${target} instead` });
    await this.plan(updated ?? incident, diagnosis, tracked, next);
    return true;
  }

  private async diagnose(incident: IncidentRecord, tracked: TrackedIncident, fresh = false): Promise<Diagnosis> {
    const diagnosis = await this.diagnoser.diagnose(tracked.symptoms, { incidentId: incident.id, openedAt: incident.openedAt, fresh });
    await this.options.knowledge.incidents.setDiagnosis(incident.id, diagnosis);
    return diagnosis;
  }

  /** The policy for `trigger` on the incident's target (undefined: none matches). */
  private matchFor(incident: IncidentRecord, diagnosis: Diagnosis, trigger: Symptom): MatchedPolicy | undefined {
    const { config } = this.options;
    const input = { symptom: trigger.name, diagnosis: diagnosis.cause, service: incident.element, ...(diagnosis.classification ? { classification: diagnosis.classification } : {}), labels: { ...trigger.labels, environment: config.environment } };
    return matchPolicy(config.policies, input, config.environment);
  }

  /**
   * Match a policy for the incident's target and start remediation cycle `cycle` (none
   * matching: escalate). The policy is matched for `trigger` when given (a symptom that
   * re-planned or re-opened the incident), else for the target's strongest symptom.
   */
  private plan(incident: IncidentRecord, diagnosis: Diagnosis, tracked: TrackedIncident, cycle: number, trigger?: Symptom): Promise<number | void> {
    // The root of the remediation's trace: the run started here is its child, and so are its
    // steps, guardrail verdicts, actions and verification, wherever the run executes.
    const attributes = { 'homeostat.incident.id': incident.id, 'homeostat.incident.element': incident.element, 'homeostat.remediation.cycle': cycle };
    return traced('homeostat.remediation', attributes, (span) => this.planCycle(incident, diagnosis, tracked, cycle, span, trigger));
  }

  private async planCycle(incident: IncidentRecord, diagnosis: Diagnosis, tracked: TrackedIncident, cycle: number, span: Span | undefined, trigger?: Symptom): Promise<number | void> {
    const { knowledge, engine, config } = this.options;
    const service = incident.element;
    const own = tracked.symptoms.filter((s) => s.element === service);
    // An incident whose symptoms were never recorded (the controller died right after opening it) has its first one's name.
    trigger ??= own.find((s) => symptomStrength(s) >= 1) ?? own[0] ?? tracked.symptoms[0] ?? { name: incident.symptom, element: incident.key, at: incident.openedAt, labels: {}, signal: {} };
    const matched = this.matchFor(incident, diagnosis, trigger);
    span?.setAttributes({ 'homeostat.incident.symptom': trigger.name, 'homeostat.diagnosis.cause': diagnosis.cause, 'homeostat.policy.name': matched?.name ?? '(none: escalated)' });
    if (!matched) {
      await knowledge.incidents.record(incident.id, 'policy', { matched: null, reason: `no policy matches symptom ${trigger.name} on ${service}: escalating` });
      // A slow retry that still matches no policy does not page again while the page is outstanding.
      await pageOnce({ escalation: config.escalation, escalationMessage: (id, severity) => escalationMessage({ knowledge, publicUrl: config.api.publicUrl }, id, severity), ...(this.options.webhooks ? { webhooks: this.options.webhooks } : {}) }, knowledge.incidents, incident.id, 'error');
      await knowledge.incidents.setStatus(incident.id, 'escalated', `${incident.summary} — no policy; escalated`);
      this.options.onEscalated?.(incident);
      // Looked at again after `retryEvery`: healthy by then (its alert resolved, someone fixed it), it is resolved externally.
      return config.escalation.retryEvery;
    }
    await knowledge.incidents.record(incident.id, 'policy', { matched: matched.name, reason: matched.reason, ladder: matched.policy.ladder.map((a) => a.action), approval: matched.policy.approval.required, dryRun: matched.policy.dryRun || config.guardrails.dryRun });
    await knowledge.incidents.setStatus(incident.id, 'remediating');
    const instance = trigger.element === service ? trigger.instance : undefined;
    // Several `up` on one store: the instance is the one on the node that saw it (`labels.node`).
    const node = trigger.element === service ? trigger.labels.node : undefined;
    // The run gets the policy's name only: it reads the ladder from the applied config itself.
    const remediation: RemediationInput = { incidentId: incident.id, service, ...(instance ? { instance } : {}), ...(node ? { node } : {}), diagnosis: diagnosis.cause, policyName: matched.name };
    const reference = remediationReference(incident, cycle);
    // The reference is written before the run starts: a loop that dies in between leaves a
    // reference to a run that does not exist yet, and its next reconcile plans that same
    // cycle again (see currentRemediation), whose start is idempotent by run id. Written
    // after, a crash would leave a run in flight that no reader knows of.
    await knowledge.incidents.setRemediation(incident.id, reference);
    span?.setAttribute('homeostat.run.id', reference.runId);
    await engine.start(REMEDIATION_WORKFLOW, remediation, { id: reference.runId });
  }

  /** What is next for an unresolved incident: start its remediation once settled, wait for its run, or retry slowly. */
  private async advance(incident: IncidentRecord): Promise<number | void> {
    const { knowledge, config } = this.options;
    if (incident.status === 'resolved') {
      this.tracked.get(this.groups.queueKey(incident.key))?.delete(incident.id);
      return;
    }
    const tracked = await this.track(incident);
    const { run, next } = await this.currentRemediation(incident.id);
    if (!run) {
      // 'remediating' without a run: the reconcile that planned it failed before the run
      // started (a store error, or the loop died after writing the reference), so it is
      // planned again, with the referenced cycle, rather than left for a slow retry.
      if (incident.status !== 'open' && incident.status !== 'remediating') {
        // Escalated because no policy matched: nothing to retry, but it may have recovered meanwhile.
        const due = incident.updatedAt + config.escalation.retryEvery - this.now();
        if (due > 0) return due;
        if (incident.status === 'escalated' && (await this.resolveIfHealthy(incident))) return;
        return config.escalation.retryEvery;
      }
      const wait = tracked.settleUntil - this.now();
      if (wait > 0) return wait;
      // Settled: rank again with what the metrics and the group showed meanwhile.
      const diagnosis = await this.diagnose(incident, tracked);
      const target = diagnosis.candidates?.[0]?.element;
      let current = incident;
      if (target && target !== incident.element) {
        current = (await knowledge.incidents.retarget(incident.id, target, `after settling, the root cause is ranked on ${target}, not ${incident.element}`)) ?? incident;
        this.options.onRetargeted?.(current, incident.element);
      }
      return this.plan(current, diagnosis, tracked, next);
    }
    if (run.status === 'pending' || run.status === 'running' || run.status === 'waiting') return;
    if (run.status === 'cancelled') return; // replaced by a re-targeted cycle
    if (incident.status !== 'escalated' || run.status !== 'completed') {
      if (run.status === 'failed' || run.status === 'parked') await knowledge.incidents.record(incident.id, 'note', { detail: `remediation run ${run.id} ${run.status}; retrying slowly` });
    }
    const output = run.output ? (JSON.parse(run.output) as { outcome?: string }) : {};
    if (output.outcome === 'dry-run') return;
    if (output.outcome === 'resolved') {
      // Unresolved after a run that resolved it: it was re-opened, and the reconcile that
      // re-opened it failed before its next cycle started. Read again after the run: a run
      // resolves its incident before it completes.
      if ((await knowledge.incidents.get(incident.id))?.status === 'resolved') return;
      return this.plan(incident, await this.diagnose(incident, tracked), tracked, next);
    }
    const dueAt = (run.finishedAt ?? run.updatedAt) + config.escalation.retryEvery;
    const wait = dueAt - Date.now();
    if (wait > 0) return wait;
    // Healed meanwhile without us (someone fixed it by hand): resolved externally, the ladder does not run again.
    if (await this.resolveIfHealthy(incident)) return;
    await knowledge.incidents.record(incident.id, 'note', { detail: `slow retry ${next} of the ladder` });
    // Planned again, not repeated: the target may have been re-ranked and the applied config may have changed since.
    return this.plan(incident, storedDiagnosis(incident.diagnosis) ?? (await this.diagnose(incident, tracked)), tracked, next);
  }

  /**
   * Resolve the incident externally if {@link IncidentHealthCheck} finds it healthy: no
   * action of ours healed it, so none is credited (its outcome statistics stay as they are).
   */
  private async resolveIfHealthy(incident: IncidentRecord): Promise<boolean> {
    const { knowledge, incidentHealth } = this.options;
    if (!incidentHealth) return false;
    const health = await incidentHealth(incident);
    if (!health.healthy) return false;
    await knowledge.incidents.record(incident.id, 'outcome', { outcome: 'resolved', resolution: 'external', detail: `resolved externally: ${health.detail}; no action of homeostat healed it` });
    const resolved = await knowledge.incidents.resolve(incident.id, { resolution: 'external', by: null, summary: `resolved externally: ${health.detail}` });
    this.tracked.get(this.groups.queueKey(incident.key))?.delete(incident.id);
    if (resolved) this.options.onResolved?.(resolved);
    return true;
  }

  /**
   * A fault is not absorbed by an escalated incident it joined (the store keeps one
   * unresolved incident per key, so it cannot open its own): a symptom of a kind the
   * incident did not have (also one no policy matched), or one after the incident's last
   * action or escalation — unless the incident is classified persistent (it recurs after our
   * restarts: the same kind again is that fault) — re-plans the incident at once with the
   * policy that matches that symptom. None matching: the escalation stands (noted). True: a
   * new remediation cycle started.
   */
  private async replanAbsorbed(id: string, added: Symptom[], known: Set<string>): Promise<boolean> {
    const { knowledge } = this.options;
    const incident = await knowledge.incidents.get(id);
    if (!incident || incident.status !== 'escalated') return false;
    const { run, next } = await this.currentRemediation(incident.id);
    if (run && !(run.status === 'completed' || run.status === 'failed' || run.status === 'parked')) return false;
    if (run?.output && (JSON.parse(run.output) as { outcome?: string }).outcome === 'dry-run') return false;
    // The chain is read only when a known kind may still count (after the last action): joins are the loop's hot path.
    let news = added.filter((s) => !known.has(s.name));
    if (run && news.length < added.length) {
      const entries = (await knowledge.incidents.explain(id))?.entries ?? [];
      const lastActedAt = entries.filter((e) => e.kind === 'action' || e.kind === 'escalation').at(-1)?.at ?? incident.openedAt;
      news = added.filter((s) => !known.has(s.name) || s.at > lastActedAt);
    }
    const trigger = news.filter((s) => s.element === incident.element).sort((a, b) => symptomStrength(b) - symptomStrength(a))[0];
    if (!trigger) return false;
    // The same kind again on a fault that recurs after our restarts (a crash loop) is that
    // fault, not a new one: its slow retries stand, the ladder does not run back to back.
    const sameKind = known.has(trigger.name);
    if (sameKind && storedDiagnosis(incident.diagnosis)?.classification === 'persistent') return false;
    const tracked = await this.track(incident);
    const diagnosis = await this.diagnose(incident, tracked);
    if (sameKind && diagnosis.classification === 'persistent') return false;
    const matched = this.matchFor(incident, diagnosis, trigger);
    if (!matched) {
      if (run) await knowledge.incidents.record(id, 'note', { detail: `${describeSymptom(trigger)} joined; no policy matches it: the escalation stands, slow retries continue` });
      return false;
    }
    const why = !run ? 'the incident no policy matched' : sameKind ? 'the escalated incident after its last action' : 'the escalated incident (a new kind of symptom)';
    await knowledge.incidents.record(id, 'note', { replanned: true, detail: `re-planning at once: ${describeSymptom(trigger)} joined ${why}; policy "${matched.name}" matches it` });
    await this.plan(incident, diagnosis, tracked, next, trigger);
    return true;
  }

  /**
   * Re-open the incident of the symptoms' service resolved at most `correlation.reopenWithin`
   * before the first of them, when they re-fire a kind of symptom it had: the fault came
   * back, so its resolution did not hold. It is
   * planned again at once (its next cycle). An action credited with that resolution gets a
   * failure counted in its outcome statistics (its success stays: it did heal, for a while).
   * 'given-back': another incident of the key is unresolved (a race): the symptoms are
   * observed again and join it. Undefined: nothing to re-open.
   */
  private async reopenRecent(symptoms: Symptom[], unrecorded: Set<Symptom>): Promise<'reopened' | 'given-back' | undefined> {
    const { knowledge, config } = this.options;
    const first = symptoms[0]!;
    const within = config.correlation.reopenWithin;
    if (within <= 0) return undefined;
    const [last] = await knowledge.incidents.list({ key: first.element, limit: 1 });
    // A symptom from before the incident opened (replayed after a change of leader) is no
    // recurrence; an incident a person closed stays closed (their call): a new one opens.
    if (!last || last.status !== 'resolved' || last.resolution === 'operator' || last.resolvedAt === null || first.at < last.openedAt || first.at - last.resolvedAt > within) return undefined;
    // The same fault coming back re-fires a kind of symptom the incident had; another kind
    // (a hang after a crash was healed) is a new fault, with its own incident and policy.
    const kinds = new Set([last.symptom, ...((await knowledge.incidents.explain(last.id))?.entries ?? []).filter((e) => e.kind === 'symptom').map((e) => String(e.data.name))]);
    if (!symptoms.some((s) => kinds.has(s.name))) return undefined;
    const afterMs = Math.max(0, first.at - last.resolvedAt);
    const by = last.resolution === 'external' ? 'recovering externally' : (last.resolvedBy ?? 'an action');
    const detail = `re-opened: ${first.name} on ${first.element} ${(afterMs / 1_000).toFixed(1)} s after it was resolved by ${by}`;
    const result = await knowledge.incidents.reopen(last.id, detail, { at: first.at, symptom: first.name, element: first.element, previousResolution: last.resolution, previousBy: last.resolvedBy });
    if (!result) return undefined;
    if (!result.reopened) {
      for (const symptom of symptoms) unrecorded.delete(symptom);
      for (const symptom of symptoms) this.observe(symptom);
      return 'given-back';
    }
    const incident = result.incident;
    await knowledge.incidents.recordMany(incident.id, symptoms.flatMap(symptomEntries));
    for (const symptom of symptoms) unrecorded.delete(symptom);
    const action = last.resolution === 'action' ? last.resolvedBy?.split(' ')[0] : undefined;
    const cause = storedDiagnosis(last.diagnosis)?.cause;
    if (action && cause) {
      await knowledge.outcome(cause, action, false);
      await knowledge.incidents.record(incident.id, 'note', { detail: `the resolution by ${last.resolvedBy} held ${(afterMs / 1_000).toFixed(1)} s: a failure of ${action} for ${cause} is counted` });
    }
    this.tracked.get(this.groups.queueKey(incident.key))?.delete(incident.id);
    const tracked = await this.track(incident);
    tracked.settleUntil = 0;
    this.options.onReopened?.(incident, first);
    const { next } = await this.currentRemediation(incident.id);
    const diagnosis = await this.diagnose(incident, tracked);
    const trigger = symptoms.filter((s) => s.element === incident.element).sort((a, b) => symptomStrength(b) - symptomStrength(a))[0];
    await this.plan(incident, diagnosis, tracked, next, trigger);
    return 'reopened';
  }

  /**
   * The incident's current remediation run, by its reference (read from the store: a cycle
   * may have been planned since the caller read the incident), and the cycle to plan next:
   * the reference's own when its run was never started (the loop died between writing the
   * reference and starting the run, see plan), else the one after it; 0 with no reference.
   */
  private async currentRemediation(incidentId: string): Promise<{ run: RunRecord | undefined; next: number }> {
    const reference = (await this.options.knowledge.incidents.get(incidentId))?.remediation;
    if (!reference) return { run: undefined, next: 0 };
    const run = await this.options.engine.getRun(reference.runId);
    return { run, next: run ? reference.cycle + 1 : reference.cycle };
  }
}

/** The explanation entries of a new symptom: its raw signal, and the symptom (enough to rebuild it after a restart). */
function symptomEntries(symptom: Symptom) {
  return [
    { kind: 'signal' as const, data: symptom.signal },
    { kind: 'symptom' as const, data: { name: symptom.name, element: symptom.element, instance: symptom.instance ?? null, at: symptom.at, labels: symptom.labels, description: describeSymptom(symptom) } },
  ];
}

