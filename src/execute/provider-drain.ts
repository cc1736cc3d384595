import { providerOf } from '../analyze/provider-element.js';
import type { ModelStore } from '../store/ports/model-store.js';
import type { ActionOutcome, ActionTarget } from './actuators.js';

/**
 * The `drain` and `restore` rungs: a model provider's drained state written to the store,
 * where every process making model calls reads it (model/drain-states.ts) — in-process
 * state would reach only the controller, not the workers that call the provider.
 *
 * Threat model: only a remediation of an incident on `provider:<name>` (the leader's, under
 * the guardrails, with approval where the policy asks) or an operator with write access to
 * the store can cause it; it reaches one row of `model_provider_states`, nothing outside
 * homeostat. The worst it can do is take a provider out of its chains — calls then go to
 * the next link or fail as `chain-exhausted`, never to a provider that is not configured.
 *
 * @example await setProviderDrained(store, 'drain', { incidentId: '7', service: 'provider:openai' }, Date.now()) // { ok: true, detail: 'drained provider openai …' }
 * @example await setProviderDrained(store, 'drain', { incidentId: '7', service: 'api' }, Date.now()) // { ok: false, detail: 'drain acts on a model provider …' }
 */
export async function setProviderDrained(store: Pick<ModelStore, 'setModelProviderDrained'>, action: 'drain' | 'restore', target: ActionTarget, now: number, knownProviders?: readonly string[]): Promise<ActionOutcome> {
  const provider = providerOf(target.service);
  if (provider === undefined) return { ok: false, detail: `${action} acts on a model provider (element provider:<name>), not on ${target.service}` };
  if (knownProviders && !knownProviders.includes(provider)) return { ok: false, detail: `${action}: no model provider "${provider}" in the applied config (models.providers)` };
  const drained = action === 'drain';
  await store.setModelProviderDrained({ provider, drained, reason: `incident ${target.incidentId}${target.requestId ? ` (${target.requestId})` : ''}`, changedBy: 'controller', changedAt: now });
  return drained
    ? { ok: true, detail: `drained provider ${provider}: taken out of every chain in the store; each process making model calls follows at its next drain refresh, and calls go to the next link` }
    : { ok: true, detail: `restored provider ${provider}: back in its chains in the store; each process making model calls follows at its next drain refresh` };
}
