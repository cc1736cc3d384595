import { createHash } from 'node:crypto';
import type { ConfigVersionRecord } from '../store/records.js';
import type { KnowledgeStore } from '../store/store.js';
import type { AuditLog } from './audit-log.js';

/**
 * Every applied config version, so a bad one can be rolled back to the last known good.
 * A version is `applied` until the loop has seen it healthy (`good`) or blamed it (`bad`);
 * `failed` when its processes could not be started and the previous version stayed.
 *
 * @example
 * const v = await versions.applied(readFileSync('homeostat.yaml', 'utf8'), 'operator');
 * await versions.mark(v.version, 'good');
 * @example
 * await versions.lastKnownGood(); // undefined when no version was ever marked good
 */
export class ConfigVersions {
  constructor(
    private readonly store: KnowledgeStore,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Record `text` as applied (no new version when it equals the newest one). The store
   * keeps the real text, secrets included, so a rollback (even by a later process)
   * re-applies the real values; every view redacts it (`redactYaml`). The store is as
   * private as the config file: 0600 files in a 0700 state dir, or PostgreSQL's access control.
   * The audit entry is by `by`: who applied it.
   */
  async applied(text: string, source: string, by = 'controller'): Promise<ConfigVersionRecord> {
    const hash = createHash('sha256').update(text).digest('hex');
    const before = (await this.store.listConfigVersions()).at(-1);
    const record = await this.store.saveConfigVersion({ hash, text, appliedAt: this.now(), status: 'applied', source });
    if (record.version !== before?.version) await this.audit.append(by, 'config.applied', `config:v${record.version}`, { version: record.version, hash, source });
    else if (record.status === 'failed') {
      // The same text again after it failed (its binary fixed since): applied once more, not a new version.
      await this.store.markConfigVersion(record.version, 'applied');
      await this.audit.append(by, 'config.applied', `config:v${record.version}`, { version: record.version, hash, source, retry: true });
      return { ...record, status: 'applied' };
    }
    return record;
  }

  /**
   * `version` could not be applied (its processes did not start; the previous version is
   * back in force): marked `failed`, and the audit log records why and on whose request.
   */
  async markFailed(version: number, reason: string, by: string, details: Record<string, unknown> = {}): Promise<void> {
    await this.store.markConfigVersion(version, 'failed');
    await this.audit.append(by, 'config.apply-failed', `config:v${version}`, { version, reason, ...details });
  }

  async mark(version: number, status: ConfigVersionRecord['status']): Promise<void> {
    await this.store.markConfigVersion(version, status);
    await this.audit.append('controller', `config.marked-${status}`, `config:v${version}`, { version });
  }

  list(): Promise<ConfigVersionRecord[]> {
    return this.store.listConfigVersions();
  }

  /** The version in force: the newest one, failed ones aside (the previous version stayed). */
  async current(): Promise<ConfigVersionRecord | undefined> {
    return (await this.store.listConfigVersions()).filter((v) => v.status !== 'failed').at(-1);
  }

  /** The newest version marked good, other than `excluding`. */
  async lastKnownGood(excluding?: number): Promise<ConfigVersionRecord | undefined> {
    return (await this.store.listConfigVersions()).filter((v) => v.status === 'good' && v.version !== excluding).at(-1);
  }
}
