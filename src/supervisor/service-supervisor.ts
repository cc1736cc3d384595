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

/**
 * The replicas of one supervised service: starts them, scales them at run time, and
 * knows whether any is healthy (for failover).
 *
 * @example await service.scale(3); // two more replicas, on ports port+1 and port+2
 * @example await service.scale(-1); // throws HS_INVALID_REPLICAS
 */
export class ServiceSupervisor {
  role: ServiceRole = 'active';
  private replicas: ReplicaSupervisor[] = [];
  private readonly ports = new Map<number, number | null>();
  private readonly needsPort: boolean;

  constructor(
    readonly name: string,
    readonly config: ServiceConfig,
    private readonly newReplica: (ctx: Pick<ReplicaContext, 'replica' | 'port'>) => ReplicaSupervisor,
    private readonly emit: (event: ElementEvent) => void,
    private readonly now: () => number,
  ) {
    const probesNeedPort = Object.values(config.probes).some((probe) => probe && ((probe.http !== undefined && !/^https?:/.test(probe.http)) || probe.tcp === true));
    // A front door (`expose:`) routes to each replica's port: it needs one even when only `$PORT` reads it.
    this.needsPort = config.port !== undefined || config.expose !== undefined || probesNeedPort || usesPort([...config.args, ...Object.values(config.env), config.cwd ?? '']);
  }

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
        const replica = this.newReplica({ replica: index, port: await this.portFor(index) });
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
  private async portFor(replica: number): Promise<number | null> {
    if (!this.needsPort) return null;
    if (this.config.port !== undefined) return this.config.port + replica;
    if (!this.ports.has(replica)) this.ports.set(replica, await freePort());
    return this.ports.get(replica)!;
  }
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
