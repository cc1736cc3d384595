import type { ServiceScaling } from '../../api/api-context.js';
import type { HomeostatConfig } from '../../config/schema/root.js';
import { HomeostatError } from '../../errors/homeostat-error.js';
import type { ElementControl } from '../../execute/element-control.js';

export interface ManualScalingDeps {
  /** This node's processes: only a service it supervises is scaled here. */
  control: ElementControl;
  /** The config applied now (a service's `autoscale:` bounds). */
  config: () => HomeostatConfig;
  audit: (actor: string, action: string, target: string, data: Record<string, unknown>) => Promise<unknown>;
}

/**
 * An operator's `homeostat scale <service> N` (`POST /api/services/:name/scale`): the
 * service must be one this node supervises (`HS_UNKNOWN_SERVICE`), and a count outside its
 * `autoscale` bounds is refused (`HS_INVALID_REPLICAS`) — the autoscaler would take it back
 * at once. Audited as `service.scaled` by the operator, with the count before and after.
 * Not held by a pause: a pause stops the loop's actions, not an operator's.
 *
 * @example await manualScaling(deps).scale('api', 3, 'api:alice') // { service: 'api', from: 2, to: 3 }
 */
export function manualScaling(deps: ManualScalingDeps): ServiceScaling {
  return {
    async scale(service, replicas, by) {
      const definition = deps.config().services[service];
      if (!definition || definition.command === undefined) {
        const supervised = Object.entries(deps.config().services).filter(([, spec]) => spec.command !== undefined).map(([name]) => name);
        throw new HomeostatError('HS_UNKNOWN_SERVICE', `"${service}" is not a service this node supervises; supervised: ${supervised.join(', ') || 'none'}`, { retryable: false });
      }
      if (!Number.isInteger(replicas) || replicas < 0) throw new HomeostatError('HS_INVALID_REPLICAS', `replicas must be 0 or more, got ${replicas}`, { retryable: false });
      const bounds = definition.autoscale;
      if (bounds && (replicas < bounds.min || replicas > bounds.max)) {
        throw new HomeostatError('HS_INVALID_REPLICAS', `${service} autoscales within ${bounds.min}..${bounds.max}: ${replicas} would be taken back at once; change autoscale.min/max in the config instead`, { retryable: false });
      }
      const from = deps.control.instances(service).length;
      await deps.audit(by, 'service.scaled', service, { from, to: replicas });
      await deps.control.scale(service, replicas);
      return { service, from, to: replicas };
    },
  };
}
