import { createServer, type Server } from 'node:http';
import type { LoadedConfig } from '../config/load-config.js';
import type { HomeostatConfig } from '../config/schema/root.js';
import { symptomOf, type Symptom } from '../analyze/symptom.js';
import { createActuator, type ActionOutcome, type ActionTarget, type Actuator } from '../execute/actuators.js';
import { supervisorControl, type ElementControl } from '../execute/element-control.js';
import { EscalationNotifier } from '../execute/escalation-notifier.js';
import { nodeRoutedActuator } from '../execute/node-routed-actuator.js';
import { nodeRoutedControl } from '../execute/node-routed-control.js';
import type { EscalationMessage } from '../execute/escalation-payloads.js';
import { REMEDIATION_WORKFLOW, appliedPolicies, remediationWorkflow } from '../execute/remediation-workflow.js';
import type { ServedApi } from '../api/serve-api.js';
import { HomeostatError } from '../errors/homeostat-error.js';
import type { AuditAnchorOptions } from '../knowledge/audit-head.js';
import { incidentTimes } from '../knowledge/incident-times.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { Guardrails } from '../plan/guardrails.js';
import type { IncidentRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Logger } from '../telemetry/logger.js';
import { DropCounter } from '../telemetry/drop-counter.js';
import { MetricsRegistry } from '../telemetry/metrics.js';
import { Engine } from '../workflow/engine.js';
import type { WorkflowDefinition } from '../workflow/define-workflow.js';
import type { EngineEventListener } from '../workflow/engine-events.js';
import { AutonomicLoop } from './autonomic-loop.js';
import { ConfigManager } from './config-manager.js';
import { LeaderElector } from './leader-election.js';
import { MetricWatch } from './metric-watch.js';
import { NodeAgent } from './node-agent.js';
import { nodeIdentity, type NodeIdentity } from './node-identity.js';
import { ResourceSeries } from './resource-series.js';
import { RootCauseDiagnoser } from './root-cause-diagnoser.js';
import { symptomsClearedHealth } from './symptoms-cleared-health.js';
import { WorkflowWatch } from './workflow-watch.js';

export interface ControllerRuntimeOptions {
  loaded: LoadedConfig;
  store: Store;
  supervisor: Supervisor;
  logger: Logger;
  /** One-line, human summaries of what the loop does (incident opened, resolved …). */
  say?: (line: string) => void;
  /** Leader lease (default 2 s): a standby takes over within about this long. */
  leaderTtlMs?: number;
  /** Replaces the supervisor as the element control (tests, other element kinds). */
  control?: ElementControl;
  /** Roll back to the last known good config (the supervisor's reload hook). */
  rollback?: (target: ActionTarget) => Promise<ActionOutcome>;
  /** Where the audit chain's heads are exported (`<stateDir>/audit-head`, the log) and the audit key. */
  auditAnchor?: AuditAnchorOptions;
  /**
   * This node's name among several `up` on one store (default: `node.name`, else the host
   * name and a suffix of the state dir); the supervisor's `owner` should be the same, so
   * the other nodes read its saved states as this node's.
   */
  node?: string;
}

/**
 * The whole autonomic loop in one process, as `homeostat up` runs it: the supervisor's
 * events and the metric rules feed symptoms to an {@link AutonomicLoop} that runs only
 * while this process is the leader ({@link LeaderElector}, SQLite or PostgreSQL);
 * remediations run as durable workflows on an engine worker over the same store;
 * homeostat's own metrics are served at `/metrics` on 127.0.0.1; pino logs every decision.
 * Several `up` may share one store, each a node supervising its own processes: every
 * symptom carries its node (`labels.node`), a follower queues its symptoms in the store
 * for the leader's loop, and an action on a node's process is executed by that node's
 * {@link NodeAgent} (see node-routed-actuator.ts and docs/architecture.md, "Several nodes on one store").
 *
 * @example
 * const runtime = await ControllerRuntime.start({ loaded, store, supervisor, logger });
 * console.log(runtime.metricsUrl); … await runtime.stop();
 * @example
 * runtime.observe({ name: 'process-crashed', element: 'api', … }) // as if the supervisor saw it
 */
export class ControllerRuntime {
  readonly knowledge: Knowledge;
  readonly registry = new MetricsRegistry();
  readonly watch: MetricWatch;
  /** Every bounded buffer's drops: `homeostat_dropped_total{buffer}`, and a warning per buffer at most every 10 s. */
  readonly drops: DropCounter;
  /** The supervisor's CPU and RSS per process, for root-cause ranking. */
  readonly resources: ResourceSeries;
  metricsUrl = '';
  /** The HTTP API's address (`api:` in the config); '' when disabled. */
  apiUrl = '';
  private api: ServedApi | undefined;
  private engine!: Engine;
  /** Executes remediation runs; open only while this process leads. */
  private remediationWorker: Engine | undefined;
  private remediation!: WorkflowDefinition<never, unknown>;
  private onEngineEvent: EngineEventListener = () => undefined;
  private elector!: LeaderElector;
  private loop: AutonomicLoop | undefined;
  /** This node: its name in symptoms and action requests, and this run of it. */
  readonly node: NodeIdentity;
  /** This node's own processes (its supervisor, or the control a test brings). */
  private readonly localControl: ElementControl;
  /** What the loop and the remediations read: this node's control, with the other live nodes' health. */
  private readonly control: ElementControl;
  private agent: NodeAgent | undefined;
  /** This node's symptoms seen while another process leads, on their way to the store (at most {@link EARLY_SYMPTOMS}). */
  private readonly outbox: Symptom[] = [];
  private outboxBusy = false;
  private drainBusy = false;
  private outboxTimer: NodeJS.Timeout | undefined;
  private lastOutboxWarning = 0;
  private readonly guardrails: Guardrails;
  /** Symptoms about no node (failed workflow runs) seen before this process leads (at most {@link EARLY_SYMPTOMS}). */
  private readonly early: Symptom[] = [];
  /** The last exit per instance, in memory: the store gets events in batches, evidence cannot wait. */
  private readonly recentExits = new Map<string, { at: number; kind: string; data: Record<string, unknown> }>();
  private readonly unsubscribe: (() => void)[] = [];
  private server: Server | undefined;
  /** Config versions: stored, applied on file change, marked good, rolled back. */
  configs!: ConfigManager;
  /** Failed and dead-lettered workflow runs, as symptoms. */
  private workflowWatch: WorkflowWatch | undefined;
  /** Sends the resolve to the escalation webhooks when a paged incident resolves. */
  private notifier: EscalationNotifier | undefined;
  private unresolved = 0;
  private readonly m;

  private constructor(private readonly options: ControllerRuntimeOptions) {
    this.knowledge = new Knowledge(options.store, Date.now, options.auditAnchor);
    this.node = nodeIdentity(options.node ?? options.loaded.config.node.name, options.loaded.stateDir);
    this.localControl = options.control ?? supervisorControl(options.supervisor);
    this.control = nodeRoutedControl(this.localControl, () => this.agent?.others ?? { states: new Map(), known: new Set() });
    this.guardrails = new Guardrails(options.loaded.config.guardrails, this.knowledge);
    const r = this.registry;
    this.m = {
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
    };
    r.gauge('homeostat_incidents_unresolved', 'Unresolved incidents (as of the last loop event).', () => [{ labels: {}, value: this.unresolved }]);
    r.gauge('homeostat_series', 'Time series held in memory.', () => [{ labels: {}, value: this.watch.series.seriesCount }]);
    r.counter('homeostat_metric_samples_dropped_total', 'Scraped or pushed samples not stored, by source and reason (timestamp out of window, series budget, scrape limits).', () =>
      this.watch.series.dropped().map((d) => ({ labels: { source: d.source, reason: d.reason }, value: d.count })),
    );
    r.counter('homeostat_metric_samples_restamped_total', 'Scraped or pushed samples stored at another time than their own, by source and reason (reordered or repeated: stored as the next sample at arrival; clock_skew: a little ahead, clamped to now).', () =>
      this.watch.series.restamped().map((d) => ({ labels: { source: d.source, reason: d.reason }, value: d.count })),
    );
    r.gauge('homeostat_process_resident_memory_bytes', 'RSS of the homeostat process.', () => [{ labels: {}, value: process.memoryUsage().rss }]);
    this.drops = new DropCounter({
      report: ({ buffer, what, dropped, total }) => options.logger.warn({ buffer, dropped, total }, `dropped ${dropped} ${what}: the buffer was full (${total} since start)`),
    });
    this.drops.define('loop-symptoms', "symptoms waiting for the loop's reconcile");
    this.drops.define('incident-symptoms', "symptoms beyond the 200 an incident's diagnosis is ranked from (still recorded in its explanation)");
    this.drops.define('early-symptoms', 'symptoms seen before this process led the loop');
    this.drops.define('recent-exits', "remembered process exits (evidence for actions): the oldest instance's");
    this.drops.follow('element-events', 'element events waiting for the store', () => options.supervisor.droppedEvents);
    this.drops.follow('metric-samples', 'scraped or pushed samples (homeostat_metric_samples_dropped_total says which source and why)', () => this.watch.series.droppedSamples);
    this.drops.follow('resource-samples', 'CPU and RSS samples of supervised processes (series cap)', () => this.resources.series.droppedSamples);
    this.drops.follow('live-events', 'live events for a slow API stream client', () => this.api?.live.dropped ?? 0);
    this.drops.register(r);
    this.m.leader.set({}, 0);
    this.resources = new ResourceSeries(options.supervisor, { everyMs: options.loaded.config.resources.sampleEvery, retentionMs: options.loaded.config.monitor.retention });
    this.watch = new MetricWatch({
      config: options.loaded.config,
      endpoints: (service) => options.supervisor.status().filter((s) => s.element === service && s.kind === 'process').map((s) => ({ instance: s.instance, port: s.port })),
      observe: (symptom) => this.observe(symptom),
      onScrape: (result) => this.m.scrapes.inc({ outcome: result.ok ? 'ok' : result.limit ? `${result.limit}_limit` : 'failed' }),
      onCleared: (rule, instance, value) => options.logger.info({ rule, instance, value }, 'metric rule cleared'),
    });
  }

  static async start(options: ControllerRuntimeOptions): Promise<ControllerRuntime> {
    const runtime = new ControllerRuntime(options);
    await runtime.open();
    return runtime;
  }

  /**
   * A symptom of this node's own processes, from the supervisor, a metric rule or a test:
   * it carries this node (`labels.node`). The leader's loop gets it at once; a follower
   * queues it in the store, where the leader takes it from.
   */
  observe(symptom: Symptom): void {
    const own: Symptom = symptom.labels.node ? symptom : { ...symptom, labels: { ...symptom.labels, node: this.node.name } };
    this.count(own);
    if (this.loop) this.loop.observe(own);
    else if (this.outbox.length < EARLY_SYMPTOMS) this.outbox.push(own);
    else this.drops.drop('early-symptoms');
  }

  /** A symptom about no node's processes (a failed workflow run): buffered until this process leads. */
  private observeShared(symptom: Symptom): void {
    this.count(symptom);
    if (this.loop) this.loop.observe(symptom);
    else if (this.early.length < EARLY_SYMPTOMS) this.early.push(symptom);
    else this.drops.drop('early-symptoms');
  }

  private count(symptom: Symptom): void {
    this.m.symptoms.inc({ name: symptom.name });
    this.options.logger.info({ symptom: symptom.name, element: symptom.element, instance: symptom.instance, labels: symptom.labels }, 'symptom');
  }

  /** A follower's queued symptoms go to the store; on the leader they go to the loop. */
  private async flushOutbox(): Promise<void> {
    if (this.outboxBusy || this.outbox.length === 0) return;
    if (this.loop) {
      for (const symptom of this.outbox.splice(0)) this.loop.observe(symptom);
      return;
    }
    this.outboxBusy = true;
    const batch = this.outbox.slice(0, 500);
    try {
      await this.options.store.appendNodeSymptoms(batch.map((symptom) => ({ node: this.node.name, symptom: JSON.stringify(symptom), at: symptom.at })));
      this.outbox.splice(0, batch.length);
    } catch (error) {
      // Kept and sent again at the next tick (the outbox is bounded: the newest are dropped).
      this.warnEvery(error, 'queueing symptoms for the leader failed (retrying)');
    } finally {
      this.outboxBusy = false;
    }
  }

  /** The leader takes the symptoms the other nodes queued, into its loop. */
  private async drainNodeSymptoms(): Promise<void> {
    if (this.drainBusy || !this.loop) return;
    this.drainBusy = true;
    try {
      const taken = await this.options.store.takeNodeSymptoms(500);
      const symptoms = taken.flatMap((row) => parseSymptom(row.symptom) ?? []);
      const loop = this.loop;
      if (!loop) {
        // Deposed meanwhile: give them back for the next leader.
        if (taken.length > 0) await this.options.store.appendNodeSymptoms(taken.map(({ node, symptom, at }) => ({ node, symptom, at })));
        return;
      }
      for (const symptom of symptoms) loop.observe(symptom);
    } catch (error) {
      this.warnEvery(error, "taking the other nodes' symptoms failed (retrying)");
    } finally {
      this.drainBusy = false;
    }
  }

  private warnEvery(error: unknown, message: string): void {
    if (Date.now() - this.lastOutboxWarning < 10_000) return;
    this.lastOutboxWarning = Date.now();
    this.options.logger.warn({ err: error }, message);
  }

  get isLeader(): boolean {
    return this.loop !== undefined;
  }

  private async open(): Promise<void> {
    const { loaded, store, supervisor, logger } = this.options;
    const { config } = loaded;
    await this.serveMetrics(config.monitor.metricsPort);
    this.configs = await ConfigManager.start({ loaded, knowledge: this.knowledge, supervisor, logger, say: (line) => this.say(line), quiet: () => this.unresolved === 0 && !this.watch.anyFiring(), observe: (symptom) => this.observe(symptom) });
    // Everything that decides reads the applied version when it decides: a new version is enforced whole.
    const live = this.configs.live;
    this.unsubscribe.push(
      live.onChange((next) => {
        this.guardrails.reconfigure(next.config.guardrails);
        this.watch.reconfigure(next.config);
        const loop = this.loop;
        if (loop) void loop.reconfigure(next.config, this.diagnoserFor(next.config)).catch((error: unknown) => logger.error({ err: error }, 'reconfiguring the loop failed'));
        logger.info({ version: next.version, source: next.source }, 'config version enforced: policies, guardrails, escalation, rules and scrapes follow it');
      }),
    );
    // The escalation message only reads Knowledge: a loop that is never started writes it.
    let messenger: AutonomicLoop | undefined;
    const escalationMessage = (id: string, severity: EscalationMessage['severity']) =>
      (messenger ??= new AutonomicLoop({ config, knowledge: this.knowledge, engine: this.engine, control: this.control })).escalationMessage(id, severity);
    // Every resolution goes through Incidents.resolve, in whichever process made it (the
    // leader's remediation, the API's operator close): that process sends the resolve.
    this.notifier = new EscalationNotifier({
      incidents: this.knowledge.incidents,
      escalation: () => live.config.escalation,
      escalationMessage,
      onSent: (incident, outcome) => logger.info({ incident, ok: outcome.ok, detail: outcome.detail }, 'escalation resolve sent'),
      onError: (incident, error) => logger.error({ incident, err: error }, 'sending the escalation resolve failed'),
    });
    this.notifier.start();
    // Every resolution this process writes — a verified action, the loop's external one, an
    // operator's close through this process's API — is counted, timed and said once, here.
    this.unsubscribe.push(this.knowledge.incidents.onResolved((incident) => void this.noteResolved(incident).catch((error: unknown) => logger.error({ err: error }, 'reading a resolved incident failed'))));
    // This node's own actions (its agent executes them, for whichever node leads) …
    const localActuator = this.instrument(
      createActuator({
        control: this.localControl,
        get escalation() {
          return live.config.escalation;
        },
        escalationMessage,
        runWorkflow: async (name, input, id, timeoutMs) => (await this.engine.start(name, input, { id })).result({ timeout: timeoutMs }),
        rollback: this.options.rollback ?? ((target) => this.configs.rollback(target)),
        // A remediation command dies with `up` like a supervised process.
        guardProcess: (pid, target) => supervisor.guard(pid, target.service, `command:${target.incidentId}`),
      }),
    );
    // … and the leader's: an action on another node's process is that node's agent's to execute.
    const goneAfterMs = () => live.config.node.goneAfter;
    const actuator = nodeRoutedActuator({
      store,
      self: this.node,
      local: localActuator,
      goneAfterMs,
      actionTimeoutMs: () => live.config.node.actionTimeout,
      syncedWith: async (node, at) => this.agent?.syncedWith(node, at),
    });
    this.agent = new NodeAgent({
      store,
      self: this.node,
      actuator: localActuator,
      goneAfterMs,
      onError: (error, what) => this.warnEvery(error, `node agent: ${what} failed (retrying)`),
      onExecuted: (request, outcome) => logger.info({ request: request.id, incident: request.incidentId, node: this.node.name, ok: outcome.ok }, 'node action executed for the leader'),
    });
    await this.agent.start();
    const workflow = remediationWorkflow({
      knowledge: this.knowledge,
      // Ladders come from the applied config only, by the name of the policy the loop matched.
      appliedPolicy: appliedPolicies(() => live.current),
      guardrails: this.guardrails,
      actuator,
      control: this.control,
      get escalation() {
        return live.config.escalation;
      },
      escalationMessage,
      evidence: (service, instance) => this.evidence(service, instance),
      symptomCleared: (service, symptom) => !this.watch.isFiring(symptom, service),
      fenceAction: async (action, target) => (await this.elector.recordAction(action, target)).token,
    });
    this.remediation = workflow as never;
    // This engine starts and reads runs; remediation runs execute only on the leader's
    // worker (see lead/follow), so a deposed controller never acts.
    this.engine = await Engine.open({ store, workflows: [workflow as never], worker: false });
    if (config.api.enabled) {
      // Loaded only when served: fastify costs every other CLI command a few hundred ms to import.
      const { serveApi } = await import('../api/serve-api.js');
      this.api = await serveApi({
        config: config.api,
        store,
        knowledge: this.knowledge,
        engine: this.engine,
        series: this.watch.series,
        supervisor,
        configs: this.configs,
        // Only the leader's metric rules read pushed series: a follower forwards pushes there.
        // A process holding the term keeps them even while its loop is still starting.
        leadership: { isLeader: () => (this.elector as LeaderElector | undefined)?.isLeader === true, leader: () => store.currentLeader(LEASE, Date.now()) },
        onInternalError: (error, route) => logger.error({ err: error, route }, 'API request failed'),
      });
      this.apiUrl = this.api.url;
    }
    const started = new Map<string, number>();
    this.onEngineEvent = (event) => {
      if (event.type === 'run-started' || event.type === 'run-claimed') started.set(event.runId, Date.now());
      if (event.type === 'worker-error') logger.error({ err: event.error }, event.message);
      // Step names carry the rung (act:0, verify:1): label by the part before the colon.
      if (event.type === 'step-finished') this.m.stepSeconds.observe({ step: event.step.split(':')[0]!, status: event.status }, event.durationMs / 1_000);
      if (event.type === 'run-finished') this.api?.live.publish({ type: 'run-finished', runId: event.runId, workflow: event.workflow, status: event.status });
      if (event.type === 'run-finished' && event.workflow === REMEDIATION_WORKFLOW) {
        const since = started.get(event.runId);
        started.delete(event.runId);
        if (since !== undefined) this.m.remediationSeconds.observe({ status: event.status }, (Date.now() - since) / 1_000);
        void this.onRemediationFinished(event.runId, event.status).catch((error: unknown) => logger.error({ err: error }, 'reading a finished remediation failed'));
      }
    };
    this.unsubscribe.push(
      supervisor.on((event) => {
        if (event.kind === 'process-exited' || event.kind === 'crash-looping') {
          this.recentExits.set(event.instance, { at: event.at, kind: event.kind, data: { ...event } });
          if (this.recentExits.size > 1_000) {
            this.recentExits.delete(this.recentExits.keys().next().value!);
            this.drops.drop('recent-exits');
          }
        }
        const symptom = symptomOf(event);
        if (symptom) this.observe(symptom);
      }),
    );
    this.watch.start();
    this.resources.start();
    this.workflowWatch = new WorkflowWatch({ store, observe: (symptom) => this.observeShared(symptom), onError: (error) => logger.warn({ err: error }, 'reading failed workflow runs failed (retrying)') });
    this.workflowWatch.start();
    this.outboxTimer = setInterval(() => {
      void this.flushOutbox();
      void this.drainNodeSymptoms();
    }, 200);
    this.outboxTimer.unref();
    this.elector = new LeaderElector(store, {
      name: LEASE,
      ...(this.apiUrl ? { apiUrl: config.api.advertiseUrl ?? this.apiUrl } : {}),
      ttlMs: this.options.leaderTtlMs ?? 2_000,
      // A store that fails meanwhile (full disk, lost file) must not become an unhandled
      // rejection that kills `up` and its supervision: say it; the elector tries again.
      onElected: (term) => void this.lead(term.token).catch((error: unknown) => logger.error({ err: error }, 'taking the lead failed')),
      onDeposed: (_term, reason) => void this.follow(reason).catch((error: unknown) => logger.error({ err: error }, 'handing the lead over failed')),
      onError: (error) => logger.warn({ err: error }, 'leader election: store error (retrying)'),
    });
    this.elector.start();
  }

  async stop(): Promise<void> {
    await this.api?.close();
    this.configs.stop();
    this.workflowWatch?.stop();
    this.watch.stop();
    this.resources.stop();
    for (const off of this.unsubscribe) off();
    const loop = this.loop;
    this.loop = undefined;
    await loop?.stop();
    await this.elector.stop();
    clearInterval(this.outboxTimer);
    await this.flushOutbox().catch(() => undefined);
    await this.remediationWorker?.close(2_000);
    await this.agent?.stop();
    await this.notifier?.stop();
    await this.engine.close(2_000);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.drops.close();
  }

  private async lead(token: number): Promise<void> {
    if (this.loop) return;
    const { logger } = this.options;
    this.remediationWorker ??= await Engine.open({ store: this.options.store, workflows: [this.remediation], onEvent: this.onEngineEvent });
    const worker = this.remediationWorker;
    if (!this.elector.term) {
      // Deposed while the worker was opening: hand it back rather than lead without a term.
      this.remediationWorker = undefined;
      await worker.close(0);
      return;
    }
    const config = this.configs.live.config;
    const loop = new AutonomicLoop({
      config,
      knowledge: this.knowledge,
      // Started on the leader's own worker: executed at once, no poll in between.
      engine: worker,
      control: this.control,
      onError: (key, error) => logger.error({ key, err: error }, 'reconcile failed (re-queued)'),
      onDropped: (buffer, count) => this.drops.drop(buffer, count),
      diagnoser: this.diagnoserFor(config),
      onIncidentOpened: (incident, symptom) => this.onOpened(incident, symptom),
      // Swappable: how "healthy now" is decided before a slow retry.
      incidentHealth: symptomsClearedHealth({ knowledge: this.knowledge, control: this.control, symptomCleared: (service, symptom) => !this.watch.isFiring(symptom, service) }),
      onReopened: (incident, symptom) => {
        this.m.reopened.inc({ symptom: symptom.name });
        this.unresolved++;
        this.say(`incident ${incident.id} re-opened: ${symptom.name} on ${symptom.element} came back (see homeostat incident show ${incident.id})`);
      },
      onRetargeted: (incident, from) => this.say(`incident ${incident.id}: root cause is ${incident.element}, not ${from}; remediation targets ${incident.element}`),
      onEscalated: (incident) => {
        this.m.escalated.inc({ reason: 'no-policy' });
        this.say(`incident ${incident.id} on ${incident.element}: no policy matches; escalated`);
      },
    });
    this.loop = loop;
    loop.start();
    this.m.leader.set({}, 1);
    logger.info({ token }, 'elected leader: the loop runs here');
    for (const symptom of [...this.early.splice(0), ...this.outbox.splice(0)]) loop.observe(symptom);
    await loop.resync();
    await this.refreshUnresolved();
    void this.catchUpResolves().catch((error: unknown) => logger.warn({ err: error }, 'sending late escalation resolves failed'));
  }

  /**
   * The resolves a paged incident was due and never got — the process that resolved it died
   * first, or a CLI closed it with `--local` while no `up` ran — sent by the new leader
   * (only the leader, so two nodes do not both send). Incidents resolved in the last day.
   */
  private async catchUpResolves(): Promise<void> {
    const since = Date.now() - RESOLVE_CATCH_UP_MS;
    const resolved = (await this.knowledge.incidents.list({ status: ['resolved'], limit: 500 })).filter((i) => (i.resolvedAt ?? 0) >= since);
    const sent = (await this.notifier?.catchUp(resolved.map((i) => i.id))) ?? 0;
    if (sent > 0) this.options.logger.info({ sent }, 'escalation resolves sent late (resolved while no controller listened)');
  }

  /** Root-cause ranking over the resource and scraped series, for one config version. */
  private diagnoserFor(config: HomeostatConfig): RootCauseDiagnoser {
    return new RootCauseDiagnoser({
      config,
      series: [this.resources.series, this.watch.series],
      stepMs: Math.min(config.resources.sampleEvery, ...config.monitor.scrape.map((target) => target.every)),
      configChanges: () => this.configs.recentChanges(),
      knowledge: this.knowledge,
      replicas: (service) => this.control.instances(service).length,
    });
  }

  private async follow(reason: string): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    this.m.leader.set({}, 0);
    this.options.logger.warn({ reason }, 'no longer the leader: the loop stops here');
    await loop?.stop();
    // Hand remediation runs back at once: the new leader's worker resumes them from their
    // last checkpoint, and an action this process had not yet recorded is taken there.
    const worker = this.remediationWorker;
    this.remediationWorker = undefined;
    await worker?.close(0);
  }

  /** `symptom` is the incident's earliest (the loop opens an incident from its symptoms sorted by time). */
  private onOpened(incident: IncidentRecord, symptom: Symptom): void {
    this.m.opened.inc({ symptom: symptom.name });
    this.m.mttd.observe({ symptom: symptom.name }, Math.max(0, incident.openedAt - symptom.at) / 1_000);
    this.unresolved++;
    this.options.logger.info({ incident: incident.id, element: incident.element, symptom: symptom.name, detectMs: incident.openedAt - symptom.at }, 'incident opened');
    this.say(`incident ${incident.id} opened: ${incident.summary}`);
    void this.configs.noteCandidate(incident).catch((error: unknown) => this.options.logger.warn({ err: error }, 'noting a config change failed'));
  }

  private async onRemediationFinished(runId: string, status: string): Promise<void> {
    const parts = runId.split(':');
    const incidentId = parts.at(-2);
    if (!incidentId) return;
    const incident = await this.knowledge.incidents.get(incidentId);
    if (!incident) return;
    const run = await this.engine.getRun(runId);
    const outcome = run?.output ? ((JSON.parse(run.output) as { outcome?: string }).outcome ?? status) : status;
    this.options.logger.info({ incident: incident.id, run: runId, status, outcome, incidentStatus: incident.status }, 'remediation finished');
    // A resolution is counted and said by the Incidents listener (noteResolved), whoever resolved it.
    if (incident.status !== 'resolved' && outcome === 'escalated') {
      this.m.escalated.inc({ reason: 'ladder-exhausted' });
      this.say(`incident ${incident.id} escalated: ${incident.summary} (see homeostat incident show ${incident.id})`);
    } else if (incident.status !== 'resolved' && outcome === 'dry-run') {
      this.say(`incident ${incident.id}: dry-run, decision recorded, nothing executed`);
    }
    await this.refreshUnresolved();
  }

  /**
   * A resolved incident: counted and timed by how it was resolved, its repair time from its
   * own symptoms (incident-times.ts), said on the console.
   */
  private async noteResolved(incident: IncidentRecord): Promise<void> {
    const explained = await this.knowledge.incidents.explain(incident.id);
    const resolution = incident.resolution ?? 'action';
    const seconds = (explained ? (incidentTimes(explained).repairMs ?? 0) : (incident.resolvedAt ?? Date.now()) - incident.openedAt) / 1_000;
    this.m.resolved.inc({ symptom: incident.symptom, resolution });
    this.m.mttr.observe({ symptom: incident.symptom, resolution }, seconds);
    const how = resolution === 'external' ? 'resolved externally' : resolution === 'operator' ? `closed by ${incident.resolvedBy ?? 'an operator'}` : 'resolved';
    this.say(`incident ${incident.id} ${how} after ${seconds.toFixed(1)} s: ${incident.summary}`);
    await this.refreshUnresolved();
  }

  private async refreshUnresolved(): Promise<void> {
    this.unresolved = (await this.knowledge.incidents.list({ unresolved: true, limit: 10_000 })).length;
  }

  /** Count and time every executed action, and log it. */
  private instrument(actuator: Actuator): Actuator {
    return {
      execute: async (action, target, signal) => {
        const started = performance.now();
        let outcome: ActionOutcome;
        try {
          outcome = await actuator.execute(action, target, signal);
        } catch (error) {
          outcome = { ok: false, detail: `${action.action} threw: ${(error as Error).message}` };
        }
        this.m.actions.inc({ kind: action.action, outcome: outcome.ok ? 'ok' : 'failed' });
        this.m.actionSeconds.observe({ kind: action.action }, (performance.now() - started) / 1_000);
        this.options.logger.info({ incident: target.incidentId, action: action.action, target: target.instance ?? target.service, ok: outcome.ok, detail: outcome.detail }, 'action executed');
        this.say(`  ${action.action} ${target.instance ?? target.service}: ${outcome.detail}`);
        return outcome;
      },
    };
  }

  /** Evidence before a destructive action: the last lines the element wrote, and its latest metrics. */
  private async evidence(service: string, instance?: string): Promise<Record<string, unknown>> {
    const events = await this.options.store.listEvents({ element: service, kinds: ['process-exited', 'crash-looping'], limit: 10 });
    const stored = events.map((e) => ({ at: e.at, kind: e.kind, data: safeParse(e.data) }));
    const live = [...this.recentExits.values()].filter((e) => e.data.element === service);
    const seen = new Set(stored.map((e) => `${e.at}|${String(e.data.instance)}`));
    const exits = [...stored, ...live.filter((e) => !seen.has(`${e.at}|${String(e.data.instance)}`))]
      .sort((a, b) => a.at - b.at)
      .filter((e) => instance === undefined || e.data.instance === instance)
      .slice(-3);
    const lastLines = (exits.at(-1)?.data.lastLines as string[] | undefined) ?? [];
    const metrics: Record<string, number> = {};
    for (const id of this.watch.series.select({ service, ...(instance ? { instance } : {}) }, 30)) {
      const latest = this.watch.series.latest(id.key);
      if (latest) metrics[id.key] = latest.value;
    }
    const states = this.options.supervisor
      .status()
      .filter((s) => s.element === service && (instance === undefined || s.instance === instance))
      .map((s) => ({ instance: s.instance, state: s.state, health: s.health, restarts: s.restarts, rssBytes: s.rssBytes, lastExit: s.lastExit }));
    return { lastLines: lastLines.slice(-20), recentExits: exits.map((e) => ({ at: e.at, kind: e.kind, code: e.data.code ?? null, reason: e.data.reason ?? null })), metrics, states };
  }

  private async serveMetrics(port: number): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.registry.render());
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', leader: this.isLeader }));
      } else {
        res.writeHead(404).end('not found: try /metrics');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new HomeostatError('HS_METRICS_LISTEN', `cannot serve /metrics on 127.0.0.1:${port}: ${error.message} (set monitor.metricsPort, 0 picks a free port)`, { retryable: false, cause: error })));
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.metricsUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
  }

  private say(line: string): void {
    this.options.say?.(line);
  }
}

/** The lease the loop's leader holds; its row names the leader's API. */
const LEASE = 'controller';

/** How far back a new leader looks for resolves that were due and never sent. */
const RESOLVE_CATCH_UP_MS = 24 * 3_600_000;

/** Symptoms kept while another process leads; the oldest are kept, they open the incidents. */
const EARLY_SYMPTOMS = 1_000;

/** A queued symptom read back; undefined when it cannot be read (not from a node of this version). */
function parseSymptom(text: string): Symptom | undefined {
  const parsed = safeParse(text) as Partial<Symptom>;
  if (typeof parsed.name !== 'string' || typeof parsed.element !== 'string' || typeof parsed.at !== 'number') return undefined;
  return { name: parsed.name, element: parsed.element, ...(typeof parsed.instance === 'string' ? { instance: parsed.instance } : {}), at: parsed.at, labels: (parsed.labels ?? {}) as Record<string, string>, signal: (parsed.signal ?? {}) as Record<string, unknown> };
}

function safeParse(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}
