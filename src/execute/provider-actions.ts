import { providerOf } from '../analyze/provider-element.js';
import type { ModelStore } from '../store/ports/model-store.js';
import type { ActionOutcome, ActionTarget } from './actuators.js';

/** A rung that acts on a model provider: take it out of its chains, lower its concurrency, or put it back as it was. */
export type ProviderAction = { action: 'drain' } | { action: 'limit'; concurrency: number } | { action: 'restore' };

/**
 * The `drain`, `limit` and `restore` rungs: a model provider's state written to the store,
 * where every process making model calls reads it (model/provider-states.ts) — in-process
 * state would reach only the controller, not the workers that call the provider.
 *
 * Threat model: only a remediation of an incident on `provider:<name>` (the leader's, under
 * the guardrails, with approval where the policy asks) or someone with write access to the
 * store can cause it; it reaches one row of `model_provider_states`, nothing outside
 * homeostat. The worst it can do is take a provider out of its chains or throttle it —
 * calls then go to the next link or fail as `chain-exhausted`, never to a provider that is
 * not configured.
 *
 * @example await setProviderState(store, { action: 'drain' }, { incidentId: '7', service: 'provider:openai' }, Date.now()) // { ok: true, detail: 'drained provider openai …' }
 * @example await setProviderState(store, { action: 'drain' }, { incidentId: '7', service: 'api' }, Date.now()) // { ok: false, detail: 'drain acts on a model provider …' }
 */
export async function setProviderState(store: Pick<ModelStore, 'setModelProviderState'>, rung: ProviderAction, target: ActionTarget, now: number, knownProviders?: readonly string[]): Promise<ActionOutcome> {
  const provider = providerOf(target.service);
  if (provider === undefined) return { ok: false, detail: `${rung.action} acts on a model provider (element provider:<name>), not on ${target.service}` };
  if (knownProviders && !knownProviders.includes(provider)) return { ok: false, detail: `${rung.action}: no model provider "${provider}" in the applied config (models.providers)` };
  const reason = `incident ${target.incidentId}${target.requestId ? ` (${target.requestId})` : ''}`;
  const follow = 'each process making model calls follows at its next refresh of the providers\' states';
  switch (rung.action) {
    case 'drain':
      await store.setModelProviderState({ provider, drained: true, maxConcurrency: null, reason, changedBy: 'controller', changedAt: now });
      return { ok: true, detail: `drained provider ${provider}: taken out of every chain in the store; ${follow}, and calls go to the next link` };
    case 'limit':
      await store.setModelProviderState({ provider, drained: false, maxConcurrency: rung.concurrency, reason, changedBy: 'controller', changedAt: now });
      return { ok: true, detail: `limited provider ${provider} to ${rung.concurrency} attempt(s) in flight per process in the store; ${follow}, and calls past the limit go to the next link` };
    case 'restore':
      await store.setModelProviderState({ provider, drained: false, maxConcurrency: null, reason, changedBy: 'controller', changedAt: now });
      return { ok: true, detail: `restored provider ${provider}: back in its chains, without a concurrency limit, in the store; ${follow}` };
  }
}
