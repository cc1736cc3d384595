import type { ApprovalRecord, ApprovalStatus, AuditEntryRecord, ConfigVersionRecord, IncidentEntryRecord, IncidentFilter, IncidentRecord, IncidentUpdate, NewAuditEntryRecord, NewIncidentEntryRecord, OutcomeStatRecord, PauseRecord } from '../records.js';
import type { KnowledgeStore } from '../ports/knowledge-store.js';
import { APPROVAL_COLUMNS, AUDIT_COLUMNS, CONFIG_COLUMNS, ENTRY_COLUMNS, INCIDENT_COLUMNS, incidentFromRow, type IncidentRow, OUTCOME_COLUMNS, PAUSE_COLUMNS } from '../knowledge-columns.js';
import { count, rows, type SqlExecutor } from './sql-executor.js';
import type { SqlColumn } from './sql-dialect.js';

const UNRESOLVED_OF_KEY = `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE key = $1 AND status <> 'resolved'`;

const ENTRY_BATCH: readonly SqlColumn[] = [
  { name: 'incident_id', type: 'text' },
  { name: 'at', type: 'bigint' },
  { name: 'kind', type: 'text' },
  { name: 'data', type: 'text' },
];

/**
 * The Knowledge tables (migration 0004_knowledge) on either driver: incidents and their
 * explanation chains, approvals, config versions, the audit log, outcome statistics,
 * pauses and guardrail state. Appends that read the tail first (audit chain, config
 * versions) run in a transaction that serialises them, so concurrent controllers never
 * fork the chain.
 */
export class KnowledgeTables implements KnowledgeStore {
  constructor(private readonly sql: SqlExecutor) {}

  async openIncident(incident: IncidentRecord): Promise<{ incident: IncidentRecord; created: boolean }> {
    // The partial unique index on key (status <> 'resolved') makes the insert do nothing
    // when the key already has an unresolved incident: that one is returned instead.
    return this.sql.transaction('opening an incident', function* () {
      const inserted = yield* rows<IncidentRow>(
        `INSERT INTO incidents (id, key, element, symptom, status, summary, diagnosis, opened_at, updated_at, resolved_at, remediation_run_id, remediation_cycle)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (key) WHERE status <> 'resolved' DO NOTHING RETURNING ${INCIDENT_COLUMNS}`,
        [incident.id, incident.key, incident.element, incident.symptom, incident.status, incident.summary, incident.diagnosis, incident.openedAt, incident.updatedAt, incident.resolvedAt, incident.remediation?.runId ?? null, incident.remediation?.cycle ?? null],
      );
      if (inserted[0]) return { incident: incidentFromRow(inserted[0]), created: true };
      const existing = yield* rows<IncidentRow>(UNRESOLVED_OF_KEY, [incident.key]);
      return { incident: incidentFromRow(existing[0]!), created: false };
    });
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    const row = (await this.sql.rows<IncidentRow>('reading an incident', `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [id]))[0];
    return row && incidentFromRow(row);
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<IncidentRecord[]> {
    const dialect = this.sql.dialect;
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status?.length) {
      params.push(dialect.list(filter.status));
      where.push(dialect.inList('status', params.length));
    }
    if (filter.element !== undefined) {
      params.push(filter.element);
      where.push(`element = $${params.length}`);
    }
    if (filter.key !== undefined) {
      params.push(filter.key);
      where.push(`key = $${params.length}`);
    }
    if (filter.unresolved) where.push(`status <> 'resolved'`);
    params.push(filter.limit ?? 100);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const found = await this.sql.rows<IncidentRow>(
      'listing incidents',
      `SELECT ${INCIDENT_COLUMNS} FROM incidents ${clause} ORDER BY opened_at DESC, ${dialect.tieBreak} DESC LIMIT $${params.length}`,
      params,
    );
    return found.map(incidentFromRow);
  }

  async reopenIncident(id: string, at: number): Promise<{ incident: IncidentRecord; reopened: boolean } | undefined> {
    const forUpdate = this.sql.dialect.forUpdate;
    return this.sql.transaction('re-opening an incident', function* () {
      const row = (yield* rows<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1${forUpdate}`, [id]))[0];
      const incident = row && incidentFromRow(row);
      if (!incident || incident.status !== 'resolved') return incident && { incident, reopened: false };
      // The partial unique index on key (status <> 'resolved') decides a race with an opening: nothing is updated then.
      const updated = yield* rows<IncidentRow>(
        `UPDATE incidents SET status = 'open', updated_at = $2, resolved_at = NULL, resolution = NULL, resolved_by = NULL
         WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM incidents WHERE key = $3 AND status <> 'resolved') RETURNING ${INCIDENT_COLUMNS}`,
        [id, at, incident.key],
      );
      if (updated[0]) return { incident: incidentFromRow(updated[0]), reopened: true };
      const other = yield* rows<IncidentRow>(UNRESOLVED_OF_KEY, [incident.key]);
      return { incident: other[0] ? incidentFromRow(other[0]) : incident, reopened: false };
    });
  }

  async updateIncident(id: string, update: IncidentUpdate): Promise<IncidentRecord | undefined> {
    const params: unknown[] = [id, update.updatedAt];
    const sets = ['updated_at = $2'];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (update.status !== undefined) set('status', update.status);
    if (update.element !== undefined) set('element', update.element);
    if (update.summary !== undefined) set('summary', update.summary);
    if (update.diagnosis !== undefined) set('diagnosis', update.diagnosis);
    if (update.resolvedAt !== undefined) set('resolved_at', update.resolvedAt);
    if (update.resolution !== undefined) set('resolution', update.resolution);
    if (update.resolvedBy !== undefined) set('resolved_by', update.resolvedBy);
    if (update.acknowledgedAt !== undefined) set('acknowledged_at', update.acknowledgedAt);
    if (update.acknowledgedBy !== undefined) set('acknowledged_by', update.acknowledgedBy);
    if (update.remediation !== undefined) {
      set('remediation_run_id', update.remediation?.runId ?? null);
      set('remediation_cycle', update.remediation?.cycle ?? null);
    }
    const unlessResolved = update.unlessResolved ? ` AND status <> 'resolved'` : '';
    const updated = (await this.sql.rows<IncidentRow>('updating an incident', `UPDATE incidents SET ${sets.join(', ')} WHERE id = $1${unlessResolved} RETURNING ${INCIDENT_COLUMNS}`, params))[0];
    return updated && incidentFromRow(updated);
  }

  async appendIncidentEntries(entries: NewIncidentEntryRecord[]): Promise<void> {
    if (entries.length === 0) return;
    const dialect = this.sql.dialect;
    // One statement keeps the batch atomic and its ids in order; the loop's many
    // reconciles in one turn may share a commit (each resolves after its own is committed).
    await this.sql.count(
      'appending incident entries',
      `INSERT INTO incident_entries (incident_id, at, kind, data)
       SELECT e.incident_id, e.at, e.kind, e.data FROM ${dialect.rowsFrom('e', 1, ENTRY_BATCH)} ORDER BY e.n`,
      dialect.rowParams(ENTRY_BATCH, entries.map((entry) => [entry.incidentId, entry.at, entry.kind, entry.data])),
      { commitGroup: `incident:${entries[0]!.incidentId}` },
    );
  }

  async listIncidentEntries(incidentId: string): Promise<IncidentEntryRecord[]> {
    return this.sql.rows<IncidentEntryRecord>('listing incident entries', `SELECT ${ENTRY_COLUMNS} FROM incident_entries WHERE incident_id = $1 ORDER BY id`, [incidentId]);
  }

  async requestApproval(approval: ApprovalRecord): Promise<ApprovalRecord> {
    await this.sql.count(
      'requesting an approval',
      `INSERT INTO approvals (id, incident_id, action, status, requested_at, expires_at, decided_at, decided_by, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [approval.id, approval.incidentId, approval.action, approval.status, approval.requestedAt, approval.expiresAt, approval.decidedAt, approval.decidedBy, approval.reason],
    );
    return (await this.getApproval(approval.id))!;
  }

  async decideApproval(id: string, decision: Exclude<ApprovalStatus, 'pending'>, by: string, reason: string | null, now: number): Promise<ApprovalRecord | undefined> {
    await this.sql.count(
      'deciding an approval',
      `UPDATE approvals SET status = $2, decided_at = $3, decided_by = $4, reason = $5 WHERE id = $1 AND status = 'pending'`,
      [id, decision, now, by, reason],
    );
    return this.getApproval(id);
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    return (await this.sql.rows<ApprovalRecord>('reading an approval', `SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE id = $1`, [id]))[0];
  }

  async listApprovals(status?: ApprovalStatus[]): Promise<ApprovalRecord[]> {
    const dialect = this.sql.dialect;
    const filtered = status !== undefined && status.length > 0;
    return this.sql.rows<ApprovalRecord>(
      'listing approvals',
      `SELECT ${APPROVAL_COLUMNS} FROM approvals ${filtered ? `WHERE ${dialect.inList('status', 1)}` : ''} ORDER BY requested_at, id`,
      filtered ? [dialect.list(status)] : [],
    );
  }

  async saveConfigVersion(version: Omit<ConfigVersionRecord, 'version'>): Promise<ConfigVersionRecord> {
    const lock = this.sql.dialect.lockTable('config_versions');
    return this.sql.transaction('saving a config version', function* () {
      if (lock) yield* count(lock);
      const newest = (yield* rows<ConfigVersionRecord>(`SELECT ${CONFIG_COLUMNS} FROM config_versions ORDER BY version DESC LIMIT 1`))[0];
      if (newest && newest.hash === version.hash) return newest;
      const record = { ...version, version: (newest?.version ?? 0) + 1 };
      yield* count('INSERT INTO config_versions (version, hash, text, applied_at, status, source) VALUES ($1, $2, $3, $4, $5, $6)', [
        record.version,
        record.hash,
        record.text,
        record.appliedAt,
        record.status,
        record.source,
      ]);
      return record;
    });
  }

  async markConfigVersion(version: number, status: ConfigVersionRecord['status']): Promise<void> {
    await this.sql.count('marking a config version', 'UPDATE config_versions SET status = $2 WHERE version = $1', [version, status]);
  }

  async listConfigVersions(): Promise<ConfigVersionRecord[]> {
    return this.sql.rows<ConfigVersionRecord>('listing config versions', `SELECT ${CONFIG_COLUMNS} FROM config_versions ORDER BY version`);
  }

  async appendAudit(entry: NewAuditEntryRecord, seal: (link: { seq: number; prevHash: string }) => string): Promise<AuditEntryRecord> {
    const lock = this.sql.dialect.lockTable('audit_log');
    return this.sql.transaction('appending to the audit log', function* () {
      if (lock) yield* count(lock);
      const tail = (yield* rows<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'))[0];
      const link = { seq: (tail?.seq ?? 0) + 1, prevHash: tail?.hash ?? '' };
      const record: AuditEntryRecord = { ...entry, ...link, hash: seal(link) };
      yield* count('INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        record.seq,
        record.at,
        record.actor,
        record.action,
        record.subject,
        record.data,
        record.prevHash,
        record.hash,
      ]);
      return record;
    });
  }

  async listAudit(options: { afterSeq?: number; limit?: number } = {}): Promise<AuditEntryRecord[]> {
    return this.sql.rows<AuditEntryRecord>('listing the audit log', `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [
      options.afterSeq ?? 0,
      options.limit ?? this.sql.dialect.noLimit,
    ]);
  }

  async recordOutcome(diagnosis: string, action: string, success: boolean, now: number): Promise<void> {
    await this.sql.count(
      'recording an outcome',
      `INSERT INTO outcome_stats (diagnosis, action, successes, failures, last_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (diagnosis, action) DO UPDATE SET successes = outcome_stats.successes + $3, failures = outcome_stats.failures + $4, last_at = $5`,
      [diagnosis, action, success ? 1 : 0, success ? 0 : 1, now],
    );
  }

  async listOutcomeStats(): Promise<OutcomeStatRecord[]> {
    return this.sql.rows<OutcomeStatRecord>('listing outcome statistics', `SELECT ${OUTCOME_COLUMNS} FROM outcome_stats ORDER BY diagnosis, action`);
  }

  async setPause(scope: string, paused: boolean, by: string, reason: string, now: number): Promise<void> {
    if (!paused) {
      await this.sql.count('resuming', 'DELETE FROM pauses WHERE scope = $1', [scope]);
      return;
    }
    await this.sql.count(
      'pausing',
      'INSERT INTO pauses (scope, by, reason, paused_at) VALUES ($1, $2, $3, $4) ON CONFLICT (scope) DO UPDATE SET by = excluded.by, reason = excluded.reason, paused_at = excluded.paused_at',
      [scope, by, reason, now],
    );
  }

  async listPauses(): Promise<PauseRecord[]> {
    return this.sql.rows<PauseRecord>('listing pauses', `SELECT ${PAUSE_COLUMNS} FROM pauses ORDER BY scope`);
  }

  async saveGuardState(key: string, json: string, now: number): Promise<void> {
    await this.sql.count(
      'saving guardrail state',
      'INSERT INTO guard_states (key, json, saved_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET json = excluded.json, saved_at = excluded.saved_at',
      [key, json, now],
    );
  }

  async loadGuardState(key: string): Promise<string | undefined> {
    return (await this.sql.rows<{ json: string }>('loading guardrail state', 'SELECT json FROM guard_states WHERE key = $1', [key]))[0]?.json;
  }
}
