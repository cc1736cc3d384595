import type { HomeostatConfig } from '../config/schema/root.js';
import { canonicalJson } from '../knowledge/canonical-json.js';

/** The config version `up` enforces now: what policies, guardrails, escalation and rules read. */
export interface AppliedVersion {
  config: HomeostatConfig;
  version: number;
  /** Who applied it (`homeostat up`, `api:alice`, the config file, a rollback). */
  source: string;
}

/**
 * Keys `up` reads once at start-up: the store, the state dir, its own listeners and the
 * in-memory series sizes. A version that changes one is refused with the list, since
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
  return RESTART_ONLY.filter((path) => canonicalJson(at(before, path) ?? null) !== canonicalJson(at(after, path) ?? null)).map((path) => path.join('.'));
}

/**
 * The applied config of a running controller, swapped whole when a new version is applied;
 * readers take `current` at the moment they decide, never a copy from start-up.
 *
 * @example
 * const applied = new AppliedConfig({ config, version: 1, source: 'homeostat up' });
 * applied.onChange((next) => guardrails.reconfigure(next.config.guardrails));
 * applied.set({ config: next, version: 2, source: 'api:alice' });
 */
export class AppliedConfig {
  private value: AppliedVersion;
  private readonly listeners = new Set<(next: AppliedVersion, previous: AppliedVersion) => void>();

  constructor(initial: AppliedVersion) {
    this.value = initial;
  }

  get current(): AppliedVersion {
    return this.value;
  }

  get config(): HomeostatConfig {
    return this.value.config;
  }

  set(next: AppliedVersion): void {
    const previous = this.value;
    this.value = next;
    for (const listener of this.listeners) listener(next, previous);
  }

  onChange(listener: (next: AppliedVersion, previous: AppliedVersion) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
