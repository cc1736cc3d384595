import type { StoreFault, StoreHealth, StoreHealthChange } from '../store/store-health.js';
import type { LogDestination } from '../telemetry/log-destination.js';
import type { Logger } from '../telemetry/logger.js';
import type { MetricsRegistry } from '../telemetry/metrics.js';

const FAULTS: StoreFault[] = ['full', 'lost', 'corrupt', 'io'];

/** What goes on and what does not, said after the error (which names the file and the remedy). */
const MEANWHILE: Record<StoreFault, string> = {
  full: 'supervision and probes go on; writes are retried and resume once there is room',
  lost: 'supervision and probes go on, but nothing more is recorded (incidents, audit, runs)',
  corrupt: 'supervision and probes go on; what reads or writes the damaged pages fails',
  io: 'supervision and probes go on; writes are retried',
};

/**
 * Makes the controller's own disk trouble loud, where it can still be seen when the store
 * cannot record it: metrics on `/metrics` (`homeostat_store_degraded{fault}`,
 * `homeostat_store_errors_total{code}`, `homeostat_log_lines_dropped_total`,
 * `homeostat_log_write_failing`), an error line on the console and in the log at each
 * change of the store's health (into a fault and back), never one per failed call.
 *
 * @example watchDiskHealth({ registry: runtime.registry, health: store.health, log: logDestinationOf(logger), logger, say: ctx.err });
 */
export function watchDiskHealth(options: {
  registry: MetricsRegistry;
  health: StoreHealth | undefined;
  log: LogDestination | undefined;
  /** Element events the supervisor could not write before its buffer overflowed. */
  droppedEvents?: () => number;
  logger: Logger;
  say: (line: string) => void;
}): () => void {
  const { registry, health, log, logger, say, droppedEvents } = options;
  registry.counter('homeostat_element_events_dropped_total', 'Element events never written to the store (it failed longer than the bounded buffer lasts).', () =>
    droppedEvents ? [{ labels: {}, value: droppedEvents() }] : [],
  );
  registry.gauge('homeostat_store_degraded', 'Whether the store has a fault (1), by fault: full, lost, corrupt, io.', () =>
    health ? FAULTS.map((fault) => ({ labels: { fault }, value: health.fault === fault ? 1 : 0 })) : [],
  );
  registry.counter('homeostat_store_errors_total', 'Store calls that failed on a disk or file fault, by error code.', () =>
    health ? [...health.failures].map(([code, value]) => ({ labels: { code }, value })) : [],
  );
  registry.counter('homeostat_log_lines_dropped_total', "Lines of homeostat's own log dropped because it could not be written.", () => (log ? [{ labels: {}, value: log.dropped }] : []));
  registry.gauge('homeostat_log_write_failing', "1 while homeostat's own log cannot be written.", () => (log ? [{ labels: {}, value: log.failing ? 1 : 0 }] : []));
  if (!health) return () => undefined;
  return health.onChange((change: StoreHealthChange) => {
    if (change.fault) {
      const line = `store ${change.fault}: ${change.error?.message ?? ''} — ${MEANWHILE[change.fault]}`;
      logger.error({ symptom: `store-${change.fault}`, element: 'homeostat', err: change.error }, line);
      say(`homeostat: ${line}`);
    } else {
      const line = `store healthy again (was ${change.previous ?? '?'}): writes go through`;
      logger.warn({ element: 'homeostat', was: change.previous }, line);
      say(`homeostat: ${line}`);
    }
  });
}
