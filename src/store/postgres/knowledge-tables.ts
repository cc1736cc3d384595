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
import type { ConnectionPool } from './connection.js';

/**
 * The Knowledge tables (migration 0004_knowledge) on PostgreSQL: the same semantics as
 * `SqliteKnowledgeTables`. Appends that read the tail first (audit chain, config
 * versions) lock their table, so concurrent controllers never fork the chain.
 */
export class PostgresKnowledgeTables {
  constructor(private readonly db: ConnectionPool) {}

  async openIncident(incident: IncidentRecord): Promise<{ incident: IncidentRecord; created: boolean }> {
    return this.db.transaction('opening an incident', async (client) => {
      const inserted = await client.query<IncidentRow>(
        `INSERT INTO incidents (id, key, element, symptom, status, summary, diagnosis, opened_at, updated_at, resolved_at, remediation_run_id, remediation_cycle)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (key) WHERE status <> 'resolved' DO NOTHING RETURNING ${INCIDENT_COLUMNS}`,
        [incident.id, incident.key, incident.element, incident.symptom, incident.status, incident.summary, incident.diagnosis, incident.openedAt, incident.updatedAt, incident.resolvedAt, incident.remediation?.runId ?? null, incident.remediation?.cycle ?? null],
      );
      if (inserted.rows[0]) return { incident: incidentFromRow(inserted.rows[0]), created: true };
      const existing = await client.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE key = $1 AND status <> 'resolved'`, [incident.key]);
      return { incident: incidentFromRow(existing.rows[0]!), created: false };
    });
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    const { rows } = await this.db.query<IncidentRow>('reading an incident', `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [id]);
    return rows[0] && incidentFromRow(rows[0]);
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<IncidentRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status?.length) {
      params.push(filter.status);
      where.push(`status = ANY($${params.length}::text[])`);
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
    const { rows } = await this.db.query<IncidentRow>(
      'listing incidents',
      `SELECT ${INCIDENT_COLUMNS} FROM incidents ${clause} ORDER BY opened_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(incidentFromRow);
  }

  async reopenIncident(id: string, at: number): Promise<{ incident: IncidentRecord; reopened: boolean } | undefined> {
    return this.db.transaction('re-opening an incident', async (client) => {
      const found = await client.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1 FOR UPDATE`, [id]);
      const incident = found.rows[0] && incidentFromRow(found.rows[0]);
      if (!incident || incident.status !== 'resolved') return incident && { incident, reopened: false };
      // The partial unique index on key (status <> 'resolved') decides a race with an opening: nothing is updated then.
      const updated = await client.query<IncidentRow>(
        `UPDATE incidents SET status = 'open', updated_at = $2, resolved_at = NULL, resolution = NULL, resolved_by = NULL
         WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM incidents WHERE key = $3 AND status <> 'resolved') RETURNING ${INCIDENT_COLUMNS}`,
        [id, at, incident.key],
      );
      if (updated.rows[0]) return { incident: incidentFromRow(updated.rows[0]), reopened: true };
      const other = await client.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE key = $1 AND status <> 'resolved'`, [incident.key]);
      return { incident: other.rows[0] ? incidentFromRow(other.rows[0]) : incident, reopened: false };
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
    const { rows } = await this.db.query<IncidentRow>('updating an incident', `UPDATE incidents SET ${sets.join(', ')} WHERE id = $1${update.unlessResolved ? ` AND status <> 'resolved'` : ''} RETURNING ${INCIDENT_COLUMNS}`, params);
    return rows[0] && incidentFromRow(rows[0]);
  }

  async appendIncidentEntries(entries: NewIncidentEntryRecord[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      'appending incident entries',
      `INSERT INTO incident_entries (incident_id, at, kind, data)
       SELECT e.incident_id, e.at, e.kind, e.data
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS e(incident_id, at, kind, data, n)
       ORDER BY e.n`,
      [entries.map((e) => e.incidentId), entries.map((e) => e.at), entries.map((e) => e.kind), entries.map((e) => e.data)],
    );
  }

  async listIncidentEntries(incidentId: string): Promise<IncidentEntryRecord[]> {
    const { rows } = await this.db.query<IncidentEntryRecord>('listing incident entries', `SELECT ${ENTRY_COLUMNS} FROM incident_entries WHERE incident_id = $1 ORDER BY id`, [incidentId]);
    return rows;
  }

  async requestApproval(approval: ApprovalRecord): Promise<ApprovalRecord> {
    await this.db.query(
      'requesting an approval',
      `INSERT INTO approvals (id, incident_id, action, status, requested_at, expires_at, decided_at, decided_by, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [approval.id, approval.incidentId, approval.action, approval.status, approval.requestedAt, approval.expiresAt, approval.decidedAt, approval.decidedBy, approval.reason],
    );
    return (await this.getApproval(approval.id))!;
  }

  async decideApproval(id: string, decision: Exclude<ApprovalStatus, 'pending'>, by: string, reason: string | null, now: number): Promise<ApprovalRecord | undefined> {
    await this.db.query(
      'deciding an approval',
      `UPDATE approvals SET status = $2, decided_at = $3, decided_by = $4, reason = $5 WHERE id = $1 AND status = 'pending'`,
      [id, decision, now, by, reason],
    );
    return this.getApproval(id);
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    const { rows } = await this.db.query<ApprovalRecord>('reading an approval', `SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE id = $1`, [id]);
    return rows[0];
  }

  async listApprovals(status?: ApprovalStatus[]): Promise<ApprovalRecord[]> {
    const filtered = status !== undefined && status.length > 0;
    const { rows } = await this.db.query<ApprovalRecord>(
      'listing approvals',
      `SELECT ${APPROVAL_COLUMNS} FROM approvals ${filtered ? 'WHERE status = ANY($1::text[])' : ''} ORDER BY requested_at, id`,
      filtered ? [status] : [],
    );
    return rows;
  }

  async saveConfigVersion(version: Omit<ConfigVersionRecord, 'version'>): Promise<ConfigVersionRecord> {
    return this.db.transaction('saving a config version', async (client) => {
      await client.query('LOCK TABLE config_versions IN SHARE ROW EXCLUSIVE MODE');
      const newest = (await client.query<ConfigVersionRecord>(`SELECT ${CONFIG_COLUMNS} FROM config_versions ORDER BY version DESC LIMIT 1`)).rows[0];
      if (newest && newest.hash === version.hash) return newest;
      const record = { ...version, version: (newest?.version ?? 0) + 1 };
      await client.query('INSERT INTO config_versions (version, hash, text, applied_at, status, source) VALUES ($1, $2, $3, $4, $5, $6)', [
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
    await this.db.query('marking a config version', 'UPDATE config_versions SET status = $2 WHERE version = $1', [version, status]);
  }

  async listConfigVersions(): Promise<ConfigVersionRecord[]> {
    const { rows } = await this.db.query<ConfigVersionRecord>('listing config versions', `SELECT ${CONFIG_COLUMNS} FROM config_versions ORDER BY version`);
    return rows;
  }

  async appendAudit(entry: NewAuditEntryRecord, seal: (link: { seq: number; prevHash: string }) => string): Promise<AuditEntryRecord> {
    return this.db.transaction('appending to the audit log', async (client) => {
      await client.query('LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE');
      const tail = (await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')).rows[0];
      const link = { seq: (tail?.seq ?? 0) + 1, prevHash: tail?.hash ?? '' };
      const record: AuditEntryRecord = { ...entry, ...link, hash: seal(link) };
      await client.query('INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
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
    const { rows } = await this.db.query<AuditEntryRecord>('listing the audit log', `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [
      options.afterSeq ?? 0,
      options.limit ?? null,
    ]);
    return rows;
  }

  async recordOutcome(diagnosis: string, action: string, success: boolean, now: number): Promise<void> {
    await this.db.query(
      'recording an outcome',
      `INSERT INTO outcome_stats (diagnosis, action, successes, failures, last_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (diagnosis, action) DO UPDATE SET successes = outcome_stats.successes + $3, failures = outcome_stats.failures + $4, last_at = $5`,
      [diagnosis, action, success ? 1 : 0, success ? 0 : 1, now],
    );
  }

  async listOutcomeStats(): Promise<OutcomeStatRecord[]> {
    const { rows } = await this.db.query<OutcomeStatRecord>('listing outcome statistics', `SELECT ${OUTCOME_COLUMNS} FROM outcome_stats ORDER BY diagnosis, action`);
    return rows;
  }

  async setPause(scope: string, paused: boolean, by: string, reason: string, now: number): Promise<void> {
    if (!paused) {
      await this.db.query('resuming', 'DELETE FROM pauses WHERE scope = $1', [scope]);
      return;
    }
    await this.db.query(
      'pausing',
      'INSERT INTO pauses (scope, by, reason, paused_at) VALUES ($1, $2, $3, $4) ON CONFLICT (scope) DO UPDATE SET by = EXCLUDED.by, reason = EXCLUDED.reason, paused_at = EXCLUDED.paused_at',
      [scope, by, reason, now],
    );
  }

  async listPauses(): Promise<PauseRecord[]> {
    const { rows } = await this.db.query<PauseRecord>('listing pauses', `SELECT ${PAUSE_COLUMNS} FROM pauses ORDER BY scope`);
    return rows;
  }

  async saveGuardState(key: string, json: string, now: number): Promise<void> {
    await this.db.query(
      'saving guardrail state',
      'INSERT INTO guard_states (key, json, saved_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET json = EXCLUDED.json, saved_at = EXCLUDED.saved_at',
      [key, json, now],
    );
  }

  async loadGuardState(key: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ json: string }>('loading guardrail state', 'SELECT json FROM guard_states WHERE key = $1', [key]);
    return rows[0]?.json;
  }
}
