import { createServer } from 'node:net';
import type { ServiceConfig } from '../config/schema/services.js';
import type { ElementEvent } from './element-events.js';
import type { ReplicaContext, ReplicaSnapshot, ReplicaSupervisor } from './replica-supervisor.js';
import { InvalidReplicasError } from './supervisor-errors.js';
import { usesPort } from './templating.js';

/** A replica whose process could not be started. */
export interface SpawnFailure {
  service: string;
  instance: string;
  message: string;
}

/** In an active-passive pair, which side serves. Services without a standby are `active`. */
export type ServiceRole = 'active' | 'standby';

export type ReplicaFactory = (replica: number, port: number | null) => ReplicaSupervisor;

/** A replica that takes a share of a front door's requests while a config rollout judges it (see {@link ServiceSupervisor.canary}). */
export interface CanaryReplica {
  instance: string;
  /** 0 < share ≤ 1. */
  share: number;
}

/**
 * The replicas of one supervised service: starts them, scales them at run time, and
 * knows whether any is healthy (for failover).
 *
 * @example await service.scale(3); // two more replicas, on ports port+1 and port+2
 * @example await service.scale(-1); // throws HS_INVALID_REPLICAS
 */
export class ServiceSupervisor {
  role: ServiceRole = 'active';
  /** The replica a config rollout is judging now, and its share of the front door's requests. */
  canary: CanaryReplica | undefined;
  private replicas: ReplicaSupervisor[] = [];
  private readonly ports = new Map<number, number | null>();

  constructor(
    readonly name: string,
    /** The spec in force: the one new replicas start from; a rolling reload replaces it ({@link rollTo}). */
    public config: ServiceConfig,
    private readonly newReplica: (ctx: Pick<ReplicaContext, 'replica' | 'port' | 'config'>) => ReplicaSupervisor,
    private readonly emit: (event: ElementEvent) => void,
    private readonly now: () => number,
  ) {}

  get replicaCount(): number {
    return this.replicas.length;
  }

  get all(): readonly ReplicaSupervisor[] {
    return this.replicas;
  }

  /**
   * Start every replica and wait until each spawn is known; the ones that could not start.
   * `trial` (a reload trying a new spec): those are not retried, see {@link ReplicaSupervisor.startConfirmed}.
   */
  async start(options: { trial?: boolean } = {}): Promise<SpawnFailure[]> {
    const started = await this.scaleTo(this.config.replicas, false, options.trial ?? false);
    const failures: SpawnFailure[] = [];
    for (const [replica, spawned] of started) {
      const error = await spawned;
      if (error) failures.push({ service: this.name, instance: replica.instance, message: error.message });
    }
    return failures;
  }

  /** Change the number of replicas; new ones start at once, the highest-numbered stop gracefully. */
  async scale(replicas: number): Promise<void> {
    if (!Number.isInteger(replicas) || replicas < 0) throw new InvalidReplicasError(this.name, replicas);
    await this.scaleTo(replicas, true);
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.stop()));
  }

  /**
   * Replace replica `index` by one started from `spec`: the old one is drained and stopped
   * first (its port is the new one's). Resolves once the new process's spawn is known: the
   * error when it could not start (`trial`: not retried, see {@link ReplicaSupervisor.startConfirmed}).
   */
  async replaceReplica(index: number, spec: ServiceConfig, trial = false): Promise<Error | undefined> {
    const old = this.replicas[index];
    if (!old) return new Error(`${this.name} has no replica ${index}`);
    await old.stop();
    const replica = this.newReplica({ replica: index, port: await this.portFor(index, spec), config: spec });
    this.replicas[index] = replica;
    return replica.startConfirmed(trial);
  }

  /**
   * A rolling reload to `spec`: one replica at a time — drained, stopped, started from
   * `spec`, and taking traffic again (at most `readyTimeoutMs`) before the next goes — so a
   * front door always has a ready replica. Replicas already on `spec` (a canary that
   * passed) are kept. `trial` (a new spec): stops at the first replica that does not start
   * or does not take traffic in time, which it returns (the caller puts the previous spec
   * back); otherwise (putting a spec back) every replica is rolled whatever one of them
   * does, and the failures are returned. Then the count follows `spec.replicas`.
   */
  async rollTo(spec: ServiceConfig, options: { readyTimeoutMs: number; trial: boolean; sameSpec: (a: ServiceConfig, b: ServiceConfig) => boolean }): Promise<SpawnFailure[]> {
    this.config = spec;
    const failures: SpawnFailure[] = [];
    for (let index = 0; index < Math.min(this.replicas.length, spec.replicas); index++) {
      if (options.sameSpec(this.replicas[index]!.serviceSpec, spec)) continue;
      const error = await this.replaceReplica(index, spec, options.trial);
      const replica = this.replicas[index]!;
      if (error) failures.push({ service: this.name, instance: replica.instance, message: error.message });
      else if (!(await replica.untilAcceptsTraffic(options.readyTimeoutMs))) {
        failures.push({ service: this.name, instance: replica.instance, message: `did not take traffic within ${options.readyTimeoutMs} ms (expose.readyTimeout) of its start` });
      }
      if (options.trial && failures.length > 0) return failures;
    }
    const started = await this.scaleTo(spec.replicas, false, options.trial);
    for (const [replica, spawned] of started) {
      const error = await spawned;
      if (error) failures.push({ service: this.name, instance: replica.instance, message: error.message });
    }
    return failures;
  }

  /** Its dependents may start: a replica is ready (see {@link ReplicaSupervisor.isReady}), or it is scaled to 0 (nothing to wait for). */
  isReady(): boolean {
    return this.config.replicas === 0 || this.replicas.some((replica) => replica.isReady());
  }

  /** Any replica healthy (`verified`: with every probe passing, see {@link ReplicaSupervisor.isHealthy}). */
  hasHealthyReplica(verified = false): boolean {
    return this.replicas.some((replica) => replica.isHealthy(verified));
  }

  snapshots(): ReplicaSnapshot[] {
    return this.replicas.map((replica) => replica.snapshot());
  }

  /** The replicas it started, each with how its first spawn went. */
  private async scaleTo(target: number, announce: boolean, trial = false): Promise<[ReplicaSupervisor, Promise<Error | undefined>][]> {
    const from = this.replicas.length;
    const started: [ReplicaSupervisor, Promise<Error | undefined>][] = [];
    if (target === from) return started;
    if (target > from) {
      for (let index = from; index < target; index++) {
        const replica = this.newReplica({ replica: index, port: await this.portFor(index, this.config), config: this.config });
        this.replicas.push(replica);
        started.push([replica, replica.startConfirmed(trial)]);
      }
    } else {
      const removed = this.replicas.splice(target);
      await Promise.all(removed.map((replica) => replica.stop()));
    }
    if (announce) this.emit({ kind: 'scaled', at: this.now(), element: this.name, from, to: target });
    return started;
  }

  /** A replica keeps its port across restarts: `port + replica`, or a free one picked once. */
  private async portFor(replica: number, spec: ServiceConfig): Promise<number | null> {
    if (!needsPort(spec)) return null;
    if (spec.port !== undefined) return spec.port + replica;
    if (!this.ports.has(replica)) this.ports.set(replica, await freePort());
    return this.ports.get(replica)!;
  }
}

/** Whether a replica of `spec` gets a port (`{{port}}`, `$PORT`). */
function needsPort(spec: ServiceConfig): boolean {
  const probesNeedPort = Object.values(spec.probes).some((probe) => probe && ((probe.http !== undefined && !/^https?:/.test(probe.http)) || probe.tcp === true));
  // A front door (`expose:`) routes to each replica's port: it needs one even when only `$PORT` reads it.
  return spec.port !== undefined || spec.expose !== undefined || probesNeedPort || usesPort([...spec.args, ...Object.values(spec.env), spec.cwd ?? '']);
}

/** A TCP port that was free a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
