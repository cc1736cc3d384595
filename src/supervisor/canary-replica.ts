import type { ServiceConfig } from '../config/schema/services.js';
import type { ServiceSupervisor } from './service-supervisor.js';

/** When a service has no front door to say how long a replica may take to be ready. */
const DEFAULT_READY_TIMEOUT_MS = 30_000;

/**
 * A config rollout's canary for `service`: its first replica drained, stopped and started
 * from `spec`, and — once it takes traffic (at most `expose.readyTimeout`) — sent `share`
 * of the front door's requests (`routable` marks it, the balancer weighs it). A spec whose
 * process does not start puts the replica back on the spec in force (`error` says why);
 * `ready: false` when it never took traffic. End it with {@link endCanary}.
 *
 * @example await startCanary(api, nextSpec, 0.1) // { instance: 'api#0', ready: true }
 * @example await startCanary(api, withMissingBinary, 0.1) // { instance: 'api#0', ready: false, error: 'spawn … ENOENT' }, api#0 on the spec in force
 */
export async function startCanary(service: ServiceSupervisor, spec: ServiceConfig, share: number): Promise<{ instance: string; ready: boolean; error?: string }> {
  const error = await service.replaceReplica(0, spec, true);
  const replica = service.all[0]!;
  if (error) {
    await service.replaceReplica(0, service.config);
    return { instance: replica.instance, ready: false, error: error.message };
  }
  service.canary = { instance: replica.instance, share };
  const ready = await replica.untilAcceptsTraffic(spec.expose?.readyTimeout ?? DEFAULT_READY_TIMEOUT_MS);
  return { instance: replica.instance, ready };
}

/**
 * End a service's canary: `keep` — it stays on the new spec and takes its even part of the
 * traffic (the rollout goes on from it); `revert` — it is drained and restarted from the
 * spec in force, and waited for until it takes traffic again.
 */
export async function endCanary(service: ServiceSupervisor, outcome: 'keep' | 'revert'): Promise<void> {
  service.canary = undefined;
  if (outcome === 'keep') return;
  const error = await service.replaceReplica(0, service.config);
  if (!error) await service.all[0]!.untilAcceptsTraffic(service.config.expose?.readyTimeout ?? DEFAULT_READY_TIMEOUT_MS);
}
