import { HomeostatError } from '../errors/homeostat-error.js';
import type { ModelStore } from '../store/ports/model-store.js';
import type { ModelProviderStateRecord } from '../store/records.js';

/** One model provider as an operator sees it: configured or not, and its state in the store. */
export interface ProviderStateView {
  provider: string;
  /** In `models.providers` of the applied config (a stored state may outlive its provider). */
  configured: boolean;
  drained: boolean;
  /** The loop's `limit` rung: attempts in flight per process (null: no limit). */
  maxConcurrency: number | null;
  /** Why, by whom and when the state last changed (null: never set, as configured). */
  reason: string | null;
  changedBy: string | null;
  changedAt: number | null;
}

/** What the `/api/providers` routes need: see {@link manualProviders}. */
export interface ProviderControl {
  list(): Promise<ProviderStateView[]>;
  /** Drain or restore `provider` by hand as `by` (the token's actor); audited. */
  set(provider: string, action: 'drain' | 'restore', by: string, reason: string): Promise<ProviderStateView>;
}

export interface ManualProvidersDeps {
  store: Pick<ModelStore, 'listModelProviderStates' | 'setModelProviderState'>;
  /** The providers of the applied config, read at each request (a reload is followed). */
  providers: () => readonly string[];
  audit: (actor: string, action: string, target: string, data: Record<string, unknown>) => Promise<unknown>;
  now: () => number;
}

/**
 * An operator's drain and restore of a model provider (`homeostat providers drain|restore
 * <name>`, `POST /api/providers/:name/drain|restore`): the same row of
 * `model_provider_states` the loop's `drain` and `restore` rungs write
 * (execute/provider-actions.ts), so every process making model calls follows it at its next
 * refresh, and the provider watch starts its window again. Only a provider of the applied
 * config can be set (`HS_MODEL_UNKNOWN_PROVIDER`): a typo must not leave a row that drains
 * nothing. Audited as `provider.drained` / `provider.restored` by the operator, with the
 * state before. Not held by a pause: a pause stops the loop's actions, not an operator's.
 * A restore clears a `limit` too (back as configured), as the loop's restore does.
 *
 * @example await manualProviders(deps).set('openai', 'drain', 'api:alice', 'provider outage announced') // { provider: 'openai', drained: true, … }
 */
export function manualProviders(deps: ManualProvidersDeps): ProviderControl {
  const view = (provider: string, state: ModelProviderStateRecord | undefined, configured: readonly string[]): ProviderStateView => ({
    provider,
    configured: configured.includes(provider),
    drained: state?.drained ?? false,
    maxConcurrency: state?.maxConcurrency ?? null,
    reason: state?.reason ?? null,
    changedBy: state?.changedBy ?? null,
    changedAt: state?.changedAt ?? null,
  });
  return {
    async list() {
      const configured = deps.providers();
      const states = new Map((await deps.store.listModelProviderStates()).map((state) => [state.provider, state]));
      const names = [...new Set([...configured, ...states.keys()])].sort();
      return names.map((name) => view(name, states.get(name), configured));
    },
    async set(provider, action, by, reason) {
      const configured = deps.providers();
      if (!configured.includes(provider)) {
        throw new HomeostatError('HS_MODEL_UNKNOWN_PROVIDER', `no model provider "${provider}" in the applied config (known: ${configured.join(', ') || 'none'})`, { retryable: false });
      }
      const before = (await deps.store.listModelProviderStates()).find((state) => state.provider === provider);
      const state: ModelProviderStateRecord = { provider, drained: action === 'drain', maxConcurrency: null, reason: `by hand: ${reason}`, changedBy: by, changedAt: deps.now() };
      // Audited before the write: an action that happened is never missing from the log.
      await deps.audit(by, action === 'drain' ? 'provider.drained' : 'provider.restored', provider, {
        reason,
        before: before ? { drained: before.drained, maxConcurrency: before.maxConcurrency, changedBy: before.changedBy } : null,
      });
      await deps.store.setModelProviderState(state);
      return view(provider, state, configured);
    },
  };
}
