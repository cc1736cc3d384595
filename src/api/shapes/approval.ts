import type { ApprovalRecord } from '../../store/records.js';
import { closedObject, nullableNumber, nullableText, number, oneOf, text } from './json-schema.js';

export const approvalSchema = closedObject({
  id: text,
  incidentId: text,
  action: text,
  status: oneOf(['pending', 'approved', 'denied', 'expired']),
  requestedAt: number,
  expiresAt: number,
  decidedAt: nullableNumber,
  decidedBy: nullableText,
  reason: nullableText,
});

export function approvalShape(approval: ApprovalRecord) {
  return {
    id: approval.id,
    incidentId: approval.incidentId,
    action: approval.action,
    status: approval.status,
    requestedAt: approval.requestedAt,
    expiresAt: approval.expiresAt,
    decidedAt: approval.decidedAt,
    decidedBy: approval.decidedBy,
    reason: approval.reason,
  };
}
