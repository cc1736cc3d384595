import type { Counter, MetricsRegistry } from '../telemetry/metrics.js';
import type { InFlight } from './in-flight.js';

/** What the front doors count, on homeostat's `/metrics` (see docs/traffic.md). */
export interface TrafficMetrics {
  /** Answers a replica gave through a front door: service, replica, status class (`2xx` …). */
  requests: Counter;
  /** Requests the front door itself failed: service, reason (`no_ready_replica`, `upstream_failed`). */
  failed: Counter;
  /** Upstream connections or requests that failed before or during an answer: service, replica. */
  upstreamErrors: Counter;
  /** Requests (or TCP connections) sent again to another replica: service. */
  retries: Counter;
  /** TCP connections piped to a replica: service, replica. */
  connections: Counter;
}

/**
 * Registers the `homeostat_front_door_*` families; the pool size and the in-flight counts
 * are read at scrape time.
 */
export function trafficMetrics(r: MetricsRegistry, read: { pools: () => { service: string; size: number }[]; inFlight: InFlight }): TrafficMetrics {
  r.gauge('homeostat_front_door_pool_size', 'Replicas a front door routes to now (ready, not being stopped, of the active side), by service.', () =>
    read.pools().map((pool) => ({ labels: { service: pool.service }, value: pool.size })),
  );
  r.gauge('homeostat_front_door_in_flight', 'Requests (tcp: connections) in flight through the front doors, by replica.', () =>
    read.inFlight.entries().map(([replica, value]) => ({ labels: { replica }, value })),
  );
  return {
    requests: r.counter('homeostat_front_door_requests_total', 'HTTP answers from replicas through a front door, by service, replica and status class.'),
    failed: r.counter('homeostat_front_door_failed_total', 'Requests the front door answered itself with an error (503: no ready replica; 502: the upstream failed and no retry was possible), by service and reason.'),
    upstreamErrors: r.counter('homeostat_front_door_upstream_errors_total', 'Upstream failures (refused, reset, cut mid-answer), by service and replica.'),
    retries: r.counter('homeostat_front_door_retries_total', 'Requests or connections sent again to another replica after the first failed, by service.'),
    connections: r.counter('homeostat_front_door_connections_total', 'TCP connections piped to a replica, by service and replica.'),
  };
}
