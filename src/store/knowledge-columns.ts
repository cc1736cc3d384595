import type { IncidentRecord } from './records.js';

/**
 * Column lists shared by the SQLite and PostgreSQL knowledge tables: they read rows
 * straight into the records' camelCase shape (both dialects accept the quoted aliases).
 */
export const INCIDENT_COLUMNS =
  'id, key, element, symptom, status, summary, diagnosis, opened_at AS "openedAt", updated_at AS "updatedAt", resolved_at AS "resolvedAt", resolution, resolved_by AS "resolvedBy", acknowledged_at AS "acknowledgedAt", acknowledged_by AS "acknowledgedBy", remediation_run_id AS "remediationRunId", remediation_cycle AS "remediationCycle"';

/** An incident row as {@link INCIDENT_COLUMNS} reads it: the remediation reference is two columns. */
export type IncidentRow = Omit<IncidentRecord, 'remediation'> & { remediationRunId: string | null; remediationCycle: number | null };

/** The record of an incident row (both columns of the reference set, or it has none). */
export function incidentFromRow(row: IncidentRow): IncidentRecord {
  const { remediationRunId, remediationCycle, ...incident } = row;
  return { ...incident, remediation: remediationRunId !== null && remediationCycle !== null ? { runId: remediationRunId, cycle: Number(remediationCycle) } : null };
}
export const ENTRY_COLUMNS = 'id, incident_id AS "incidentId", at, kind, data';
export const APPROVAL_COLUMNS =
  'id, incident_id AS "incidentId", action, status, requested_at AS "requestedAt", expires_at AS "expiresAt", decided_at AS "decidedAt", decided_by AS "decidedBy", reason';
export const CONFIG_COLUMNS = 'version, hash, text, applied_at AS "appliedAt", status, source';
export const AUDIT_COLUMNS = 'seq, at, actor, action, subject, data, prev_hash AS "prevHash", hash';
export const OUTCOME_COLUMNS = 'diagnosis, action, successes, failures, last_at AS "lastAt"';
export const PAUSE_COLUMNS = 'scope, by, reason, paused_at AS "pausedAt"';
