import type { Clock, Timer } from '../resilience/clock.js';
import { startTimer } from '../resilience/clock.js';
import type { Random } from '../resilience/random.js';
import type { ServiceConfig } from '../config/schema/services.js';
import type { ProbeName } from '../config/schema/probes.js';
import { buildProbe } from './build-probe.js';
import { CrashLoopDetector } from './crash-loop.js';
import type { ElementEvent, ExitReason } from './element-events.js';
import { ReplicaLogFiles, replicaLogDir } from './log-files.js';
import { ProbeRunner } from './probe-runner.js';
import { ProcessInstance, type ProcessExit, type ProcessSpec } from './process-instance.js';
import { buildProcessSpec } from './process-spec.js';
import type { HeartbeatRegistry } from './probes/heartbeat-probe.js';
import type { GroupUsage } from './resource-sampler.js';
import { cpuPercent } from './resource-sampler.js';
import { RestartPolicy } from './restart-policy.js';

/** Without a startup probe: how long liveness failures are not counted before its first pass. */
export const LIVENESS_STARTUP_GRACE_MS = 10_000;

/** Where a replica is in its life. */
export type ReplicaPhase = 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'exited' | 'failed';

/** What the status table shows for one replica (and what is saved to the store). */
export interface ReplicaSnapshot {
  instance: string;
  replica: number;
  /** The phase, or `crash-looping` while the crash-loop symptom holds. */
  state: ReplicaPhase | 'crash-looping';
  health: string;
  pid: number | null;
  port: number | null;
  restarts: number;
  startedAt: number | null;
  lastExit: { code: number | null; signal: string | null; reason: ExitReason; at: number } | null;
  nextRestartAt: number | null;
  rssBytes: number | null;
  cpuPercent: number | null;
  probes: Partial<Record<ProbeName, string>>;
}

export interface ReplicaContext {
  service: string;
  replica: number;
  config: ServiceConfig;
  baseDir: string;
  stateDir: string;
  port: number | null;
  clock: Clock;
  random: Random;
  heartbeats: HeartbeatRegistry;
  /** Extra environment for one spawn of the process (heartbeat endpoint and this spawn's secret …). */
  supervisorEnv: (instance: string, heartbeatSecret: string) => Record<string, string>;
  emit: (event: ElementEvent) => void;
  /**
   * Before a planned stop or graceful restart: resolves once the replica's in-flight
   * requests are done (a front door, src/traffic/, waits for them; bounded by its drain
   * timeout). Absent: nothing routes to the replica, the stop signal goes at once.
   */
  drain?: (instance: string) => Promise<void>;
}

/**
 * One replica of a supervised service, across restarts: spawns its process, runs its
 * probes, applies the restart policy, backoff and crash-loop detection, and enforces
 * `maxMemory`. Everything it observes becomes an {@link ElementEvent}.
 *
 * @example
 * const replica = new ReplicaSupervisor(context); replica.start(); … await replica.stop();
 * @example
 * // a command that cannot start: spawn-failed, then restarts with backoff, then crash-looping
 */
export class ReplicaSupervisor {
  readonly instance: string;
  private phase: ReplicaPhase = 'stopped';
  private proc: ProcessInstance | undefined;
  private killReason: ExitReason | undefined;
  private desired: 'running' | 'stopped' = 'stopped';
  private restarts = 0;
  private restartTimer: Timer | undefined;
  private stableTimer: Timer | undefined;
  private nextRestartAt: number | null = null;
  private lastExit: ReplicaSnapshot['lastExit'] = null;
  private readonly policy: RestartPolicy;
  private readonly crashLoop: CrashLoopDetector;
  private readonly logs: ReplicaLogFiles;
  private probes: ProbeRunner[] = [];
  private startupPassed = true;
  private usage: { rssBytes: number; cpuSeconds: number; at: number; cpuPercent: number } | undefined;
  private readonly breached = new Set<'memory' | 'cpu'>();
  private stopWaiters: (() => void)[] = [];

  constructor(private readonly ctx: ReplicaContext) {
    this.instance = `${ctx.service}#${ctx.replica}`;
    const backoff = ctx.config.restartBackoff;
    this.policy = new RestartPolicy(
      { mode: ctx.config.restart, initialDelayMs: backoff.initial, maxDelayMs: backoff.max, factor: backoff.factor, jitter: backoff.jitter, resetAfterMs: backoff.resetAfter },
      ctx.random,
    );
    this.crashLoop = new CrashLoopDetector({ restarts: ctx.config.crashLoop.restarts, windowMs: ctx.config.crashLoop.window, retryEveryMs: ctx.config.crashLoop.retryEvery });
    this.logs = new ReplicaLogFiles(replicaLogDir(ctx.stateDir, ctx.service, ctx.replica), { maxBytes: ctx.config.logs.maxSize, keep: ctx.config.logs.keep });
  }

  /** The spec this replica runs (a rolling reload or a canary may leave its service's replicas on two specs for a while). */
  get serviceSpec(): ServiceConfig {
    return this.ctx.config;
  }

  /** The process group id of the running process, for resource sampling. */
  get pgid(): number | undefined {
    return this.proc?.alive ? this.proc.pid : undefined;
  }

  get crashLooping(): boolean {
    return this.crashLoop.looping;
  }

  start(): void {
    if (this.desired === 'running') return;
    this.desired = 'running';
    this.spawnNow();
  }

  /**
   * Start, and resolve once the first spawn is known: undefined when the process runs, the
   * error when it could not start. `trial` (a reload trying a new spec): a failed first
   * spawn is not retried — the replica stays `failed` for the reload to replace with the
   * previous spec — and its `spawn-failed` event says so.
   */
  async startConfirmed(trial = false): Promise<Error | undefined> {
    this.trial = trial;
    this.start();
    const proc = this.proc;
    if (!proc) return undefined;
    const error = await proc.spawned;
    if (!error && this.proc === proc) this.trial = false;
    return error;
  }

  /** Set while the first spawn of a reload's new spec is pending (see {@link startConfirmed}). */
  private trial = false;

  /**
   * Stop for good (shutdown, scale-down, reload): out of traffic and drained first (see
   * {@link ReplicaContext.drain}), then the stop signal, SIGKILL after the grace period.
   */
  async stop(): Promise<void> {
    this.desired = 'stopped';
    this.cancelRestart();
    const proc = this.proc;
    if (!proc) {
      this.phase = 'stopped';
      return;
    }
    this.phase = 'stopping';
    this.killReason = 'stopped';
    const stopped = new Promise<void>((done) => this.stopWaiters.push(done));
    await this.drained();
    // It may have exited while draining: the stop waiters are already released then.
    if (this.proc === proc) void proc.stop(this.ctx.config.stopSignal, this.ctx.config.gracePeriod);
    await stopped;
  }

  /**
   * Start a replica that has no process at once: one waiting in restart backoff (its
   * scheduled restart is cancelled, so it is not restarted twice), or one its restart
   * policy left down (`restart: never`, a clean exit under `on-failure`) — an operator's or
   * the loop's restart overrides the policy. False when it was neither.
   */
  startNow(): boolean {
    if (this.desired !== 'running' || this.proc?.alive) return false;
    const leftDown = this.phase === 'failed' || this.phase === 'exited';
    if (this.restartTimer === undefined && !leftDown) return false;
    this.cancelRestart();
    this.spawnNow();
    return true;
  }

  /**
   * Restart the running process (operator, control loop, `maxMemory`). Graceful: out of
   * traffic and drained first, then the stop signal; resolves once the signal is sent. Not
   * graceful (a hung process, which cannot finish what it serves): SIGKILL at once.
   */
  async restart(reason: ExitReason, graceful = true): Promise<void> {
    const proc = this.proc;
    if (!proc?.alive) return;
    this.killReason = reason;
    if (graceful) await this.drained();
    if (this.proc === proc) void proc.stop(graceful ? this.ctx.config.stopSignal : 'SIGKILL', graceful ? this.ctx.config.gracePeriod : 0);
  }

  /**
   * May take new requests from a front door: ready (see {@link isReady}) and not on its way
   * out — no planned stop or restart begun. A replica leaves the pool the moment this turns
   * false: its readiness fails, its process exits, or it is being stopped.
   */
  acceptsTraffic(): boolean {
    return this.isReady() && this.killReason === undefined && this.desired === 'running';
  }

  /** Its port (`{{port}}`), fixed for the replica across restarts; null when it has none. */
  get port(): number | null {
    return this.ctx.port;
  }

  /**
   * Wait until the replica takes traffic again (after a restart), checking every 50 ms;
   * false after `timeoutMs`.
   */
  async untilAcceptsTraffic(timeoutMs: number): Promise<boolean> {
    const deadline = this.ctx.clock.now() + timeoutMs;
    while (!this.acceptsTraffic()) {
      if (this.ctx.clock.now() >= deadline || this.desired !== 'running') return false;
      await this.ctx.clock.sleep(50);
    }
    return true;
  }

  private async drained(): Promise<void> {
    if (!this.ctx.drain) return;
    try {
      await this.ctx.drain(this.instance);
    } catch {
      // A drain that failed must not keep a replica from stopping: the stop goes on.
    }
  }

  /**
   * Healthy: running, started, and no probe failing. `verified` also requires every
   * probe to have passed (a process spawned a moment ago is not yet a failover target).
   * A process asked to exit (a restart in its grace period) is not healthy: verification
   * after a restart must not take the old process's last moments for a recovery.
   */
  /**
   * Ready for its dependents to start: running (its startup probe, if any, passed) with its
   * readiness probe passing, or just running when it has no readiness probe.
   */
  isReady(): boolean {
    if (!this.proc?.alive || this.phase !== 'running') return false;
    const readiness = this.probes.find((probe) => probe.name === 'readiness');
    return readiness === undefined || readiness.state === 'passing';
  }

  isHealthy(verified = false): boolean {
    if (!this.proc?.alive || this.phase === 'stopping' || this.killReason !== undefined || !this.startupPassed) return false;
    return this.probes.every((probe) => (verified ? probe.state === 'passing' : probe.state !== 'failing'));
  }

  /** A resource sample for this replica's process group (undefined: no live process). */
  onUsage(usage: GroupUsage | undefined, at: number): void {
    if (!usage || !this.proc?.alive) return;
    const percent = cpuPercent(this.usage, { cpuSeconds: usage.cpuSeconds, at });
    this.usage = { rssBytes: usage.rssBytes, cpuSeconds: usage.cpuSeconds, at, cpuPercent: percent };
    const { maxMemory, limits } = this.ctx.config;
    if (maxMemory !== undefined && usage.rssBytes > maxMemory && this.killReason === undefined) {
      this.emit({ kind: 'resource-breach', instance: this.instance, resource: 'memory', value: usage.rssBytes, limit: maxMemory, action: 'restart' });
      void this.restart('memory');
    }
    this.checkLimit('memory', usage.rssBytes, limits?.memory);
    this.checkLimit('cpu', percent, limits?.cpu);
  }

  snapshot(): ReplicaSnapshot {
    const alive = this.proc?.alive ?? false;
    return {
      instance: this.instance,
      replica: this.ctx.replica,
      state: this.crashLoop.looping && this.phase !== 'stopped' ? 'crash-looping' : this.phase,
      health: this.health(),
      pid: alive ? this.proc!.pid! : null,
      port: this.ctx.port,
      restarts: this.restarts,
      startedAt: alive ? this.proc!.startedAt : null,
      lastExit: this.lastExit,
      nextRestartAt: this.nextRestartAt,
      rssBytes: alive && this.usage ? this.usage.rssBytes : null,
      cpuPercent: alive && this.usage ? Math.round(this.usage.cpuPercent * 10) / 10 : null,
      probes: Object.fromEntries(this.probes.map((probe) => [probe.name, probe.state])),
    };
  }

  private health(): string {
    if (!this.proc?.alive) return '-';
    if (!this.startupPassed) return 'starting';
    const byName = new Map(this.probes.map((probe) => [probe.name, probe.state]));
    if (byName.get('liveness') === 'failing') return 'unhealthy';
    if (byName.get('readiness') === 'failing') return 'not-ready';
    if (byName.size === 0) return 'unprobed';
    if ([...byName.values()].every((state) => state === 'passing')) return 'healthy';
    return 'unknown';
  }

  private checkLimit(resource: 'memory' | 'cpu', value: number, limit: number | undefined): void {
    if (limit === undefined) return;
    if (value > limit && !this.breached.has(resource)) {
      this.breached.add(resource);
      this.emit({ kind: 'resource-breach', instance: this.instance, resource, value, limit, action: 'none' });
    } else if (value <= limit && this.breached.has(resource)) {
      this.breached.delete(resource);
      this.emit({ kind: 'resource-recovered', instance: this.instance, resource, value, limit });
    }
  }

  /** The command, args, cwd and environment: fixed for a replica, so built once. */
  private spec: ProcessSpec | undefined;

  private buildSpec(): ProcessSpec {
    const { service, replica, port, config, baseDir } = this.ctx;
    // The heartbeat variables carry a secret new at each spawn: spawnNow adds them.
    return buildProcessSpec({ service, replica, port, config, baseDir, supervisorEnv: {} });
  }

  private spawnNow(): void {
    this.restartTimer = undefined;
    this.nextRestartAt = null;
    if (this.desired !== 'running') return;
    const { config, clock } = this.ctx;
    this.spec ??= this.buildSpec();
    const now = clock.now();
    // A new heartbeat secret per spawn, in this process's environment only: no one else
    // (nor a previous spawn still around) can beat for the instance.
    const secret = this.ctx.heartbeats.expect(this.instance, now);
    const spec = { ...this.spec, env: { ...this.spec.env, ...this.ctx.supervisorEnv(this.instance, secret) } };
    const { cwd, env } = spec;
    const proc = ProcessInstance.spawn(spec, () => this.logs.beginInstance(), now);
    this.proc = proc;
    this.killReason = undefined;
    this.usage = undefined;
    this.breached.clear();
    void proc.exited.then((exit) => this.onExit(proc, exit));
    if (proc.pid === undefined) return; // the spawn failed: onExit reports it
    this.phase = 'starting';
    this.emit({ kind: 'process-spawned', instance: this.instance, pid: proc.pid, replica: this.ctx.replica, port: this.ctx.port, restarts: this.restarts });
    this.startProbes(cwd, env);
    this.stableTimer = startTimer(clock, config.restartBackoff.resetAfter, () => this.onStable(proc));
    this.stableTimer.unref();
  }

  private startProbes(cwd: string, env: Record<string, string>): void {
    const { probes } = this.ctx.config;
    const target = {
      instance: this.instance,
      baseUrl: this.ctx.port === null ? undefined : `http://127.0.0.1:${this.ctx.port}`,
      cwd,
      env,
      heartbeats: this.ctx.heartbeats,
      clock: this.ctx.clock,
    };
    const make = (name: ProbeName) => {
      const config = probes[name]!;
      const runner: ProbeRunner = new ProbeRunner({
        name,
        probe: buildProbe(config, target),
        periodMs: config.period,
        timeoutMs: config.timeout,
        failureThreshold: config.failureThreshold,
        successThreshold: config.successThreshold,
        initialDelayMs: config.initialDelay,
        // Without a startup probe, liveness gives a slow start time to come up before
        // its failures count (a process that never answers is still caught, later).
        ...(name === 'liveness' && !probes.startup ? { startupGraceMs: LIVENESS_STARTUP_GRACE_MS } : {}),
        clock: this.ctx.clock,
        onChange: (change) => this.onProbeChange(runner, change),
      });
      return runner;
    };
    const later = (['liveness', 'readiness'] as const).filter((name) => probes[name]).map(make);
    if (probes.startup) {
      this.startupPassed = false;
      this.probes = [make('startup')];
      this.pendingProbes = later;
    } else {
      this.startupPassed = true;
      this.phase = 'running';
      this.probes = later;
      this.pendingProbes = [];
    }
    for (const probe of this.probes) probe.start();
  }

  /** Liveness and readiness wait for the startup probe to pass. */
  private pendingProbes: ProbeRunner[] = [];

  private onProbeChange(runner: ProbeRunner, change: { from: 'unknown' | 'passing' | 'failing'; to: 'unknown' | 'passing' | 'failing'; message: string; at: number }): void {
    if (!this.probes.includes(runner)) return;
    this.emit({ kind: 'probe-changed', instance: this.instance, probe: runner.name, from: change.from, to: change.to, message: change.message }, change.at);
    if (runner.name === 'startup' && change.to === 'passing') {
      runner.stop();
      this.startupPassed = true;
      this.phase = 'running';
      this.probes = [runner, ...this.pendingProbes];
      for (const probe of this.pendingProbes) probe.start();
    } else if ((runner.name === 'startup' || runner.name === 'liveness') && change.to === 'failing') {
      // A hung process cannot run a graceful-shutdown handler (SIGSTOP, a busy loop):
      // waiting out a grace period would only prolong the outage.
      void this.restart(runner.name, false);
    }
  }

  private onStable(proc: ProcessInstance): void {
    if (this.proc !== proc || !proc.alive) return;
    this.policy.reset();
    if (this.crashLoop.markStable()) {
      this.emit({ kind: 'crash-loop-cleared', instance: this.instance, stableForMs: this.ctx.clock.now() - proc.startedAt });
    }
  }

  /** While set, events are queued here (so a restart's events follow its spawn, not precede it). */
  private deferred: ElementEvent[] | undefined;

  private onExit(proc: ProcessInstance, exit: ProcessExit): void {
    if (this.proc !== proc) return;
    // Spawn the replacement first and tell the world after: listeners and the store
    // writer then cost nothing on the path from a crash to its replacement.
    this.deferred = [];
    try {
      this.handleExit(proc, exit);
    } finally {
      const events = this.deferred;
      this.deferred = undefined;
      for (const event of events) this.ctx.emit(event);
    }
  }

  private handleExit(proc: ProcessInstance, exit: ProcessExit): void {
    const now = this.ctx.clock.now();
    for (const probe of this.probes) probe.stop();
    for (const probe of this.pendingProbes) probe.stop();
    this.probes = [];
    this.pendingProbes = [];
    this.stableTimer?.cancel();
    this.proc = undefined;
    const reason: ExitReason = this.killReason ?? (this.desired === 'stopped' ? 'stopped' : 'exited');
    this.killReason = undefined;
    const uptimeMs = now - proc.startedAt;
    const lastLines = proc.log.tail(20);
    const trial = this.trial;
    this.trial = false;
    if (exit.spawnError) {
      this.emit({ kind: 'spawn-failed', instance: this.instance, message: exit.spawnError.message, ...(trial ? { trial: true as const } : {}) });
    } else {
      this.emit({ kind: 'process-exited', instance: this.instance, pid: proc.pid!, code: exit.code, signal: exit.signal, reason, uptimeMs, lastLines });
    }
    this.lastExit = { code: exit.code, signal: exit.signal, reason, at: now };
    if (this.desired === 'stopped') {
      this.phase = 'stopped';
      for (const done of this.stopWaiters.splice(0)) done();
      return;
    }
    if (trial && exit.spawnError) {
      this.phase = 'failed';
      return;
    }
    if (reason === 'requested') {
      // Asked for, not a failure: no backoff, no crash-loop count.
      this.restarts++;
      this.spawnNow();
      return;
    }
    const decision = this.policy.decide({ code: exit.code, signal: exit.signal, reason, uptimeMs });
    if (!decision.restart) {
      this.phase = exit.code === 0 && exit.signal === null && reason === 'exited' ? 'exited' : 'failed';
      return;
    }
    this.restarts++;
    const loop = this.crashLoop.recordRestart(now);
    const delayMs = this.crashLoop.delayFor(decision.delayMs);
    if (loop.entered) {
      this.emit({ kind: 'crash-looping', instance: this.instance, restartsInWindow: loop.inWindow, windowMs: this.ctx.config.crashLoop.window, nextRetryMs: delayMs, lastLines });
    }
    this.emit({ kind: 'restart-scheduled', instance: this.instance, delayMs, attempt: decision.attempt, reason });
    this.phase = 'backoff';
    if (delayMs <= 0) {
      this.spawnNow();
      return;
    }
    this.nextRestartAt = now + delayMs;
    this.restartTimer = startTimer(this.ctx.clock, delayMs, () => this.spawnNow());
  }

  private cancelRestart(): void {
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    this.nextRestartAt = null;
  }

  private emit(event: DistributiveOmit<ElementEvent, 'at' | 'element'>, at = this.ctx.clock.now()): void {
    const full = { ...event, at, element: this.ctx.service } as ElementEvent;
    if (this.deferred) this.deferred.push(full);
    else this.ctx.emit(full);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
