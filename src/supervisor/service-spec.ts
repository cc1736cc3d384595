import type { ServiceConfig } from '../config/schema/services.js';

/**
 * Whether two specs of a service run the same processes: every key but `canary`, which
 * says only how a change is rolled out — changing it alone restarts nothing.
 * @example sameSpec(api, { ...api, canary: { share: 0.2, … } }) // true
 * @example sameSpec(api, { ...api, env: { MODE: 'new' } }) // false
 */
export function sameSpec(a: ServiceConfig | undefined, b: ServiceConfig | undefined): boolean {
  return JSON.stringify(processSpec(a)) === JSON.stringify(processSpec(b));
}

function processSpec(spec: ServiceConfig | undefined): Omit<ServiceConfig, 'canary'> | undefined {
  if (spec === undefined) return undefined;
  const { canary: _rollout, ...processes } = spec;
  return processes;
}
