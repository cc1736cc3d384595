import type { KnowledgeStore } from '../store/store.js';
import type { AuditAnchorOptions } from './audit-head.js';
import { Approvals } from './approvals.js';
import { AuditLog } from './audit-log.js';
import { ConfigVersions } from './config-versions.js';
import { Incidents } from './incidents.js';

/**
 * The K of MAPE-K: one handle on what the loop remembers — incidents with their
 * explanations, the audit log, config versions, outcome statistics — over any
 * {@link KnowledgeStore} (the SQLite or PostgreSQL store).
 *
 * @example
 * const knowledge = new Knowledge(store);
 * await knowledge.outcome('crash', 'restart', true);
 * @example
 * (await knowledge.audit.verify()).ok // false after someone edits the audit_log table
 */
export class Knowledge {
  readonly audit: AuditLog;
  readonly incidents: Incidents;
  readonly configVersions: ConfigVersions;
  readonly approvals: Approvals;

  constructor(
    private readonly store: KnowledgeStore,
    readonly now: () => number = Date.now,
    /** Where the audit chain's heads are exported (`homeostat up`: `<stateDir>/audit-head`, the log, the audit key). */
    auditAnchor: AuditAnchorOptions = {},
  ) {
    this.audit = new AuditLog(store, now, auditAnchor);
    this.incidents = new Incidents(store, this.audit, now);
    this.configVersions = new ConfigVersions(store, this.audit, now);
    this.approvals = new Approvals(store, this.audit, now);
  }

  /** Count whether `action` helped for `diagnosis`. */
  outcome(diagnosis: string, action: string, success: boolean): Promise<void> {
    return this.store.recordOutcome(diagnosis, action, success, this.now());
  }

  /** Success rate of `action` for `diagnosis` (undefined without history). */
  async successRate(diagnosis: string, action: string): Promise<number | undefined> {
    const stat = (await this.store.listOutcomeStats()).find((s) => s.diagnosis === diagnosis && s.action === action);
    if (!stat || stat.successes + stat.failures === 0) return undefined;
    return stat.successes / (stat.successes + stat.failures);
  }

  /** Whether remediation is paused for `service` (globally or for it), and by whom. */
  async pausedFor(service: string): Promise<{ paused: boolean; scope?: string; by?: string; reason?: string }> {
    const pauses = await this.store.listPauses();
    const pause = pauses.find((p) => p.scope === '*') ?? pauses.find((p) => p.scope === service);
    return pause ? { paused: true, scope: pause.scope, by: pause.by, reason: pause.reason } : { paused: false };
  }

  async pause(scope: string, by: string, reason: string): Promise<void> {
    await this.store.setPause(scope, true, by, reason, this.now());
    await this.audit.append(by, 'remediation.paused', scope, { reason });
  }

  async resume(scope: string, by: string): Promise<void> {
    await this.store.setPause(scope, false, by, '', this.now());
    await this.audit.append(by, 'remediation.resumed', scope, {});
  }

  /** A guardrail's saved state (its `toJSON()` text), by key; undefined when never saved. */
  loadGuardState(key: string): Promise<string | undefined> {
    return this.store.loadGuardState(key);
  }

  /** Save a guardrail's state, so a restarted controller still counts what it counted. */
  saveGuardState(key: string, json: string): Promise<void> {
    return this.store.saveGuardState(key, json, this.now());
  }
}
