import type { LeaderFence, Leadership, LeaseHolder } from '../records.js';
import { NotLeaderError } from '../store-errors.js';
import type { ConnectionPool } from './connection.js';
import * as sql from './statements.js';

/**
 * Controller leader election on PostgreSQL (`leader_leases`, `leader_actions`, migration
 * 0002_leader_leases), kept apart from the run tables. The fencing token grows with every
 * change of holder; an action is recorded only under the current token, with the lease
 * row locked against a concurrent takeover.
 */
export class PostgresLeaderLeases {
  constructor(private readonly db: ConnectionPool) {}

  async acquire(name: string, holder: string, ttlMs: number, now: number, apiUrl: string | null): Promise<Leadership> {
    const { rows } = await this.db.query<{ holder: string | null; token: number; expires_at: number }>(
      'campaigning for leadership',
      sql.ACQUIRE_LEASE,
      [name, holder, now + ttlMs, now, apiUrl],
    );
    // A campaign that lost to one committed while it ran sees no row: ON CONFLICT waited for
    // the winner's insert, but the statement's fallback SELECT reads the snapshot taken
    // before it (READ COMMITTED). A second statement sees the winner.
    const row = rows[0] ?? (await this.db.query<{ holder: string | null; token: number; expires_at: number }>('reading the lease after a lost campaign', 'SELECT holder, token, expires_at FROM leader_leases WHERE name = $1', [name])).rows[0];
    if (!row) throw new Error(`leader lease ${name} has no row after a campaign`);
    return { leader: row.holder === holder, holder: row.holder, token: row.token, expiresAt: row.expires_at };
  }

  async holderOf(name: string, now: number): Promise<LeaseHolder | undefined> {
    const { rows } = await this.db.query<LeaseHolder>(
      'reading the leader',
      'SELECT holder, token, api_url AS "apiUrl", expires_at AS "expiresAt" FROM leader_leases WHERE name = $1 AND holder IS NOT NULL AND expires_at >= $2',
      [name, now],
    );
    return rows[0];
  }

  async renew(name: string, holder: string, token: number, ttlMs: number, now: number): Promise<boolean> {
    const result = await this.db.query('renewing leadership', sql.RENEW_LEASE, [name, holder, token, now + ttlMs, now]);
    return result.rowCount === 1;
  }

  async resign(name: string, holder: string, token: number, now: number): Promise<void> {
    await this.db.query('resigning leadership', sql.RESIGN_LEASE, [name, holder, token, now]);
  }

  async recordAction(fence: LeaderFence, action: string, payload: string | null, now: number): Promise<void> {
    const result = await this.db.query('recording a leader action', sql.RECORD_LEADER_ACTION, [fence.name, fence.token, action, payload, now]);
    if (result.rowCount === 0) throw new NotLeaderError(fence.name, fence.token);
  }

  async listActionsOf(name: string): Promise<{ token: number; action: string; payload: string | null; recordedAt: number }[]> {
    const { rows } = await this.db.query<{ token: number; action: string; payload: string | null; recordedAt: number }>(
      'listing leader actions',
      'SELECT token, action, payload, recorded_at AS "recordedAt" FROM leader_actions WHERE lease_name = $1 ORDER BY id',
      [name],
    );
    return rows;
  }
}
