import type { LeaderFence, Leadership, LeaseHolder } from '../records.js';

/**
 * Named leadership leases with fencing tokens (controller leader election) and the
 * actions recorded under a term.
 */
export interface LeaseStore {
  /**
   * Campaign for the lease `name`: take it when it is free or lapsed (`expiresAt < now`),
   * extend it when `holder` already has it. A change of holder bumps the fencing token.
   * `apiUrl` is recorded with the lease when taken (where followers send what only the leader handles).
   */
  acquireLeadership(name: string, holder: string, ttlMs: number, now: number, apiUrl?: string | null): Promise<Leadership>;
  /** The unexpired holder of lease `name` at `now`, with its advertised API URL; undefined when nobody leads. */
  currentLeader(name: string, now: number): Promise<LeaseHolder | undefined>;
  /** Extend a held, unexpired lease of this term. False when the term is over. */
  renewLeadership(name: string, holder: string, token: number, ttlMs: number, now: number): Promise<boolean>;
  /** Give the lease up at once so a standby need not wait for it to lapse. */
  resignLeadership(name: string, holder: string, token: number, now: number): Promise<void>;
  /**
   * Record an action taken by a leader, atomically with the check that its term is still
   * the current one (the lease row is locked against a concurrent takeover). Throws
   * `HS_NOT_LEADER` and records nothing when the fence is stale.
   */
  recordLeaderAction(fence: LeaderFence, action: string, payload: string | null, now: number): Promise<void>;
  /** Actions recorded under lease `name`, oldest first. */
  listLeaderActions(name: string): Promise<{ token: number; action: string; payload: string | null; recordedAt: number }[]>;
}
