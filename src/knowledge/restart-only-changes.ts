import type { HomeostatConfig } from '../config/schema/root.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Keys `up` reads once at start-up: the store, the state dir, its own listeners (front
 * doors included) and the in-memory series sizes. A version that changes one is refused with the list, since
 * applying the rest would leave the running process enforcing a config that is not the
 * one recorded as applied.
 */
const RESTART_ONLY: readonly (readonly string[])[] = [
  ['version'],
  ['stateDir'],
  ['store'],
  ['heartbeat'],
  ['resources'],
  ['api'],
  ['alerts'],
  ['workflows'],
  ['monitor', 'retention'],
  ['monitor', 'maxSeries'],
  ['monitor', 'metricsPort'],
  ['monitor', 'configGoodAfter'],
];

/**
 * The keys whose change needs a restart of `up`, as dotted paths.
 * @example restartOnlyChanges(before, { ...before, api: { ...before.api, port: 9 } }) // ['api']
 */
export function restartOnlyChanges(before: HomeostatConfig, after: HomeostatConfig): string[] {
  const at = (config: unknown, path: readonly string[]) => path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], config);
  // A service's front door (`expose:`) is a listener `up` opens at start-up too.
  const doors = [...new Set([...Object.keys(before.services), ...Object.keys(after.services)])].map((name) => ['services', name, 'expose']);
  return [...RESTART_ONLY, ...doors].filter((path) => canonicalJson(at(before, path) ?? null) !== canonicalJson(at(after, path) ?? null)).map((path) => path.join('.'));
}
