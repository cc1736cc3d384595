import type { AuditVerification } from '../../knowledge/audit-log.js';
import type { AuditEntryRecord } from '../../store/records.js';
import { anyJson, arrayOf, boolean, closedObject, nullableText, number, oneOf, text } from './json-schema.js';
import { pickFields } from './pick-fields.js';
import { parsedPayload } from './parsed-payload.js';

const auditProperties = { seq: number, at: number, actor: text, action: text, subject: text, prevHash: text, hash: text };

/** An audit entry; `data` parsed (text that is not JSON stays text). */
export const auditEntrySchema = closedObject({ ...auditProperties, data: anyJson });

export function auditEntryShape(entry: AuditEntryRecord) {
  return { seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, data: parsedPayload(entry.data), prevHash: entry.prevHash, hash: entry.hash };
}

/** The first bad entry as verify found it: `data` as the JSON text stored, which is what its hash covers. */
const storedAuditEntrySchema = closedObject({ ...auditProperties, data: text });

const anchorSchema = closedObject(
  { source: oneOf(['head-file', 'expected']), ok: boolean, finding: oneOf(['intact', 'extended', 'truncated', 'rewritten', 'forged', 'unreadable']), detail: text, seq: number },
  ['seq'],
);

export const auditVerificationSchema = closedObject(
  { ok: boolean, checked: number, firstBad: closedObject({ seq: number, reason: text, entry: storedAuditEntrySchema }), head: nullableText, anchors: arrayOf(anchorSchema) },
  ['firstBad'],
);

export function auditVerificationShape(verification: AuditVerification) {
  const { firstBad } = verification;
  return {
    ok: verification.ok,
    checked: verification.checked,
    ...(firstBad ? { firstBad: { ...pickFields(firstBad, ['seq', 'reason']), entry: storedAuditEntry(firstBad.entry) } } : {}),
    head: verification.head,
    anchors: verification.anchors.map((anchor) => pickFields(anchor, ['source', 'ok', 'finding', 'detail', 'seq'])),
  };
}

function storedAuditEntry(entry: AuditEntryRecord) {
  return { seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, data: entry.data, prevHash: entry.prevHash, hash: entry.hash };
}
