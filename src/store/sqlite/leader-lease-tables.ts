import type Database from 'better-sqlite3';
import type { LeaderFence, Leadership, LeaseHolder } from '../records.js';
import { NotLeaderError } from '../store-errors.js';

/**
 * Controller leader election in SQLite (`leader_leases`, `leader_actions`, migration
 * 0002_leader_leases), kept apart from the run tables of `SqliteStore`. The fencing token
 * grows with every change of holder; an action is recorded only under the current token.
 */
export class SqliteLeaderLeases {
  private readonly getLease: Database.Statement;
  private readonly getHolder: Database.Statement;
  private readonly acquireLease: Database.Statement;
  private readonly renewLease: Database.Statement;
  private readonly resignLease: Database.Statement;
  private readonly insertAction: Database.Statement;
  private readonly listActions: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.getLease = db.prepare('SELECT holder, token, expires_at FROM leader_leases WHERE name = ?');
    this.getHolder = db.prepare('SELECT holder, token, api_url AS apiUrl, expires_at AS expiresAt FROM leader_leases WHERE name = ? AND holder IS NOT NULL AND expires_at >= ?');
    // A holder extends its unexpired term; anyone takes a free or lapsed lease, bumping the token.
    this.acquireLease = db.prepare(`
      INSERT INTO leader_leases AS l (name, holder, token, expires_at, acquired_at, renewed_at, api_url)
      VALUES (@name, @holder, 1, @expiresAt, @now, @now, @apiUrl)
      ON CONFLICT (name) DO UPDATE SET
        token = CASE WHEN l.holder = @holder AND l.expires_at >= @now THEN l.token ELSE l.token + 1 END,
        acquired_at = CASE WHEN l.holder = @holder AND l.expires_at >= @now THEN l.acquired_at ELSE @now END,
        holder = @holder, expires_at = @expiresAt, renewed_at = @now, api_url = @apiUrl
      WHERE l.holder = @holder OR l.holder IS NULL OR l.expires_at < @now`);
    this.renewLease = db.prepare(`
      UPDATE leader_leases SET expires_at = @expiresAt, renewed_at = @now
      WHERE name = @name AND holder = @holder AND token = @token AND expires_at >= @now`);
    this.resignLease = db.prepare(`
      UPDATE leader_leases SET holder = NULL, expires_at = @now, renewed_at = @now
      WHERE name = @name AND holder = @holder AND token = @token`);
    this.insertAction = db.prepare(`
      INSERT INTO leader_actions (lease_name, token, action, payload, recorded_at)
      SELECT @name, @token, @action, @payload, @now
      WHERE EXISTS (SELECT 1 FROM leader_leases WHERE name = @name AND token = @token)`);
    this.listActions = db.prepare(
      'SELECT token, action, payload, recorded_at AS recordedAt FROM leader_actions WHERE lease_name = ? ORDER BY id',
    );
  }

  acquire(name: string, holder: string, ttlMs: number, now: number, apiUrl: string | null): Leadership {
    return this.db.transaction(() => {
      this.acquireLease.run({ name, holder, expiresAt: now + ttlMs, now, apiUrl });
      const row = this.getLease.get(name) as { holder: string | null; token: number; expires_at: number };
      return { leader: row.holder === holder, holder: row.holder, token: row.token, expiresAt: row.expires_at };
    }).immediate();
  }

  holderOf(name: string, now: number): LeaseHolder | undefined {
    return this.getHolder.get(name, now) as LeaseHolder | undefined;
  }

  renew(name: string, holder: string, token: number, ttlMs: number, now: number): boolean {
    return this.renewLease.run({ name, holder, token, expiresAt: now + ttlMs, now }).changes === 1;
  }

  resign(name: string, holder: string, token: number, now: number): void {
    this.resignLease.run({ name, holder, token, now });
  }

  recordAction(fence: LeaderFence, action: string, payload: string | null, now: number): void {
    const info = this.insertAction.run({ name: fence.name, token: fence.token, action, payload, now });
    if (info.changes === 0) throw new NotLeaderError(fence.name, fence.token);
  }

  listActionsOf(name: string): { token: number; action: string; payload: string | null; recordedAt: number }[] {
    return this.listActions.all(name) as { token: number; action: string; payload: string | null; recordedAt: number }[];
  }
}
