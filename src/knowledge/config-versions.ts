import { createHash } from 'node:crypto';
import type { ConfigVersionRecord } from '../store/records.js';
import type { KnowledgeStore } from '../store/store.js';
import type { AuditLog } from './audit-log.js';

/**
 * Every applied config version, so a bad one can be rolled back to the last known good.
 * A version is `applied` until the loop has seen it healthy (`good`) or blamed it (`bad`).
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
   */
  async applied(text: string, source: string): Promise<ConfigVersionRecord> {
    const hash = createHash('sha256').update(text).digest('hex');
    const before = (await this.store.listConfigVersions()).at(-1);
    const record = await this.store.saveConfigVersion({ hash, text, appliedAt: this.now(), status: 'applied', source });
    if (record.version !== before?.version) await this.audit.append('controller', 'config.applied', `config:v${record.version}`, { version: record.version, hash, source });
    return record;
  }

  async mark(version: number, status: ConfigVersionRecord['status']): Promise<void> {
    await this.store.markConfigVersion(version, status);
    await this.audit.append('controller', `config.marked-${status}`, `config:v${version}`, { version });
  }

  list(): Promise<ConfigVersionRecord[]> {
    return this.store.listConfigVersions();
  }

  async current(): Promise<ConfigVersionRecord | undefined> {
    return (await this.store.listConfigVersions()).at(-1);
  }

  /** The newest version marked good, other than `excluding`. */
  async lastKnownGood(excluding?: number): Promise<ConfigVersionRecord | undefined> {
    return (await this.store.listConfigVersions()).filter((v) => v.status === 'good' && v.version !== excluding).at(-1);
  }
}
