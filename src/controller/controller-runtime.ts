import { scrapeHealth } from './runtime/scrape-health.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { HomeostatConfig } from '../config/schema/root.js';
import type { Symptom } from '../analyze/symptom.js';
import type { ActionOutcome, ActionTarget } from '../execute/actuators.js';
import { supervisorControl, type ElementControl } from '../execute/element-control.js';
import { escalationMessage } from '../execute/escalation-message.js';
import type { EscalationNotifier } from '../execute/escalation-notifier.js';
import type { EscalationMessage } from '../execute/escalation-payloads.js';
import { DELIVERY_OUTCOMES, webhookSender } from '../execute/webhook-sender.js';
import { nodeRoutedControl } from '../execute/node-routed-control.js';
import { appliedPolicies, remediationWorkflow } from '../execute/remediation-workflow.js';
import { agentActionWorkflow } from '../execute/agent-action-workflow.js';
import type { ServedApi } from '../api/serve-api.js';
import type { AuditAnchorOptions } from '../knowledge/audit-head.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { TimeSeriesStore } from '../monitor/time-series.js';
import { Guardrails } from '../plan/guardrails.js';
import type { Store } from '../store/store.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Logger } from '../telemetry/logger.js';
import { startTracing, type Tracing } from '../telemetry/tracing.js';
import type { DropCounter } from '../telemetry/drop-counter.js';
import { MetricsRegistry } from '../telemetry/metrics.js';
import { Engine } from '../workflow/engine.js';
import type { AutonomicLoop } from './autonomic-loop.js';
import { ConfigManager } from './config-manager.js';
import { symptomOf } from './element-symptoms.js';
import { MetricWatch } from './metric-watch.js';
import { PromqlWatch } from './promql-watch.js';
import { promqlHistory } from './promql-history.js';
import type { NodeAgent } from './node-agent.js';
import { nodeIdentity, type NodeIdentity } from './node-identity.js';
import { ResourceSeries } from './resource-series.js';
import { RootCauseDiagnoser } from './root-cause-diagnoser.js';
import { ActionEvidence } from './runtime/action-evidence.js';
import { engineEventDispatcher } from './runtime/engine-event-dispatcher.js';
import { escalationResolves } from './runtime/escalation-resolves.js';
import { IncidentAccounting } from './runtime/incident-accounting.js';
import { leaderLoop } from './runtime/leader-loop.js';
import { Leadership } from './runtime/leadership.js';
import { nodeActuation } from './runtime/node-actuation.js';
import { serveMetrics, type MetricsServer } from './runtime/metrics-server.js';
import { runtimeDrops } from './runtime/runtime-drops.js';
import { providerMetrics } from './runtime/provider-metrics.js';
import { manualProviders } from '../execute/manual-provider-state.js';
import { healthMetrics } from './runtime/health-metrics.js';
import { memoryMetrics, runtimeMetrics } from './runtime/runtime-metrics.js';
import { symptomIntake } from './runtime/symptom-intake.js';
import { countedAlerts } from './runtime/counted-alerts.js';
import { assumeOpenAlertSymptoms } from './runtime/open-alert-symptoms.js';
import { alertReception } from '../api/alerts/alert-intake.js';
import { SymptomOutbox } from './runtime/symptom-outbox.js';
import { throttledWarning } from './runtime/throttled-warning.js';
import { ProviderWatch } from './provider-watch.js';
import { AgentWatch } from './agent-watch.js';
import { AGENT_DISSENTING, AGENT_UNRESPONSIVE, isAgentElement } from '../analyze/agent-element.js';
import { isProviderElement, PROVIDER_DEGRADED, PROVIDER_RECOVERED } from '../analyze/provider-element.js';
import { WorkflowWatch } from './workflow-watch.js';
import { Autoscaler } from './autoscaler.js';
import { manualScaling } from './runtime/manual-scaling.js';
import { loadRunbookModules, warnUnknownRunbooks } from './runtime/runbook-modules.js';
import { redriveIncidentRuns } from '../execute/redrive-runs.js';

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

/** The lease the loop's leader holds; its row names the leader's API. */
const LEASE = 'controller';

/** The pieces of a started runtime, built in dependency order by {@link ControllerRuntime.start}. */
interface Started {
  tracing: Tracing;
  knowledge: Knowledge;
  registry: MetricsRegistry;
  watch: MetricWatch;
  promql: PromqlWatch;
  drops: DropCounter;
  resources: ResourceSeries;
  node: NodeIdentity;
  configs: ConfigManager;
  metricsServer: MetricsServer;
  api: ServedApi | undefined;
  engine: Engine;
  leadership: Leadership<AutonomicLoop>;
  outbox: SymptomOutbox;
  agent: NodeAgent;
  notifier: EscalationNotifier;
  workflowWatch: WorkflowWatch;
  /** Every subscription to undo on stop. */
  unsubscribe: (() => void)[];
  observe: (symptom: Symptom) => void;
}

/**
 * The whole autonomic loop in one process, as `homeostat up` runs it: the supervisor's
 * events and the metric rules feed symptoms to an {@link AutonomicLoop} that runs only
 * while this process is the leader ({@link Leadership}, SQLite or PostgreSQL); remediations
 * run as durable workflows on an engine worker over the same store; homeostat's own
 * metrics are served at `/metrics` on 127.0.0.1; pino logs every decision. Several `up`
 * may share one store, each a node supervising its own processes: every symptom carries
 * its node (`labels.node`), a follower queues its symptoms in the store for the leader's
 * loop ({@link SymptomOutbox}), and an action on a node's process is executed by that
 * node's {@link NodeAgent} (see node-routed-actuator.ts and docs/architecture.md, "Several
 * nodes on one store"). This file is the wiring; each concern is a unit in `runtime/`.
 *
 * @example
 * const runtime = await ControllerRuntime.start({ loaded, store, supervisor, logger });
 * console.log(runtime.metricsUrl); … await runtime.stop();
 * @example
 * runtime.observe({ name: 'process-crashed', element: 'api', … }) // as if the supervisor saw it
 */
export class ControllerRuntime {
  readonly knowledge: Knowledge;
  readonly registry: MetricsRegistry;
  readonly watch: MetricWatch;
  /** Every bounded buffer's drops: `homeostat_dropped_total{buffer}`, and a warning per buffer at most every 10 s. */
  readonly drops: DropCounter;
  /** The supervisor's CPU and RSS per process, for root-cause ranking. */
  readonly resources: ResourceSeries;
  /** This node: its name in symptoms and action requests, and this run of it. */
  readonly node: NodeIdentity;
  /** Config versions: stored, applied on file change, marked good, rolled back. */
  readonly configs: ConfigManager;
  readonly metricsUrl: string;
  /** The HTTP API's address (`api:` in the config); '' when disabled. */
  readonly apiUrl: string;

  private constructor(private readonly started: Started) {
    ({ knowledge: this.knowledge, registry: this.registry, watch: this.watch, drops: this.drops, resources: this.resources, node: this.node, configs: this.configs } = started);
    this.metricsUrl = started.metricsServer.url;
    this.apiUrl = started.api?.url ?? '';
  }

  static async start(options: ControllerRuntimeOptions): Promise<ControllerRuntime> {
    const { loaded, store, supervisor, logger } = options;
    const { config } = loaded;
    // First: a runbook module that does not load refuses the start before anything runs.
    const runbooks = await loadRunbookModules(loaded);
    const say = (line: string) => options.say?.(line);
    // Traces as the OTEL_* variables say (off by default; docs/integrations.md). A variable
    // it cannot follow is logged and said, and `up` runs on untraced rather than exiting.
    // With the context manager: the loop's spans (remediation → guardrails, actions, webhooks)
    // and its log lines follow the active span through its async code; `up` runs few
    // workflows, so the promise tax it costs (telemetry/tracing.ts) is small here.
    const tracing = await startTracing({
      contextManager: true,
      onInvalid: (error) => {
        logger.error({ err: error, variable: error.variable }, 'tracing stays off: an OTEL_* variable cannot be followed');
        say(`homeostat up: ${error.message} (tracing stays off)`);
      },
    });
    if (tracing.on) logger.info('tracing on: spans exported over OTLP/HTTP as the OTEL_* variables say');
    const registry = new MetricsRegistry();
    const metrics = runtimeMetrics(registry);
    const knowledge = new Knowledge(store, Date.now, options.auditAnchor);
    const node = nodeIdentity(options.node ?? config.node.name, loaded.stateDir);
    // This node's own processes (its supervisor, or the control a test brings).
    const localControl = options.control ?? supervisorControl(supervisor);
    const guardrails = new Guardrails(config.guardrails, knowledge);
    const series = new TimeSeriesStore({ retentionMs: config.monitor.retention, maxSeries: config.monitor.maxSeries });
    memoryMetrics(registry, series);
    const resources = new ResourceSeries(supervisor, { everyMs: config.resources.sampleEvery, retentionMs: config.monitor.retention });
    let api: ServedApi | undefined;
    const drops = runtimeDrops(registry, { logger, elementEvents: () => supervisor.droppedEvents, metricSeries: series, resourceSeries: resources.series, liveEvents: () => api?.live.dropped ?? 0 });
    // One warning per 10 s for the node's store round trips (outbox, agent): a failing store fails them all.
    const warn = throttledWarning(logger);
    const outbox = new SymptomOutbox({ store, node: node.name, onDropped: () => drops.drop('early-symptoms'), warn });
    const intake = symptomIntake({ node: node.name, symptoms: metrics.symptoms, logger, outbox });
    const scrapes = scrapeHealth(registry, { logger });
    const watch = new MetricWatch({
      config,
      series,
      endpoints: (service) => supervisor.status().filter((s) => s.element === service && s.kind === 'process').map((s) => ({ instance: s.instance, port: s.port })),
      observe: intake.observe,
      onScrape: (result) => {
        metrics.scrapes.inc({ outcome: result.ok ? 'ok' : result.limit ? `${result.limit}_limit` : 'failed' });
        scrapes.record(result);
      },
      onCleared: (rule, instance, value) => logger.info({ rule, instance, value }, 'metric rule cleared'),
    });
    // Alertmanager's alerts as symptoms (POST /api/alerts/alertmanager): counted by outcome,
    // and an alert that maps to no element logged with why.
    const alertsReceived = registry.counter('homeostat_alerts_received_total', 'Alerts posted by Alertmanager, by outcome (fired, resolved, duplicate, ignored).');
    const alerts = alertReception(
      {
        config: config.alerts,
        elements: {
          isService: (name) => Object.hasOwn(configs.live.config.services, name),
          replicas: (service) => supervisor.status().filter((s) => s.element === service && s.kind === 'process').map((s) => ({ instance: s.instance, ...(typeof s.port === 'number' ? { port: s.port } : {}) })),
        },
        observe: intake.observe,
        onIgnored: (alert) => logger.warn({ fingerprint: alert.fingerprint, reason: alert.reason }, `alert ignored: ${alert.detail}`),
      },
      process.env,
    );
    const alertIntake = countedAlerts(alerts, alertsReceived);
    const promqlWarning = throttledWarning(logger);
    const promqlQueries = registry.counter('homeostat_promql_queries_total', 'PromQL rule queries to prometheus.url, by rule and outcome (ok, failed: the rule is unknown until one answers).');
    const promql = new PromqlWatch({
      config,
      observe: intake.observe,
      onQuery: (rule, outcome, error) => {
        promqlQueries.inc({ rule, outcome });
        // One warning per 10 s: a Prometheus that is down fails every rule's query each `every`.
        if (error) promqlWarning(new Error(error), `PromQL rule ${rule}: query failed (the rule is unknown until one answers)`);
      },
      onCleared: (rule, series, value) => logger.info({ rule, series, value }, 'PromQL rule cleared'),
    });
    // A symptom clears when its metric rule and its PromQL rule stopped firing (an unknown PromQL
    // rule counts as firing) and no alert of that name fires on the service.
    // A model provider's symptoms clear by what its callers see (provider-watch.ts).
    const symptomCleared = (service: string, symptom: string) =>
      isProviderElement(service) && (symptom === PROVIDER_DEGRADED || symptom === PROVIDER_RECOVERED)
        ? providerWatch.cleared(service, symptom)
        : isAgentElement(service) && (symptom === AGENT_UNRESPONSIVE || symptom === AGENT_DISSENTING)
          ? agentWatch.cleared(service, symptom)
          : !watch.isFiring(symptom, service) && !promql.isFiring(symptom, service) && !alerts.isFiring(service, symptom);
    const leadership = new Leadership<AutonomicLoop>({ store, lease: LEASE, outbox, leaderGauge: metrics.leader, logger });
    const metricsServer = await serveMetrics({ port: config.monitor.metricsPort, registry, isLeader: () => leadership.isLeader });
    const accounting = new IncidentAccounting({ knowledge, metrics, readRun: (runId) => store.getRun(runId), logger, say });
    const configs = await ConfigManager.start({ loaded, knowledge, supervisor, canaries: supervisor, guardrails, logger, say, quiet: () => accounting.unresolved === 0 && !watch.anyFiring(), observe: intake.observe });
    // Everything that decides reads the applied version when it decides: a new version is enforced whole.
    const live = configs.live;
    // Model providers with `element:` as loop elements: their attempts, whichever process made
    // them, read from the store; only the leader's loop takes their symptoms, only it probes.
    const providerWatch = new ProviderWatch({
      models: () => live.config.models,
      store,
      series,
      observe: intake.observeShared,
      isLeader: () => leadership.isLeader,
      onError: (error) => warn(error, 'reading model attempts for the providers\' series failed (retrying)'),
    });
    // Agents as loop elements (`agentElements`): the registry and the quorum votes, read from
    // the store whichever node's API the agents talk to; only the leader's loop takes their symptoms.
    const agentWatch = new AgentWatch({
      element: () => live.config.agentElements,
      store,
      observe: intake.observeShared,
      onError: (error) => warn(error, 'reading the agents for the loop failed (retrying)'),
    });
    providerMetrics(registry, () => providerWatch.latestReadings());
    const incidentsWarning = throttledWarning(logger);
    const health = healthMetrics(registry, {
      status: () => supervisor.status(),
      rules: () => Object.entries(live.config.symptoms).map(([rule, definition]) => ({ rule, element: definition.service })),
      firing: () => [...watch.firingRules(), ...promql.firingRules()],
      unresolved: () => knowledge.incidents.list({ unresolved: true, limit: 10_000 }),
      // Its own throttle: a failing read must not silence the outbox's and agent's warnings.
      onError: (error) => incidentsWarning(error, 'reading unresolved incidents for homeostat_incidents failed (retrying)'),
    });
    // Every outgoing webhook (pages, resolves, `webhook` rungs): signed, retried, counted, and a dead letter recorded when a target stays down.
    const deliveries = registry.counter('homeostat_webhook_deliveries_total', 'Outgoing webhook deliveries (pages, resolves, webhook actions), by outcome: delivered, dead-lettered (still failing after the last attempt: see the incident\'s dead-letter entry), aborted (stopped by the stop of up).');
    // Every outcome from the start at 0: an `increase(…{outcome="dead-lettered"}[15m]) > 0` alert sees the first one.
    for (const outcome of DELIVERY_OUTCOMES) deliveries.inc({ outcome }, 0);
    const webhooks = webhookSender({ incidents: knowledge.incidents, audit: knowledge.audit, onOutcome: (outcome) => deliveries.inc({ outcome }) });
    const message = (id: string, severity: EscalationMessage['severity']) => escalationMessage({ knowledge, publicUrl: config.api.publicUrl }, id, severity);
    // A `workflow` action starts its workflow on the engine opened below, which needs the remediation that runs the action.
    let engineOpened: (engine: Engine) => void = () => undefined;
    const openedEngine = new Promise<Engine>((resolve) => (engineOpened = resolve));
    const actuation = nodeActuation({
      store,
      self: node,
      control: localControl,
      applied: () => live.config,
      escalationMessage: message,
      webhooks,
      runWorkflow: async (name, input, id, timeoutMs) => (await (await openedEngine).start(name, input, { id })).result({ timeout: timeoutMs }),
      redriveRuns: async (incidentId, timeoutMs, signal) => redriveIncidentRuns({ knowledge, engine: await openedEngine }, incidentId, timeoutMs, signal),
      rollback: options.rollback ?? ((target) => configs.rollback(target)),
      // A remediation command dies with `up` like a supervised process.
      guardProcess: (pid, target) => supervisor.guard(pid, target.service, `command:${target.incidentId}`),
      // `drain` and `restore` write the store every worker making model calls reads.
      providers: { store, known: () => Object.keys(live.config.models.providers) },
      // `quarantine`, `release` and `replace` write the store every dispatcher's claim reads;
      // `restart` and `replace` of an agent restart the process the applied config names for it.
      agents: { store, processes: () => live.config.agentElements?.processes ?? {} },
      metrics,
      logger,
      say,
      warn,
    });
    // What the loop and the remediations read: this node's processes, with the other live nodes' health.
    const control = nodeRoutedControl(localControl, () => actuation.agent.others);
    const diagnoserFor = (applied: HomeostatConfig) =>
      new RootCauseDiagnoser({
        config: applied,
        series: [resources.series, watch.series],
        stepMs: Math.min(applied.resources.sampleEvery, ...applied.monitor.scrape.map((target) => target.every)),
        configChanges: () => configs.recentChanges(),
        knowledge,
        replicas: (service) => control.instances(service).length,
        // The scope's PromQL rules, read back from Prometheus: ranked like scraped series.
        ...(applied.prometheus && Object.values(applied.symptoms).some((rule) => rule.query !== undefined)
          ? {
              promql: async (services, fromMs, nowMs, stepMs) => {
                const { store, failed } = await promqlHistory(applied, { services, fromMs, nowMs, stepMs });
                for (const { rule, error } of failed) promqlWarning(new Error(error), `PromQL rule ${rule}: its history for root-cause ranking could not be read (ranked without it)`);
                return store;
              },
            }
          : {}),
      });
    const unsubscribe = [
      live.onChange((next) => {
        guardrails.reconfigure(next.config.guardrails);
        watch.reconfigure(next.config);
        promql.reconfigure(next.config);
        const loop = leadership.loop;
        if (loop) void loop.reconfigure(next.config, diagnoserFor(next.config)).catch((error: unknown) => logger.error({ err: error }, 'reconfiguring the loop failed'));
        logger.info({ version: next.version, source: next.source }, 'config version enforced: policies, guardrails, escalation, rules and scrapes follow it');
      }),
    ];
    const resolves = escalationResolves({ knowledge, escalation: () => live.config.escalation, escalationMessage: message, webhooks, logger });
    // Every resolution this process writes — a verified action, the loop's external one, an
    // operator's close through this process's API — is counted, timed and said once, here.
    unsubscribe.push(knowledge.incidents.onResolved((incident) => void accounting.resolved(incident).catch((error: unknown) => logger.error({ err: error }, 'reading a resolved incident failed'))));
    unsubscribe.push(knowledge.incidents.onResolved(() => void health.refresh()), () => health.stop());
    await actuation.agent.start();
    const evidence = new ActionEvidence({ store, series: watch.series, status: () => supervisor.status(), onDropped: () => drops.drop('recent-exits') });
    const remediation = remediationWorkflow({
      knowledge,
      // Ladders come from the applied config only, by the name of the policy the loop matched.
      appliedPolicy: appliedPolicies(() => live.current),
      guardrails,
      actuator: actuation.routed,
      control,
      get escalation() {
        return live.config.escalation;
      },
      escalationMessage: message,
      webhooks,
      evidence: (service, instance) => evidence.gather(service, instance),
      symptomCleared,
      // A PromQL rule symptom whose query is unanswered makes verification unknown, not failing.
      symptomUnknown: (service, symptom) => promql.unknownReason(symptom, service),
      // The Prometheus of the applied config: a policy's `verify.checks` ask it.
      prometheus: () => live.config.prometheus,
      fenceAction: async (action, target) => (await leadership.recordAction(action, target)).token,
      agentProcess: (agent) => live.config.agentElements?.processes?.[agent],
    });
    // This engine starts and reads runs; remediation runs execute only on the leader's
    // worker (see leadership.ts), so a deposed controller never acts.
    // Agents' action requests run on the leader's worker beside the runbooks, through the same actuator as remediations.
    const workflows = [...runbooks, agentActionWorkflow({ knowledge, actuator: actuation.routed }) as unknown as (typeof runbooks)[number]];
    const engine = await Engine.open({ store, workflows: [remediation, ...workflows], worker: false });
    engineOpened(engine);
    await warnUnknownRunbooks(loaded, store, runbooks, (line) => {
      logger.warn(line);
      say(`warning: ${line}`);
    });
    if (config.api.enabled) {
      // Loaded only when served: fastify costs every other CLI command a few hundred ms to import.
      const { serveApi } = await import('../api/serve-api.js');
      api = await serveApi({
        config: config.api,
        store,
        knowledge,
        engine,
        series: watch.series,
        supervisor,
        configs,
        // Only the leader's metric rules read pushed series: a follower forwards pushes there.
        // A process holding the term keeps them even while its loop is still starting.
        leadership: { isLeader: () => leadership.holdsTerm, leader: () => store.currentLeader(LEASE, Date.now()) },
        alerts: alertIntake,
        agentAllowLists: () => live.config.agents,
        scaling: manualScaling({ control: localControl, config: () => live.config, audit: (actor, action, target, data) => knowledge.audit.append(actor, action, target, data) }),
        providers: manualProviders({ store, providers: () => Object.keys(live.config.models.providers), audit: (actor, action, target, data) => knowledge.audit.append(actor, action, target, data), now: Date.now }),
        onInternalError: (error, route) => logger.error({ err: error, route }, 'API request failed'),
      });
    }
    const onEngineEvent = engineEventDispatcher({
      stepSeconds: metrics.stepSeconds,
      remediationSeconds: metrics.remediationSeconds,
      logger,
      onRunFinished: (event) => api?.live.publish({ type: 'run-finished', runId: event.runId, workflow: event.workflow, status: event.status }),
      onRemediationFinished: (runId, status) => accounting.remediationFinished(runId, status),
    });
    unsubscribe.push(
      supervisor.on((event) => {
        evidence.remember(event);
        const symptom = symptomOf(event);
        if (symptom) intake.observe(symptom);
      }),
    );
    // Replicas from load: only the leader scales, through the guardrails, audited and verified.
    const autoscaler = new Autoscaler({
      config: () => live.config,
      series: watch.series,
      control: localControl,
      guardrails,
      audit: (actor, action, target, data) => knowledge.audit.append(actor, action, target, data),
      isLeader: () => leadership.isLeader,
      say,
      onError: (error, service) => warn(error, `autoscaling ${service} failed (retrying)`),
    });
    autoscaler.start();
    unsubscribe.push(() => void autoscaler.stop());
    watch.start();
    providerWatch.start();
    unsubscribe.push(() => providerWatch.stop());
    agentWatch.start();
    unsubscribe.push(() => agentWatch.stop());
    promql.start();
    resources.start();
    // Failed workflow runs are about no node's processes: only the leader's loop takes them.
    const workflowWatch = new WorkflowWatch({ store, observe: intake.observeShared, onError: (error) => logger.warn({ err: error }, 'reading failed workflow runs failed (retrying)') });
    workflowWatch.start();
    outbox.start();
    // Before this process can lead: what fired before it started still fires until Alertmanager says otherwise.
    const assumeAlerts = () => assumeOpenAlertSymptoms(knowledge, alerts).catch((error: unknown) => logger.warn({ err: error }, 'reading the open incidents\' alert symptoms failed'));
    await assumeAlerts();
    leadership.campaign({
      ...(api ? { apiUrl: config.api.advertiseUrl ?? api.url } : {}),
      ttlMs: options.leaderTtlMs ?? 2_000,
      remediation,
      runbooks: workflows,
      onEngineEvent,
      newLoop: leaderLoop({ configs, knowledge, control, diagnoserFor, accounting, symptomCleared, drops, logger, webhooks }),
      onLed: async () => {
        await assumeAlerts();
        await accounting.refresh();
        void resolves.sendLate().catch((error: unknown) => logger.warn({ err: error }, 'sending late escalation resolves failed'));
      },
    });
    return new ControllerRuntime({ tracing, knowledge, registry, watch, promql, drops, resources, node, configs, metricsServer, api, engine, leadership, outbox, agent: actuation.agent, notifier: resolves.notifier, workflowWatch, unsubscribe, observe: intake.observe });
  }

  /**
   * A symptom of this node's own processes, from the supervisor, a metric rule or a test:
   * it carries this node (`labels.node`). The leader's loop gets it at once; a follower
   * queues it in the store, where the leader takes it from.
   */
  observe(symptom: Symptom): void {
    this.started.observe(symptom);
  }

  get isLeader(): boolean {
    return this.started.leadership.isLeader;
  }

  async stop(): Promise<void> {
    const { api, configs, workflowWatch, watch, promql, resources, unsubscribe, leadership, outbox, agent, notifier, engine, metricsServer, drops, tracing } = this.started;
    await api?.close();
    configs.stop();
    workflowWatch.stop();
    watch.stop();
    promql.stop();
    resources.stop();
    for (const off of unsubscribe) off();
    await leadership.stop();
    await outbox.stop();
    await leadership.closeWorker(2_000);
    await agent.stop();
    await notifier.stop();
    await engine.close(2_000);
    await metricsServer.close();
    drops.close();
    // After every engine closed: the last reference flushes the spans still batched.
    await tracing.stop();
  }
}
