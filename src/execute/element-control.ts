import type { CanaryConfig } from '../config/schema/canary.js';
import type { ExitReason } from '../supervisor/element-events.js';
import type { CallersSeen } from './canary-callers.js';
import type { Supervisor } from '../supervisor/supervisor.js';

/**
 * What the loop may do to and learn about managed elements. The supervisor implements
 * it ({@link supervisorControl}); tests and other element kinds can bring their own.
 */
export interface ElementControl {
  /** Replica instance names of a service (`api#0`, …); empty when unknown. */
  instances(service: string): string[];
  /** Healthy: every probe passing (one instance, or every instance of the service). */
  isHealthy(service: string, instance?: string): boolean;
  restart(service: string, instance?: string): Promise<void>;
  /** Stop then start again (a cold restart). */
  stopStart(service: string, instance?: string): Promise<void>;
  scale(service: string, replicas: number): Promise<void>;
  /**
   * When the instance's current process started, when the supervisor will restart it
   * (backoff), and why its previous process ended (`exited`, `liveness`, … : the supervisor's
   * restart policy started this one; `requested`: someone asked for a restart); undefined: unknown.
   */
  restartState?(service: string, instance: string): { startedAt: number | null; nextRestartAt: number | null; lastExitReason?: ExitReason | null } | undefined;
  /** Switch `service`'s active-passive pair to its healthy other side; undefined when it cannot. */
  failover?(service: string, reason: string): Promise<{ from: string; to: string } | undefined>;
  /**
   * A restart rollout's canary: send `instance` its service's `canary.share` of the front
   * door's requests and watch what its callers see, until `stop()`; undefined when the
   * service has no `canary:` or no front door.
   */
  canaryTraffic?(service: string, instance: string): CanaryCallers | undefined;
}

/** A canary's callers, watched (see {@link ElementControl.canaryTraffic}). */
export interface CanaryCallers {
  /** The service's `canary:` limits. */
  limits: CanaryConfig;
  seen(): CallersSeen;
  stop(): void;
}

/** The supervisor as an {@link ElementControl}. */
export function supervisorControl(supervisor: Supervisor): ElementControl {
  const replicasOf = (service: string) => {
    try {
      return supervisor.replicas(service);
    } catch {
      return [];
    }
  };
  const pick = (service: string, instance?: string) => replicasOf(service).filter((replica) => instance === undefined || replica.instance === instance);
  return {
    instances: (service) => replicasOf(service).map((replica) => replica.instance),
    isHealthy(service, instance) {
      const replicas = pick(service, instance);
      if (replicas.length === 0) return supervisor.status().some((s) => s.element === service && s.kind === 'external' && s.health === 'healthy');
      return replicas.every((replica) => replica.isHealthy(true));
    },
    async restart(service, instance) {
      const replicas = pick(service, instance);
      // Behind a front door a whole service restarts one replica at a time, each taking
      // traffic again before the next goes: its callers always have a ready replica.
      const expose = instance === undefined && replicas.length > 1 ? supervisor.exposeOf(service) : undefined;
      for (const replica of replicas) {
        // No live process (restart backoff, or left down by its restart policy): start it now,
        // once — restarting the process just spawned would count a second restart.
        if (replica.pgid === undefined) {
          if (!replica.startNow()) replica.start();
        } else if (expose) {
          await replica.restart('requested');
          await replica.untilAcceptsTraffic(expose.readyTimeout);
        } else void replica.restart('requested');
      }
    },
    async stopStart(service, instance) {
      const replicas = pick(service, instance);
      // As for restart: behind a front door, the next replica stops once this one takes traffic again.
      const expose = instance === undefined && replicas.length > 1 ? supervisor.exposeOf(service) : undefined;
      for (const replica of replicas) {
        await replica.stop();
        replica.start();
        if (expose) await replica.untilAcceptsTraffic(expose.readyTimeout);
      }
    },
    scale: (service, replicas) => supervisor.scale(service, replicas),
    restartState: (service, instance) => {
      const snapshot = pick(service, instance)[0]?.snapshot();
      return snapshot ? { startedAt: snapshot.startedAt, nextRestartAt: snapshot.nextRestartAt, lastExitReason: snapshot.lastExit?.reason ?? null } : undefined;
    },
    failover: async (service, reason) => supervisor.failover(service, reason),
    canaryTraffic(service, instance) {
      const limits = supervisor.canaryOf(service);
      const watch = limits ? supervisor.watchTraffic(instance) : undefined;
      if (!limits || !watch) return undefined;
      supervisor.weighCanary(service, { instance, share: limits.share });
      return {
        limits,
        seen: () => watch.seen(),
        stop: () => {
          watch.stop();
          supervisor.weighCanary(service, undefined);
        },
      };
    },
  };
}
