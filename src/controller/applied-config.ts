import type { HomeostatConfig } from '../config/schema/root.js';

/** The config version `up` enforces now: what policies, guardrails, escalation and rules read. */
export interface AppliedVersion {
  config: HomeostatConfig;
  version: number;
  /** Who applied it (`homeostat up`, `api:alice`, the config file, a rollback). */
  source: string;
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
