import type { ElementStateRecord } from '../store/records.js';
import type { ElementControl } from './element-control.js';

/** What this node knows of the other live nodes: the element states each saved last. */
export interface OtherNodes {
  /** Element states of every other node alive now (heartbeat within `goneAfter`), by node name. */
  states: ReadonlyMap<string, readonly ElementStateRecord[]>;
  /** Every other node the store knows, alive or gone. */
  known: ReadonlySet<string>;
}

/**
 * The element control the loop and the remediation workflow read when several `up` share
 * the store. Health is the cluster's: a service (or `web#0`) is healthy when it is on this
 * node and on every other live node (their saved states), so verification after an action
 * on node B waits for B's process, not the leader's process of the same name.
 * `restartState` answers only while no other node is known: the leader cannot tell whose
 * `web#0` restarted, and the node action's request in the store says whether an
 * interrupted action ran (see node-routed-actuator.ts). Everything else is this node's.
 *
 * @example const control = nodeRoutedControl(supervisorControl(supervisor), () => agent.others);
 */
export function nodeRoutedControl(local: ElementControl, others: () => OtherNodes): ElementControl {
  const remote = (service: string, instance?: string) =>
    [...others().states.values()].flat().filter((state) => state.element === service && (instance === undefined || state.instance === instance));
  return {
    ...local,
    instances: (service) => local.instances(service),
    isHealthy: (service, instance) => local.isHealthy(service, instance) && remote(service, instance).every(isHealthyState),
    restartState: local.restartState && ((service, instance) => (others().known.size > 0 ? undefined : local.restartState!(service, instance))),
  };
}

/** A saved state that counts as healthy: a live process whose probes all pass (or that has none). */
function isHealthyState(state: ElementStateRecord): boolean {
  return state.state === 'running' && (state.health === 'healthy' || state.health === 'unprobed');
}
