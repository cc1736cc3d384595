import type { ExposeConfig } from '../config/schema/expose.js';
import type { HomeostatConfig } from '../config/schema/root.js';
import type { MetricsRegistry } from '../telemetry/metrics.js';
import type { Upstream } from './balancer.js';
import { HttpFrontDoor } from './http-front-door.js';
import { InFlight } from './in-flight.js';
import { ReplicaOutcomes, type TrafficWatch } from './replica-outcomes.js';
import { TcpFrontDoor } from './tcp-front-door.js';
import { FrontDoorUnavailableError } from './traffic-errors.js';
import { trafficMetrics } from './traffic-metrics.js';

/** What the front doors need of the supervisor. */
export interface RoutingSource {
  /** The replicas of the active side of `service`'s pair (itself without one) that take traffic now. */
  routable(service: string): Upstream[];
  /** Have planned stops and graceful restarts wait for `drain(service, instance)` first. */
  drainWith(drain: (service: string, instance: string) => Promise<void>): void;
  /** Let a config rollout watch what a replica's callers see through the doors (its canary's verdict). */
  watchTrafficWith(watch: (instance: string) => TrafficWatch): void;
}

type FrontDoor = HttpFrontDoor | TcpFrontDoor;

/**
 * Every service's front door (`expose:`), as `up` owns them: one listener per exposed
 * service, routing to what {@link RoutingSource.routable} says takes traffic at the
 * moment of each request — readiness, exits, planned stops and failovers take effect at
 * once, with no pool of its own to keep in step — and a drain hook in the supervisor, so
 * a planned stop waits for the replica's in-flight requests (bounded by `drainTimeout`).
 *
 * Opened before the supervisor starts (callers get a 503 until a replica is ready) and
 * closed after it stopped (its stops drain through the doors).
 *
 * @example const doors = await FrontDoors.open({ config, supervisor, registry }); doors.urls // [{ service: 'api', url: 'http://127.0.0.1:8080' }]
 * @example // expose.port already taken by another program: rejects with HS_FRONT_DOOR_UNAVAILABLE, nothing left listening
 */
export class FrontDoors {
  private constructor(
    private readonly doors: Map<string, FrontDoor>,
    private readonly config: HomeostatConfig,
    private readonly inFlight: InFlight,
  ) {}

  static async open(options: { config: HomeostatConfig; supervisor: RoutingSource; registry: MetricsRegistry }): Promise<FrontDoors> {
    const { config, supervisor } = options;
    const inFlight = new InFlight();
    const outcomes = new ReplicaOutcomes();
    const exposed = Object.entries(config.services).flatMap(([service, definition]) => (definition.expose && definition.command !== undefined ? [[service, definition.expose] as const] : []));
    const doors = new Map<string, FrontDoor>();
    const metrics = trafficMetrics(options.registry, { pools: () => [...doors.keys()].map((service) => ({ service, size: supervisor.routable(service).length })), inFlight });
    for (const [service, expose] of exposed) {
      const deps = { service, expose, upstreams: () => supervisor.routable(service), inFlight, metrics, outcomes };
      doors.set(service, expose.protocol === 'tcp' ? new TcpFrontDoor(deps) : new HttpFrontDoor(deps));
    }
    for (const [service, door] of doors) {
      try {
        await door.listen();
      } catch (error) {
        await Promise.allSettled([...doors.values()].map((other) => other.close()));
        const { host, port } = config.services[service]!.expose!;
        throw new FrontDoorUnavailableError(service, host, port, error);
      }
    }
    const opened = new FrontDoors(doors, config, inFlight);
    if (doors.size > 0) {
      supervisor.drainWith((service, instance) => opened.drain(service, instance));
      supervisor.watchTrafficWith((instance) => outcomes.watch(instance));
    }
    return opened;
  }

  /** Each front door and the URL callers use. */
  get urls(): { service: string; url: string }[] {
    return [...this.doors].map(([service, door]) => ({ service, url: door.url }));
  }

  /**
   * A replica of `service` is about to stop (it no longer takes traffic): wait for what is
   * in flight on it, at most the longest `drainTimeout` of the doors that route to it,
   * then close their idle connections to it.
   */
  async drain(service: string, instance: string): Promise<void> {
    const routing = this.doorsRoutingTo(service);
    if (routing.length === 0) return;
    await this.inFlight.drained(instance, Math.max(...routing.map(([, expose]) => expose.drainTimeout)));
    for (const [door] of routing) door.forget(instance);
  }

  async close(): Promise<void> {
    await Promise.all([...this.doors.values()].map((door) => door.close()));
  }

  /** The doors that may send to `service`: its own, and those of services it is the standby of. */
  private doorsRoutingTo(service: string): [FrontDoor, ExposeConfig][] {
    const found: [FrontDoor, ExposeConfig][] = [];
    for (const [name, door] of this.doors) {
      const definition = this.config.services[name]!;
      if (name === service || definition.standby?.service === service) found.push([door, definition.expose!]);
    }
    return found;
  }
}
