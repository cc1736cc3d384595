import type { AgentRecord } from '../store/agent-records.js';

/** An agent's health, from the age of its last heartbeat against the interval it promised. */
export type AgentHealth = 'alive' | 'late' | 'dead';

/** Heartbeats an agent may miss before it is late (more than 2 intervals) and dead (more than 5). */
export const LATE_AFTER_BEATS = 2;
export const DEAD_AFTER_BEATS = 5;

/**
 * How an agent is doing at `now`. Judged against its own `heartbeatMs`, so a slow remote
 * agent that promised a beat every 5 s is not called dead after one.
 * @example agentHealth({ lastHeartbeatAt: 1_000, heartbeatMs: 200 }, 1_300) // 'alive'
 * @example agentHealth({ lastHeartbeatAt: 1_000, heartbeatMs: 200 }, 2_100) // 'dead'
 */
export function agentHealth(agent: Pick<AgentRecord, 'lastHeartbeatAt' | 'heartbeatMs'>, now: number): AgentHealth {
  const age = now - agent.lastHeartbeatAt;
  if (age <= LATE_AFTER_BEATS * agent.heartbeatMs) return 'alive';
  if (age <= DEAD_AFTER_BEATS * agent.heartbeatMs) return 'late';
  return 'dead';
}

/** An agent as `homeostat agents` and `GET /api/agents` show it: health and load beside its registration. */
export interface AgentView {
  name: string;
  capabilities: string[];
  version: string;
  owner: string;
  capacity: number;
  /** Tasks in flight (claimed, not finished). */
  load: number;
  health: AgentHealth;
  heartbeatMs: number;
  lastHeartbeatAt: number;
  /** Milliseconds since the last heartbeat. */
  heartbeatAgeMs: number;
  registeredAt: number;
  /** Its running agreement rate in quorums since its last release (`rate` null before its first vote). */
  reliability: AgentReliabilityView;
  /** Why it claims nothing, when the loop or an operator quarantined it; null otherwise. */
  quarantine: { reason: string; by: string; at: number } | null;
  /**
   * Why it claims nothing again, when the `replace` rung retired it and the retirement still
   * fences it (agent-retirement.ts); null otherwise — a fresh instance that registered since is not.
   */
  retired: { reason: string; by: string; at: number } | null;
}

export interface AgentReliabilityView {
  votes: number;
  agreed: number;
  rate: number | null;
}

/** What the quorum tables say of an agent (agent-standing.ts reads them). */
export interface AgentStanding {
  reliability: AgentReliabilityView;
  quarantine: AgentView['quarantine'];
  retired?: AgentView['retired'];
}

const NO_STANDING: AgentStanding = { reliability: { votes: 0, agreed: 0, rate: null }, quarantine: null };

export function agentView(agent: AgentRecord, load: number, now: number, standing: AgentStanding = NO_STANDING): AgentView {
  return {
    name: agent.name,
    capabilities: agent.capabilities,
    version: agent.version,
    owner: agent.owner,
    capacity: agent.capacity,
    load,
    health: agentHealth(agent, now),
    heartbeatMs: agent.heartbeatMs,
    lastHeartbeatAt: agent.lastHeartbeatAt,
    heartbeatAgeMs: Math.max(0, now - agent.lastHeartbeatAt),
    registeredAt: agent.registeredAt,
    reliability: standing.reliability,
    quarantine: standing.quarantine,
    retired: standing.retired ?? null,
  };
}
