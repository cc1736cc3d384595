import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ExposeConfig } from '../config/schema/expose.js';
import type { HomeostatConfig } from '../config/schema/root.js';
import type { CanaryConfig } from '../config/schema/canary.js';
import type { ServiceConfig } from '../config/schema/services.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import { EventEmitter, type Listener } from '../resilience/events.js';
import type { Random } from '../resilience/random.js';
import type { ElementStateRecord } from '../store/records.js';
import type { ElementStore } from '../store/store.js';
import type { ElementEvent } from './element-events.js';
import { EventWriter } from './event-writer.js';
import { ExternalElement } from './external-element.js';
import { FailoverPair } from './failover.js';
import { externalHeartbeatSecret } from './probes/external-heartbeat-secret.js';
import { stopLeftovers } from './leftover-processes.js';
import { OrphanReaper } from './orphan-reaper.js';
import { ProcessLedger } from './process-ledger.js';
import { HEARTBEAT_SECRET_LENGTH, HeartbeatRegistry, HeartbeatServer } from './probes/heartbeat-probe.js';
import { ReplicaSupervisor, type ReplicaSnapshot } from './replica-supervisor.js';
import { ResourceSampler } from './resource-sampler.js';
import { startInDependencyOrder, stopInReverseDependencyOrder } from './start-order.js';
import { spawnabilityProblems, type ServiceSpawnProblem } from './config-spawnability.js';
import { ServiceSupervisor, type CanaryReplica, type ServiceRole, type SpawnFailure } from './service-supervisor.js';
import { ReloadFailedError, UnknownServiceError } from './supervisor-errors.js';
import { sameSpec } from './service-spec.js';
import { endCanary, startCanary } from './canary-replica.js';

/**
 * What the callers of one replica saw through its front door since the watch began (the
 * front doors' `TrafficWatch`, src/traffic/replica-outcomes.ts): what a canary is judged on.
 */
export interface CallerOutcomesWatch {
  seen(): { requests: number; failures: number; p95LatencyMs: number | undefined };
  stop(): void;
}

export interface SupervisorOptions {
  config: HomeostatConfig;
  /** Folder that relative `cwd`s resolve against (the config file's folder). */
  baseDir: string;
  /** Logs (and the heartbeat socket) go here. */
  stateDir: string;
  /** Where events and element states are written; without it they are only emitted. */
  store?: ElementStore;
  /** Names this supervisor's rows in `element_states` (default `<hostname>:<pid>`). */
  owner?: string;
  clock?: Clock;
  random?: Random;
  /** Store write failures (the supervisor keeps running). */
  onStoreError?: (error: unknown) => void;
  /**
   * Start a reaper process that stops every supervised process should this process be
   * killed (`homeostat up` sets it; see {@link OrphanReaper}). Default false.
   */
  reaper?: boolean;
  /** The reaper or the process ledger failed (supervision goes on, less protected). */
  onGuardError?: (error: unknown) => void;
  /** A reaper that died was replaced and handed every protected group: protection is back. */
  onGuardRestored?: (reaperPid: number | undefined, groups: number) => void;
}

/** One row of `homeostat status`: a replica or an external service, with its service's view. */
export interface ElementStatus extends ReplicaSnapshot {
  element: string;
  kind: 'process' | 'external';
  role: ServiceRole;
  replicas: number;
}

/**
 * Supervises what a config declares: processes (replicas, restarts, probes, resource
 * limits, failover to standbys) and external services (probes only). Every observation
 * is an {@link ElementEvent}, offered to `on(listener)` subscribers and written to the
 * store in batches; element states are saved for `homeostat status`.
 *
 * @example
 * const supervisor = new Supervisor({ config, baseDir, stateDir, store });
 * supervisor.on((event) => console.log(event.kind, event.element));
 * await supervisor.start(); … await supervisor.stop();
 * @example
 * await supervisor.scale('ghost', 2); // throws HS_UNKNOWN_SERVICE
 */
export class Supervisor {
  private readonly events = new EventEmitter<ElementEvent>();
  private readonly services = new Map<string, ServiceSupervisor>();
  private readonly externals = new Map<string, ExternalElement>();
  private readonly failovers: FailoverPair[] = [];
  private readonly heartbeats = new HeartbeatRegistry();
  private heartbeatServer: HeartbeatServer | undefined;
  private readonly sampler = new ResourceSampler();
  private readonly writer: EventWriter | undefined;
  private readonly clock: Clock;
  private readonly owner: string;
  private sampleTimer: NodeJS.Timeout | undefined;
  private stateTimer: NodeJS.Timeout | undefined;
  private stateDirty = true;
  private failoverQueued = false;
  private running = false;
  /** Aborted by {@link stop}: services still waiting for their dependencies are not started. */
  private startup = new AbortController();
  /** The config in force: the constructor's, then each {@link reload}'s. */
  private config: HomeostatConfig;
  /** Live processes in `<stateDir>/processes/`: what the next start-up stops if this process is killed. */
  private readonly ledger: ProcessLedger;
  private reaper: OrphanReaper | undefined;
  private reaperStartedAt = 0;
  private reaperTimer: NodeJS.Timeout | undefined;
  /** Every process group under the reaper's protection, to hand to a replacement reaper. */
  private readonly protectedGroups = new Map<number, { signal: NodeJS.Signals; graceMs: number }>();
  private readonly killAllOnExit = () => {
    for (const service of this.services.values()) for (const replica of service.all) if (replica.pgid) killGroup(replica.pgid);
  };

  constructor(private readonly options: SupervisorOptions) {
    this.config = options.config;
    this.clock = options.clock ?? systemClock;
    this.owner = options.owner ?? `${hostname()}:${process.pid}`;
    if (options.store) this.writer = new EventWriter(options.store, options.onStoreError ? { onError: options.onStoreError } : {});
    this.ledger = new ProcessLedger(options.stateDir, (error) => options.onGuardError?.(error));
  }

  /** Element events dropped unwritten: the store failed for longer than the writer's buffer (10,000 events) lasts. */
  get droppedEvents(): number {
    return this.writer?.dropped ?? 0;
  }

  /**
   * Subscribe to every event, in-process (the control loop's input). Returns a function
   * that unsubscribes.
   */
  on(listener: Listener<ElementEvent>): () => void {
    return this.events.subscribe(listener);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.startup = new AbortController();
    const { config } = this;
    const usesHeartbeats = Object.values(config.services).some((service) => Object.values(service.probes).some((probe) => probe?.heartbeat));
    if (usesHeartbeats) {
      this.heartbeatServer = new HeartbeatServer(this.heartbeats, this.clock);
      await this.heartbeatServer.listen({ port: config.heartbeat.port, socketPath: join(this.options.stateDir, 'heartbeat.sock') });
    }
    process.on('exit', this.killAllOnExit);
    // What a killed predecessor on this state dir left would hold our ports: stop it first.
    for (const leftover of await stopLeftovers(this.options.stateDir)) {
      this.emit({ kind: 'leftover-stopped', at: this.clock.now(), element: leftover.element, instance: leftover.instance, pid: leftover.pid, ownerPid: leftover.ownerPid, stoppedBy: leftover.stoppedBy });
    }
    if (this.options.reaper) this.startReaper();
    for (const [name, service] of Object.entries(config.services)) {
      if (service.url !== undefined) {
        const beats = Object.values(service.probes).some((probe) => probe?.heartbeat);
        const heartbeatSecret = beats ? externalHeartbeatSecret(this.options.stateDir, name) : undefined;
        this.externals.set(name, new ExternalElement(name, service, { clock: this.clock, heartbeats: this.heartbeats, baseDir: this.options.baseDir, emit: this.emit, ...(heartbeatSecret ? { heartbeatSecret } : {}) }));
      } else {
        this.services.set(name, new ServiceSupervisor(name, service, (ctx) => this.newReplica(name, ctx.replica, ctx.port, ctx.config), this.emit, () => this.clock.now()));
      }
    }
    this.pairFailovers();
    for (const external of this.externals.values()) external.start();
    await this.startInOrder([...this.services.keys()], false);
    if (!this.running) return; // stopped while services waited for their dependencies
    const sampleEvery = Math.max(100, config.resources.sampleEvery);
    this.sampleTimer = setInterval(() => this.sample(), sampleEvery);
    this.stateTimer = setInterval(() => void this.saveStates(false), 250);
    this.stateTimer.unref();
    await this.saveStates(true);
  }

  /**
   * Start nothing more that still waits for its dependencies (`up` got SIGINT or SIGTERM
   * while starting): {@link start} returns at once, and the {@link stop} that follows stops
   * what did start, instead of a wait of up to `startup.dependencyTimeout` first.
   */
  abandonStartup(): void {
    this.startup.abort();
  }

  /** Stop every process gracefully (stop signal, then SIGKILL after its grace period). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.startup.abort();
    if (this.sampleTimer) clearInterval(this.sampleTimer);
    if (this.stateTimer) clearInterval(this.stateTimer);
    // Dependents first, so none runs without what it calls (externals are only probed).
    await this.stopInOrder([...this.services.keys()]);
    for (const external of this.externals.values()) external.stop();
    process.removeListener('exit', this.killAllOnExit);
    this.ledger.close();
    if (this.reaperTimer) clearTimeout(this.reaperTimer);
    this.reaper?.close();
    this.reaper = undefined;
    await this.heartbeatServer?.close();
    await this.writer?.flush();
    this.writer?.close();
    await this.saveStates(true);
  }

  /** Change a service's replica count at run time. */
  async scale(service: string, replicas: number): Promise<void> {
    await this.requireService(service).scale(replicas);
    this.stateDirty = true;
  }

  /**
   * Apply another config's services (a new or rolled-back config version): a supervised
   * service whose spec changed is stopped gracefully and started from the new spec — behind
   * a front door (`expose:`) one replica at a time, each taking traffic again before the
   * next goes ({@link ServiceSupervisor.rollTo}; a replica already on the new spec, a canary
   * that passed, is kept) —, an added one starts, a removed one stops; unchanged services
   * (`canary:` aside, see service-spec.ts) are not touched. External
   * services, probes' heartbeat server and resource sampling keep their first config
   * (restart `up` to change those).
   *
   * All or nothing: the new specs are checked first ({@link spawnProblems}) and nothing is
   * stopped when one cannot be spawned; a spawn that fails anyway (a file deleted a moment
   * ago, a shebang naming a missing interpreter) puts the previous config back — its
   * services restarted from their previous spec — and throws `HS_RELOAD_FAILED`.
   * @example await supervisor.reload(parseConfig(text, { file }).config) // { changed: ['api'], added: [], removed: [] }
   * @example await supervisor.reload(withMissingCwd) // throws HS_RELOAD_FAILED; nothing was stopped
   */
  async reload(config: HomeostatConfig): Promise<{ changed: string[]; added: string[]; removed: string[] }> {
    const before = this.config;
    const services = this.reloadPlan(config);
    const { changed, added, removed } = services;
    if (!this.running) {
      this.config = config;
      return services;
    }
    const problems = this.spawnProblems(config);
    if (problems.length > 0) throw new ReloadFailedError(services, [], [], problems);
    this.config = config;
    // Behind a front door, a changed service rolls one replica at a time: its callers never see it down.
    const rolling = changed.filter((name) => config.services[name]!.expose !== undefined && config.services[name]!.replicas > 0);
    const replaced = changed.filter((name) => !rolling.includes(name));
    const failed = await this.rollServices(rolling, config, true);
    if (failed.length === 0) failed.push(...(await this.replaceServices([...replaced, ...removed], [...replaced, ...added], true)));
    this.stateDirty = true;
    if (failed.length === 0) return services;
    // A stop for a reload must not hide a failed start: the previous specs come back.
    this.config = before;
    const notRestored = [...(await this.rollServices(rolling, before, false)), ...(await this.replaceServices([...replaced, ...added], [...replaced, ...removed], false))];
    throw new ReloadFailedError(services, failed, notRestored);
  }

  /**
   * What a {@link reload} to `config` would restart, start and stop: the supervised
   * services whose spec differs, the new ones, the ones no longer there.
   */
  reloadPlan(config: HomeostatConfig): { changed: string[]; added: string[]; removed: string[] } {
    const before = this.config;
    const changed: string[] = [];
    const added: string[] = [];
    const removed: string[] = [];
    const external = (name: string) => config.services[name]?.url !== undefined || this.externals.has(name);
    for (const [name, service] of Object.entries(config.services)) {
      if (external(name)) continue;
      if (!this.services.has(name)) added.push(name);
      else if (!sameSpec(before.services[name], service)) changed.push(name);
    }
    for (const name of this.services.keys()) if (!config.services[name]) removed.push(name);
    return { changed, added, removed };
  }

  /**
   * Why the services a {@link reload} to `config` would (re)start could not be spawned as
   * configured, checked against this supervisor's base folder, environment and the
   * variables it adds; empty when they can.
   */
  spawnProblems(config: HomeostatConfig): ServiceSpawnProblem[] {
    const { changed, added } = this.reloadPlan(config);
    return spawnabilityProblems({ config, baseDir: this.options.baseDir, services: [...changed, ...added], supervisorEnv: (instance) => this.supervisorEnv(instance) });
  }

  /**
   * Stop the services named in `stop`, then start the ones in `start` from `this.config`
   * (roles and failover pairs kept); the replicas that could not be started.
   */
  private async replaceServices(stop: string[], start: string[], trial: boolean): Promise<SpawnFailure[]> {
    const { config } = this;
    const roles = new Map([...this.services].map(([name, service]) => [name, service.role] as const));
    // The order of the config they were started from: `this.config` may already be the next one.
    const stopping = new Map(stop.flatMap((name) => (this.services.has(name) ? [[name, this.services.get(name)!] as const] : [])));
    await stopInReverseDependencyOrder([...stopping.keys()], (name) => stopping.get(name)!.stop(), (name) => stopping.get(name)?.config.dependsOn ?? []);
    for (const name of stopping.keys()) this.services.delete(name);
    for (const name of start) {
      this.services.set(name, new ServiceSupervisor(name, config.services[name]!, (ctx) => this.newReplica(name, ctx.replica, ctx.port, ctx.config), this.emit, () => this.clock.now()));
    }
    this.failovers.length = 0;
    this.pairFailovers();
    for (const [name, role] of roles) {
      const service = this.services.get(name);
      if (service) service.role = role;
    }
    return this.startInOrder(start, trial);
  }

  /** Roll each of `names` to its spec in `config`, one replica at a time (see {@link ServiceSupervisor.rollTo}); the replicas that failed. */
  private async rollServices(names: string[], config: HomeostatConfig, trial: boolean): Promise<SpawnFailure[]> {
    const failed: SpawnFailure[] = [];
    for (const name of names) {
      const service = this.services.get(name);
      const spec = config.services[name];
      if (!service || !spec) continue;
      failed.push(...(await service.rollTo(spec, { readyTimeoutMs: spec.expose?.readyTimeout ?? 30_000, trial, sameSpec })));
      if (trial && failed.length > 0) break;
    }
    return failed;
  }

  /**
   * Start `names` in `dependsOn` order (see {@link startInDependencyOrder}): each after the
   * services it depends on are ready, or after `startup.dependencyTimeout` with a
   * `dependency-timeout` event; the replicas that could not be started.
   */
  private async startInOrder(names: string[], trial: boolean): Promise<SpawnFailure[]> {
    const results = await startInDependencyOrder(names, (name) => this.services.get(name)!.start({ trial }), {
      dependsOn: (name) => this.config.services[name]?.dependsOn ?? [],
      isReady: (name) => this.externals.get(name)?.isReady() ?? this.services.get(name)?.isReady() ?? true,
      timeoutMs: this.config.startup.dependencyTimeout,
      onTimeout: (name, notReady, waitedMs) => this.emit({ kind: 'dependency-timeout', at: this.clock.now(), element: name, dependencies: notReady, waitedMs }),
      now: () => this.clock.now(),
      sleep: (ms, signal) => this.clock.sleep(ms, signal),
      signal: this.startup.signal,
    });
    return [...results.values()].flat();
  }

  /** Stop `names`, dependents before the services they depend on. */
  private async stopInOrder(names: string[]): Promise<void> {
    await stopInReverseDependencyOrder(names, (name) => this.services.get(name)?.stop() ?? Promise.resolve(), (name) => this.services.get(name)?.config.dependsOn ?? []);
  }

  /**
   * Fail the active-passive pair that `service` belongs to (as primary or standby) over to
   * its other side, if that side is healthy. Undefined: no pair, or nowhere healthy to go.
   */
  failover(service: string, reason: string): { from: string; to: string } | undefined {
    const pair = this.failovers.find((p) => p.primary.name === service || p.standby.name === service);
    const switched = pair?.switchover(reason);
    if (switched) this.stateDirty = true;
    return switched;
  }

  /** Which side of the pair `service` belongs to serves now (itself when it has no pair). */
  activeOf(service: string): string {
    const pair = this.failovers.find((p) => p.primary.name === service || p.standby.name === service);
    return pair ? pair.active.name : service;
  }

  /** Restart one replica (or all) of a service: graceful, counted as a restart. */
  restart(service: string, replica?: number): void {
    for (const instance of this.requireService(service).all) {
      if (replica === undefined || instance.instance === `${service}#${replica}`) void instance.restart('requested');
    }
  }

  /**
   * Have planned stops and graceful restarts wait for `drain(service, instance)` first (a
   * front door, src/traffic/, waits there for the replica's in-flight requests).
   */
  drainWith(drain: (service: string, instance: string) => Promise<void>): void {
    this.drainer = drain;
  }

  /** Set by {@link drainWith}. */
  private drainer: ((service: string, instance: string) => Promise<void>) | undefined;

  /**
   * Where a front door for `service` may send a request now: the replicas of the side of its
   * pair that is active (itself without a pair) that take traffic (see
   * {@link ReplicaSupervisor.acceptsTraffic}) and have a port. Read per request, so a
   * failover, a failed readiness or an exit takes effect on the next one.
   */
  routable(service: string): { instance: string; port: number }[] {
    const active = this.services.get(this.activeOf(service));
    if (!active) return [];
    const canary = active.canary;
    return active.all.flatMap((replica) =>
      replica.port !== null && replica.acceptsTraffic() ? [{ instance: replica.instance, port: replica.port, ...(canary?.instance === replica.instance ? { share: canary.share } : {}) }] : [],
    );
  }

  /** A config rollout's canary for `service` on `spec`, sent `share` of its front door's requests (see {@link startCanary} in canary-replica.ts). */
  startCanary(service: string, spec: ServiceConfig, share: number): Promise<{ instance: string; ready: boolean; error?: string }> {
    return startCanary(this.requireService(service), spec, share);
  }

  /** End `service`'s canary (see {@link endCanary} in canary-replica.ts): `keep` it on the new spec, or `revert` it to the spec in force. */
  endCanary(service: string, outcome: 'keep' | 'revert'): Promise<void> {
    return endCanary(this.requireService(service), outcome);
  }

  /** The `canary:` of `service` in the config in force (undefined: none). */
  canaryOf(service: string): CanaryConfig | undefined {
    return this.config.services[service]?.canary;
  }

  /**
   * Mark `canary.instance` as `service`'s canary, sent `canary.share` of its front door's
   * requests (a restart rollout's canary while it is verified); undefined: no canary.
   */
  weighCanary(service: string, canary: CanaryReplica | undefined): void {
    this.requireService(service).canary = canary;
  }

  /**
   * Let {@link watchTraffic} read what a replica's callers see: the front doors
   * (src/traffic/) count each replica's outcomes while it is watched.
   */
  watchTrafficWith(watch: (instance: string) => CallerOutcomesWatch): void {
    this.trafficWatcher = watch;
  }

  /** Watch what the callers of `instance` see from now (undefined: no front door). */
  watchTraffic(instance: string): CallerOutcomesWatch | undefined {
    return this.trafficWatcher?.(instance);
  }

  private trafficWatcher: ((instance: string) => CallerOutcomesWatch) | undefined;

  /** The front door `service` has in the config in force (`expose:`), if any. */
  exposeOf(service: string): ExposeConfig | undefined {
    return this.config.services[service]?.expose;
  }

  /** The replica supervisors of a service (for tests and actuators). */
  replicas(service: string): readonly ReplicaSupervisor[] {
    return this.requireService(service).all;
  }

  /** Which side of an active-passive pair serves. */
  roleOf(service: string): ServiceRole {
    return this.services.get(service)?.role ?? 'active';
  }

  status(): ElementStatus[] {
    const rows: ElementStatus[] = [];
    for (const [name, service] of this.services) {
      for (const snapshot of service.snapshots()) rows.push({ ...snapshot, element: name, kind: 'process', role: service.role, replicas: service.replicaCount });
    }
    for (const [name, external] of this.externals) rows.push({ ...external.snapshot(), element: name, kind: 'external', role: 'active', replicas: 1 });
    return rows;
  }

  /** Write pending events to the store now. */
  async flush(): Promise<void> {
    await this.writer?.flush();
    await this.saveStates(true);
  }

  private pairFailovers(): void {
    for (const [name, service] of Object.entries(this.config.services)) {
      const primary = this.services.get(name);
      const standby = service.standby ? this.services.get(service.standby.service) : undefined;
      if (primary && standby) this.failovers.push(new FailoverPair(primary, standby, service.standby!.after, this.clock, this.emit));
    }
  }

  private requireService(name: string): ServiceSupervisor {
    const service = this.services.get(name);
    if (!service) throw new UnknownServiceError(name, [...this.services.keys()]);
    return service;
  }

  private newReplica(service: string, replica: number, port: number | null, config: ServiceConfig): ReplicaSupervisor {
    return new ReplicaSupervisor({
      service,
      replica,
      port,
      config,
      baseDir: this.options.baseDir,
      stateDir: this.options.stateDir,
      clock: this.clock,
      random: this.options.random ?? Math.random,
      heartbeats: this.heartbeats,
      supervisorEnv: (instance, heartbeatSecret) => this.heartbeatServer?.envFor(instance, heartbeatSecret) ?? {},
      emit: this.emit,
      drain: (instance) => this.drainer?.(service, instance) ?? Promise.resolve(),
    });
  }

  /**
   * The variables a replica gets from the supervisor (its heartbeat endpoint), as the
   * spawn check sees them: the real secret is made at each spawn, and a stand-in of the
   * same length keeps the size check exact.
   */
  private supervisorEnv(instance: string): Record<string, string> {
    return this.heartbeatServer?.envFor(instance, 'x'.repeat(HEARTBEAT_SECRET_LENGTH)) ?? {};
  }

  private readonly emit = (event: ElementEvent): void => {
    this.stateDirty = true;
    this.track(event);
    this.writer?.push(event);
    this.events.emit(event);
    if (this.failovers.length > 0 && !this.failoverQueued) {
      this.failoverQueued = true;
      queueMicrotask(() => {
        this.failoverQueued = false;
        for (const pair of this.failovers) pair.evaluate();
      });
    }
  };

  /**
   * Protect a process this one started outside the supervision (a remediation `command`'s
   * process group) like a supervised one: the reaper stops it if this process is killed,
   * and the ledger lets the next start-up stop it. Returns the function to call once it exited.
   * @example const release = supervisor.guard(child.pid, 'api', 'command:inc-1'); child.on('close', release);
   */
  guard(pgid: number, element: string, instance: string): () => void {
    const graceMs = 2_000;
    this.protect(pgid, 'SIGTERM', graceMs);
    this.ledger.add({ element, instance, pid: pgid, stopSignal: 'SIGTERM', graceMs });
    return () => {
      this.unprotect(pgid);
      this.ledger.remove(pgid);
    };
  }

  /**
   * Start a reaper and hand it every protected group. One that dies while this process
   * lives (killed by someone, crashed) is replaced, at most one every 10 s.
   */
  private startReaper(): void {
    this.reaperTimer = undefined;
    if (!this.running) return;
    this.reaperStartedAt = Date.now();
    const reaper = OrphanReaper.start(this.options.stateDir, (error) => {
      this.options.onGuardError?.(error);
      if (!this.running || this.reaper !== reaper || this.reaperTimer) return;
      this.reaperTimer = setTimeout(() => this.startReaper(), Math.max(0, this.reaperStartedAt + 10_000 - Date.now()));
      this.reaperTimer.unref();
    });
    const replacing = this.reaper !== undefined;
    this.reaper = reaper;
    for (const [pgid, group] of this.protectedGroups) reaper.add(pgid, group.signal, group.graceMs);
    // Said after the groups were handed over: from here a SIGKILL of this process is covered again.
    if (replacing) this.options.onGuardRestored?.(reaper.pid, this.protectedGroups.size);
  }

  private protect(pgid: number, signal: NodeJS.Signals, graceMs: number): void {
    this.protectedGroups.set(pgid, { signal, graceMs });
    this.reaper?.add(pgid, signal, graceMs);
  }

  private unprotect(pgid: number): void {
    this.protectedGroups.delete(pgid);
    this.reaper?.remove(pgid);
  }

  /** Keep the reaper and the ledger in step with the processes that run (synchronously: before a SIGKILL can land). */
  private track(event: ElementEvent): void {
    if (event.kind === 'process-spawned') {
      const service = this.config.services[event.element];
      const stopSignal = service?.stopSignal ?? 'SIGTERM';
      const graceMs = service?.gracePeriod ?? 5_000;
      this.protect(event.pid, stopSignal, graceMs);
      this.ledger.add({ element: event.element, instance: event.instance, pid: event.pid, stopSignal, graceMs });
    } else if (event.kind === 'process-exited') {
      this.unprotect(event.pid);
      this.ledger.remove(event.pid);
    }
  }

  private sample(): void {
    const now = this.clock.now();
    const byGroup = new Map<number, ReplicaSupervisor>();
    for (const service of this.services.values()) for (const replica of service.all) if (replica.pgid) byGroup.set(replica.pgid, replica);
    if (byGroup.size > 0) {
      const usage = this.sampler.sample(byGroup.keys());
      for (const [pgid, replica] of byGroup) replica.onUsage(usage.get(pgid), now);
    }
    // Failover may wait for `after`: re-check on the sampling tick too.
    for (const pair of this.failovers) pair.evaluate();
  }

  private lastSavedAt = 0;

  private async saveStates(force: boolean): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    const now = this.clock.now();
    // Dirty states go out within 250 ms; otherwise refresh every 2 s (status shows staleness).
    if (!force && !this.stateDirty && now - this.lastSavedAt < 2_000) return;
    this.stateDirty = false;
    this.lastSavedAt = now;
    const rows: ElementStateRecord[] = this.status().map((status) => {
      const { instance, element, state, health, ...data } = status;
      return { instance, element, owner: this.owner, state: this.running ? state : 'stopped', health: this.running ? health : '-', data: JSON.stringify(data), updatedAt: now };
    });
    try {
      await store.saveElementStates(this.owner, rows);
    } catch (error) {
      this.options.onStoreError?.(error);
    }
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
