import { HomeostatError } from '../errors/homeostat-error.js';
import { Knowledge } from '../knowledge/knowledge.js';
import type { ApprovalRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/** The one thing deciding an approval needs from the engine: signalling the waiting run. */
export interface ApprovalSignaller {
  signal(runId: string, name: string, payload?: unknown): Promise<void>;
}

/**
 * Approve or deny a pending remediation action — by approval id, or by incident id (its
 * latest pending approval) — as `by`: the decision is stored (the first one wins), audited,
 * and the remediation run waiting for it is signalled. Used by `homeostat approve`/`deny`
 * and by the HTTP API.
 *
 * @example
 * await decideApproval({ store, engine }, 'inc-1a2b3c4d', 'approved', 'operator:alice', 'looks safe');
 * @example
 * await decideApproval({ store, engine }, 'inc-done', 'denied', 'api:bob', null); // throws HS_APPROVAL_DECIDED when already decided
 */
export async function decideApproval(
  deps: { store: Store; engine: ApprovalSignaller; now?: () => number },
  id: string,
  decision: 'approved' | 'denied',
  by: string,
  reason: string | null,
): Promise<ApprovalRecord> {
  const { engine } = deps;
  const approvals = new Knowledge(deps.store, deps.now ?? Date.now).approvals;
  const approval = (await approvals.get(id)) ?? (await approvals.list(['pending'])).filter((a) => a.incidentId === id).at(-1);
  if (!approval) throw new HomeostatError('HS_APPROVAL_NOT_FOUND', `no pending approval for ${id} (homeostat incident show ${id} says what the incident waits for)`);
  if (approval.status !== 'pending') throw new HomeostatError('HS_APPROVAL_DECIDED', `approval ${approval.id} is already ${approval.status}${approval.decidedBy ? ` (by ${approval.decidedBy})` : ''}`);
  const decided = await approvals.decide(approval.id, decision, by, reason);
  if (!decided || decided.status !== decision || decided.decidedBy !== by) throw new HomeostatError('HS_APPROVAL_DECIDED', `approval ${approval.id} was decided meanwhile: ${decided?.status ?? 'gone'}`);
  // Approval ids are `<runId>:<rung>`; the remediation run waits for signal `approval:<rung>`.
  const cut = approval.id.lastIndexOf(':');
  await engine.signal(approval.id.slice(0, cut), `approval:${approval.id.slice(cut + 1)}`, decision);
  return decided;
}
