import type { ApprovalRecord, ApprovalStatus, AuditEntryRecord, ConfigVersionRecord, IncidentEntryRecord, IncidentFilter, IncidentRecord, IncidentUpdate, NewAuditEntryRecord, NewIncidentEntryRecord, OutcomeStatRecord, PauseRecord } from '../records.js';

/**
 * The autonomic loop's memory (`src/knowledge` builds on it): incidents and their
 * explanation chains, approvals, config versions, the hash-chained audit log, outcome
 * statistics, pauses and saved guardrail state. Callers redact secrets before writing.
 */
export interface KnowledgeStore {
  /**
   * Open an incident, or return the unresolved one with the same `key` (`created: false`):
   * atomic, so two reconciles of one problem open one incident.
   */
  openIncident(incident: IncidentRecord): Promise<{ incident: IncidentRecord; created: boolean }>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  /** Newest first. */
  listIncidents(filter?: IncidentFilter): Promise<IncidentRecord[]>;
  /**
   * Re-open a resolved incident (its symptom came back): status `open`, its resolution
   * cleared. Atomic against the one-unresolved-incident-per-key index: when another
   * incident of the same key is unresolved, that one is returned (`reopened: false`) and
   * this one stays resolved. Undefined when `id` does not exist; an incident that is not
   * resolved is returned unchanged (`reopened: false`).
   */
  reopenIncident(id: string, at: number): Promise<{ incident: IncidentRecord; reopened: boolean } | undefined>;
  /** Change an incident; undefined when it does not exist. */
  updateIncident(id: string, update: IncidentUpdate): Promise<IncidentRecord | undefined>;
  /** Append explanation-chain entries in one transaction; ids grow in order. */
  appendIncidentEntries(entries: NewIncidentEntryRecord[]): Promise<void>;
  /** An incident's entries, oldest first. */
  listIncidentEntries(incidentId: string): Promise<IncidentEntryRecord[]>;

  /** Record a new approval request (idempotent on `id`: an existing one is returned unchanged). */
  requestApproval(approval: ApprovalRecord): Promise<ApprovalRecord>;
  /**
   * Decide a pending approval. Only a `pending` one changes (the first decision wins, and
   * an expired one stays expired); returns the approval as it is afterwards.
   */
  decideApproval(id: string, decision: Exclude<ApprovalStatus, 'pending'>, by: string, reason: string | null, now: number): Promise<ApprovalRecord | undefined>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  /** Oldest first; only those with these statuses when given. */
  listApprovals(status?: ApprovalStatus[]): Promise<ApprovalRecord[]>;

  /**
   * Store an applied config version (the next number). When `hash` equals the newest
   * version's, nothing is added and that version is returned.
   */
  saveConfigVersion(version: Omit<ConfigVersionRecord, 'version'>): Promise<ConfigVersionRecord>;
  markConfigVersion(version: number, status: ConfigVersionRecord['status']): Promise<void>;
  /** Oldest first. */
  listConfigVersions(): Promise<ConfigVersionRecord[]>;

  /**
   * Append to the audit log atomically with reading its tail: `seal` receives the new
   * entry's sequence number and the previous entry's hash ('' for the first) and returns
   * the new hash. Concurrent appends are serialised, so the chain never forks.
   */
  appendAudit(entry: NewAuditEntryRecord, seal: (link: { seq: number; prevHash: string }) => string): Promise<AuditEntryRecord>;
  /** Oldest first, from `afterSeq` (exclusive), at most `limit` (default all). */
  listAudit(options?: { afterSeq?: number; limit?: number }): Promise<AuditEntryRecord[]>;

  /** Count one outcome of `action` for `diagnosis`. */
  recordOutcome(diagnosis: string, action: string, success: boolean, now: number): Promise<void>;
  listOutcomeStats(): Promise<OutcomeStatRecord[]>;

  /** Pause (`paused: true`) or resume remediation for `scope` (`*` or a service). */
  setPause(scope: string, paused: boolean, by: string, reason: string, now: number): Promise<void>;
  listPauses(): Promise<PauseRecord[]>;

  /** Saved state of a guardrail (a budget's or breaker's `toJSON()`), by key. */
  saveGuardState(key: string, json: string, now: number): Promise<void>;
  loadGuardState(key: string): Promise<string | undefined>;
}
