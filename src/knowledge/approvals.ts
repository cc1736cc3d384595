import type { ApprovalRecord, ApprovalStatus } from '../store/records.js';
import type { KnowledgeStore } from '../store/store.js';
import type { AuditLog } from './audit-log.js';
import { redactText } from './redact.js';

/**
 * Approvals of risky remediation actions: every request and decision is stored and
 * audited here, with the action's text and the reason redacted before they are written,
 * so no caller writes an approval past the audit log.
 *
 * @example
 * await approvals.request({ id: 'remediate:db:inc-1:0:1', incidentId: 'inc-1', action: 'restart db', ttlMs: 60_000 }, 'controller');
 * @example
 * await approvals.decide('remediate:db:inc-1:0:1', 'approved', 'api:alice', 'looks safe') // the approval as stored: { status: 'approved', decidedBy: 'api:alice', … }
 */
export class Approvals {
  constructor(
    private readonly store: KnowledgeStore,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Record a pending request (idempotent on `id`: a replayed step finds the existing one) and audit it. */
  async request(request: { id: string; incidentId: string; action: string; ttlMs: number }, by: string): Promise<ApprovalRecord> {
    const at = this.now();
    const action = redactText(request.action);
    const approval = await this.store.requestApproval({ id: request.id, incidentId: request.incidentId, action, status: 'pending', requestedAt: at, expiresAt: at + request.ttlMs, decidedAt: null, decidedBy: null, reason: null });
    await this.audit.append(by, 'approval.requested', request.incidentId, { approval: request.id, action });
    return approval;
  }

  /**
   * Decide a pending approval; the first decision wins. Returns the approval as it is
   * afterwards (compare its status with `decision` to know whether this call decided it);
   * only a decision this call made is audited.
   */
  async decide(id: string, decision: Exclude<ApprovalStatus, 'pending'>, by: string, reason: string | null): Promise<ApprovalRecord | undefined> {
    const cleanReason = reason === null ? null : redactText(reason);
    const at = this.now();
    const decided = await this.store.decideApproval(id, decision, by, cleanReason, at);
    // The store keeps the first decision: this call made it when the stored one is its own.
    if (decided?.status === decision && decided.decidedBy === by && decided.decidedAt === at) {
      await this.audit.append(by, `approval.${decision}`, decided.incidentId, { approval: id, action: decided.action, reason: cleanReason });
    }
    return decided;
  }

  get(id: string): Promise<ApprovalRecord | undefined> {
    return this.store.getApproval(id);
  }

  /** Oldest first; only those with these statuses when given. */
  list(status?: ApprovalStatus[]): Promise<ApprovalRecord[]> {
    return this.store.listApprovals(status);
  }
}
