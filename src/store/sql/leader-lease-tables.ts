import type { LeaderFence, Leadership, LeaseHolder } from '../records.js';
import type { LeaseStore } from '../ports/lease-store.js';
import { NotLeaderError } from '../store-errors.js';
import type { SqlExecutor } from './sql-executor.js';

interface LeaseRow {
  holder: string | null;
  token: number;
  expires_at: number;
}

/** A holder extends its unexpired term; anyone takes a free or lapsed lease, bumping the token. */
const CAMPAIGN = `
  INSERT INTO leader_leases AS l (name, holder, token, expires_at, acquired_at, renewed_at, api_url)
  VALUES ($1, $2, 1, $3, $4, $4, $5)
  ON CONFLICT (name) DO UPDATE SET
    token = CASE WHEN l.holder = $2 AND l.expires_at >= $4 THEN l.token ELSE l.token + 1 END,
    acquired_at = CASE WHEN l.holder = $2 AND l.expires_at >= $4 THEN l.acquired_at ELSE $4 END,
    holder = $2, expires_at = $3, renewed_at = $4, api_url = $5
  WHERE l.holder = $2 OR l.holder IS NULL OR l.expires_at < $4
  RETURNING holder, token, expires_at`;

/**
 * Controller leader election (`leader_leases`, `leader_actions`, migration
 * 0002_leader_leases) on either driver. The fencing token grows with every change of
 * holder; an action is recorded only under the current token, with the lease row locked
 * against a concurrent takeover.
 */
export class LeaderLeaseTables implements LeaseStore {
  constructor(private readonly sql: SqlExecutor) {}

  async acquireLeadership(name: string, holder: string, ttlMs: number, now: number, apiUrl: string | null = null): Promise<Leadership> {
    // A campaign that loses changes nothing and returns no row; a second statement then
    // reads the holder, committed by then (in PostgreSQL a statement's snapshot predates
    // a winner whose insert it waited for, so the same statement could not see it).
    const won = (await this.sql.rows<LeaseRow>('campaigning for leadership', CAMPAIGN, [name, holder, now + ttlMs, now, apiUrl]))[0];
    const row = won ?? (await this.sql.rows<LeaseRow>('reading the lease after a lost campaign', 'SELECT holder, token, expires_at FROM leader_leases WHERE name = $1', [name]))[0];
    if (!row) throw new Error(`leader lease ${name} has no row after a campaign`);
    return { leader: row.holder === holder, holder: row.holder, token: row.token, expiresAt: row.expires_at };
  }

  async currentLeader(name: string, now: number): Promise<LeaseHolder | undefined> {
    const holders = await this.sql.rows<LeaseHolder>(
      'reading the leader',
      'SELECT holder, token, api_url AS "apiUrl", expires_at AS "expiresAt" FROM leader_leases WHERE name = $1 AND holder IS NOT NULL AND expires_at >= $2',
      [name, now],
    );
    return holders[0];
  }

  async renewLeadership(name: string, holder: string, token: number, ttlMs: number, now: number): Promise<boolean> {
    const renewed = await this.sql.count(
      'renewing leadership',
      'UPDATE leader_leases SET expires_at = $4, renewed_at = $5 WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at >= $5',
      [name, holder, token, now + ttlMs, now],
    );
    return renewed === 1;
  }

  async resignLeadership(name: string, holder: string, token: number, now: number): Promise<void> {
    await this.sql.count('resigning leadership', 'UPDATE leader_leases SET holder = NULL, expires_at = $4, renewed_at = $4 WHERE name = $1 AND holder = $2 AND token = $3', [name, holder, token, now]);
  }

  async recordLeaderAction(fence: LeaderFence, action: string, payload: string | null, now: number): Promise<void> {
    // The lease row is locked FOR SHARE with the token as condition: a takeover (which
    // updates the row) waits for this action to commit, or this action sees the new token.
    const recorded = await this.sql.count(
      'recording a leader action',
      `WITH lease AS (SELECT 1 FROM leader_leases WHERE name = $1 AND token = $2${this.sql.dialect.forShare})
       INSERT INTO leader_actions (lease_name, token, action, payload, recorded_at)
       SELECT $1, $2, $3, $4, $5 FROM lease`,
      [fence.name, fence.token, action, payload, now],
    );
    if (recorded === 0) throw new NotLeaderError(fence.name, fence.token);
  }

  async listLeaderActions(name: string): Promise<{ token: number; action: string; payload: string | null; recordedAt: number }[]> {
    return this.sql.rows('listing leader actions', 'SELECT token, action, payload, recorded_at AS "recordedAt" FROM leader_actions WHERE lease_name = $1 ORDER BY id', [name]);
  }
}
