import type Database from 'better-sqlite3';
import type {
  ApprovalRecord,
  ApprovalStatus,
  AuditEntryRecord,
  ConfigVersionRecord,
  IncidentEntryRecord,
  IncidentFilter,
  IncidentRecord,
  IncidentUpdate,
  NewAuditEntryRecord,
  NewIncidentEntryRecord,
  OutcomeStatRecord,
  PauseRecord,
} from '../records.js';

import {
  APPROVAL_COLUMNS,
  AUDIT_COLUMNS,
  CONFIG_COLUMNS,
  ENTRY_COLUMNS,
  INCIDENT_COLUMNS,
  incidentFromRow,
  type IncidentRow,
  OUTCOME_COLUMNS,
  PAUSE_COLUMNS,
} from '../knowledge-columns.js';

/**
 * The Knowledge tables (migration 0004_knowledge): incidents and their explanation
 * chains, approvals, config versions, the audit log, outcome statistics, pauses and
 * guardrail state, kept apart from the run tables of {@link SqliteStore}.
 */
export class SqliteKnowledgeTables {
  /** Prepared statements by SQL text: the loop runs the same few per reconcile. */
  private readonly statements = new Map<string, Database.Statement>();
  private readonly insertEntries: (entries: NewIncidentEntryRecord[]) => void;

  constructor(private readonly db: Database.Database) {
    this.insertEntries = db.transaction((entries: NewIncidentEntryRecord[]) => {
      const insert = this.prepare('INSERT INTO incident_entries (incident_id, at, kind, data) VALUES (@incidentId, @at, @kind, @data)');
      for (const entry of entries) insert.run(entry);
    }).immediate;
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  openIncident(incident: IncidentRecord): { incident: IncidentRecord; created: boolean } {
    return this.db
      .transaction(() => {
        const existing = this.prepare(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE key = ? AND status <> 'resolved'`).get(incident.key) as IncidentRow | undefined;
        if (existing) return { incident: incidentFromRow(existing), created: false };
        this
          .prepare(
            `INSERT INTO incidents (id, key, element, symptom, status, summary, diagnosis, opened_at, updated_at, resolved_at, remediation_run_id, remediation_cycle)
             VALUES (@id, @key, @element, @symptom, @status, @summary, @diagnosis, @openedAt, @updatedAt, @resolvedAt, @remediationRunId, @remediationCycle)`,
          )
          .run({ ...incident, remediation: null, remediationRunId: incident.remediation?.runId ?? null, remediationCycle: incident.remediation?.cycle ?? null });
        return { incident, created: true };
      })
      .immediate();
  }

  getIncident(id: string): IncidentRecord | undefined {
    const row = this.prepare(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`).get(id) as IncidentRow | undefined;
    return row && incidentFromRow(row);
  }

  listIncidents(filter: IncidentFilter = {}): IncidentRecord[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 100 };
    if (filter.status?.length) {
      where.push('status IN (SELECT value FROM json_each(@status))');
      params.status = JSON.stringify(filter.status);
    }
    if (filter.element !== undefined) {
      where.push('element = @element');
      params.element = filter.element;
    }
    if (filter.key !== undefined) {
      where.push('key = @key');
      params.key = filter.key;
    }
    if (filter.unresolved) where.push(`status <> 'resolved'`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return (this.prepare(`SELECT ${INCIDENT_COLUMNS} FROM incidents ${clause} ORDER BY opened_at DESC, rowid DESC LIMIT @limit`).all(params) as IncidentRow[]).map(incidentFromRow);
  }

  reopenIncident(id: string, at: number): { incident: IncidentRecord; reopened: boolean } | undefined {
    return this.db
      .transaction(() => {
        const incident = this.getIncident(id);
        if (!incident || incident.status !== 'resolved') return incident && { incident, reopened: false };
        const other = this.prepare(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE key = ? AND status <> 'resolved'`).get(incident.key) as IncidentRow | undefined;
        if (other) return { incident: incidentFromRow(other), reopened: false };
        const reopened = this.updateIncident(id, { status: 'open', updatedAt: at, resolvedAt: null, resolution: null, resolvedBy: null });
        return { incident: reopened!, reopened: true };
      })
      .immediate();
  }

  updateIncident(id: string, update: IncidentUpdate): IncidentRecord | undefined {
    const sets = ['updated_at = @updatedAt'];
    const params: Record<string, unknown> = { id, updatedAt: update.updatedAt };
    const set = (column: string, name: string, value: unknown) => {
      sets.push(`${column} = @${name}`);
      params[name] = value;
    };
    if (update.status !== undefined) set('status', 'status', update.status);
    if (update.element !== undefined) set('element', 'element', update.element);
    if (update.summary !== undefined) set('summary', 'summary', update.summary);
    if (update.diagnosis !== undefined) set('diagnosis', 'diagnosis', update.diagnosis);
    if (update.resolvedAt !== undefined) set('resolved_at', 'resolvedAt', update.resolvedAt);
    if (update.resolution !== undefined) set('resolution', 'resolution', update.resolution);
    if (update.resolvedBy !== undefined) set('resolved_by', 'resolvedBy', update.resolvedBy);
    if (update.acknowledgedAt !== undefined) set('acknowledged_at', 'acknowledgedAt', update.acknowledgedAt);
    if (update.acknowledgedBy !== undefined) set('acknowledged_by', 'acknowledgedBy', update.acknowledgedBy);
    if (update.remediation !== undefined) {
      set('remediation_run_id', 'remediationRunId', update.remediation?.runId ?? null);
      set('remediation_cycle', 'remediationCycle', update.remediation?.cycle ?? null);
    }
    const row = this.prepare(`UPDATE incidents SET ${sets.join(', ')} WHERE id = @id${update.unlessResolved ? ` AND status <> 'resolved'` : ''} RETURNING ${INCIDENT_COLUMNS}`).get(params) as IncidentRow | undefined;
    return row && incidentFromRow(row);
  }

  appendIncidentEntries(entries: NewIncidentEntryRecord[]): void {
    if (entries.length === 0) return;
    this.insertEntries(entries);
  }

  listIncidentEntries(incidentId: string): IncidentEntryRecord[] {
    return this.prepare(`SELECT ${ENTRY_COLUMNS} FROM incident_entries WHERE incident_id = ? ORDER BY id`).all(incidentId) as IncidentEntryRecord[];
  }

  requestApproval(approval: ApprovalRecord): ApprovalRecord {
    this
      .prepare(
        `INSERT INTO approvals (id, incident_id, action, status, requested_at, expires_at, decided_at, decided_by, reason)
         VALUES (@id, @incidentId, @action, @status, @requestedAt, @expiresAt, @decidedAt, @decidedBy, @reason)
         ON CONFLICT (id) DO NOTHING`,
      )
      .run(approval);
    return this.getApproval(approval.id)!;
  }

  decideApproval(id: string, decision: Exclude<ApprovalStatus, 'pending'>, by: string, reason: string | null, now: number): ApprovalRecord | undefined {
    this
      .prepare(`UPDATE approvals SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE id = ? AND status = 'pending'`)
      .run(decision, now, by, reason, id);
    return this.getApproval(id);
  }

  getApproval(id: string): ApprovalRecord | undefined {
    return this.prepare(`SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE id = ?`).get(id) as ApprovalRecord | undefined;
  }

  listApprovals(status?: ApprovalStatus[]): ApprovalRecord[] {
    if (!status?.length) return this.prepare(`SELECT ${APPROVAL_COLUMNS} FROM approvals ORDER BY requested_at, id`).all() as ApprovalRecord[];
    return this
      .prepare(`SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE status IN (SELECT value FROM json_each(?)) ORDER BY requested_at, id`)
      .all(JSON.stringify(status)) as ApprovalRecord[];
  }

  saveConfigVersion(version: Omit<ConfigVersionRecord, 'version'>): ConfigVersionRecord {
    return this.db
      .transaction(() => {
        const newest = this.prepare(`SELECT ${CONFIG_COLUMNS} FROM config_versions ORDER BY version DESC LIMIT 1`).get() as ConfigVersionRecord | undefined;
        if (newest && newest.hash === version.hash) return newest;
        const record = { ...version, version: (newest?.version ?? 0) + 1 };
        this
          .prepare('INSERT INTO config_versions (version, hash, text, applied_at, status, source) VALUES (@version, @hash, @text, @appliedAt, @status, @source)')
          .run(record);
        return record;
      })
      .immediate();
  }

  markConfigVersion(version: number, status: ConfigVersionRecord['status']): void {
    this.prepare('UPDATE config_versions SET status = ? WHERE version = ?').run(status, version);
  }

  listConfigVersions(): ConfigVersionRecord[] {
    return this.prepare(`SELECT ${CONFIG_COLUMNS} FROM config_versions ORDER BY version`).all() as ConfigVersionRecord[];
  }

  appendAudit(entry: NewAuditEntryRecord, seal: (link: { seq: number; prevHash: string }) => string): AuditEntryRecord {
    return this.db
      .transaction(() => {
        const tail = this.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
        const link = { seq: (tail?.seq ?? 0) + 1, prevHash: tail?.hash ?? '' };
        const record: AuditEntryRecord = { ...entry, ...link, hash: seal(link) };
        this
          .prepare('INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (@seq, @at, @actor, @action, @subject, @data, @prevHash, @hash)')
          .run(record);
        return record;
      })
      .immediate();
  }

  listAudit(options: { afterSeq?: number; limit?: number } = {}): AuditEntryRecord[] {
    return this
      .prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`)
      .all(options.afterSeq ?? 0, options.limit ?? -1) as AuditEntryRecord[];
  }

  recordOutcome(diagnosis: string, action: string, success: boolean, now: number): void {
    this
      .prepare(
        `INSERT INTO outcome_stats (diagnosis, action, successes, failures, last_at) VALUES (@diagnosis, @action, @s, @f, @now)
         ON CONFLICT (diagnosis, action) DO UPDATE SET successes = successes + @s, failures = failures + @f, last_at = @now`,
      )
      .run({ diagnosis, action, s: success ? 1 : 0, f: success ? 0 : 1, now });
  }

  listOutcomeStats(): OutcomeStatRecord[] {
    return this.prepare(`SELECT ${OUTCOME_COLUMNS} FROM outcome_stats ORDER BY diagnosis, action`).all() as OutcomeStatRecord[];
  }

  setPause(scope: string, paused: boolean, by: string, reason: string, now: number): void {
    if (!paused) {
      this.prepare('DELETE FROM pauses WHERE scope = ?').run(scope);
      return;
    }
    this
      .prepare('INSERT INTO pauses (scope, by, reason, paused_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope) DO UPDATE SET by = excluded.by, reason = excluded.reason, paused_at = excluded.paused_at')
      .run(scope, by, reason, now);
  }

  listPauses(): PauseRecord[] {
    return this.prepare(`SELECT ${PAUSE_COLUMNS} FROM pauses ORDER BY scope`).all() as PauseRecord[];
  }

  saveGuardState(key: string, json: string, now: number): void {
    this.prepare('INSERT INTO guard_states (key, json, saved_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json, saved_at = excluded.saved_at').run(key, json, now);
  }

  loadGuardState(key: string): string | undefined {
    return this.prepare('SELECT json FROM guard_states WHERE key = ?').pluck().get(key) as string | undefined;
  }
}
