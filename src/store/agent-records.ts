// ---- Agents (docs/agents.md): the registry, tasks dispatched by capability, their history ----

/** One registered agent, as the store holds it. */
export interface AgentRecord {
  name: string;
  capabilities: string[];
  version: string;
  capacity: number;
  owner: string;
  /** The interval the agent promised to heartbeat at: its health is judged against it. */
  heartbeatMs: number;
  /** The API token that registered it: the only one that may act as it. */
  tokenId: string;
  registeredAt: number;
  lastHeartbeatAt: number;
}

/** A registration: the agent's row as it asks for it. */
export type NewAgentRecord = Omit<AgentRecord, 'registeredAt' | 'lastHeartbeatAt'>;

export type AgentTaskStatus = 'queued' | 'claimed' | 'completed' | 'failed' | 'dead';

/** A task a workflow step handed to agents of a capability. */
export interface AgentTaskRecord {
  /** `<run id>:<step seq>`: a replayed creation finds the same task. */
  id: string;
  runId: string;
  name: string;
  capability: string;
  /** JSON text. */
  input: string;
  status: AgentTaskStatus;
  /** The agent holding it (claimed) or that finished it; null while queued. */
  agent: string | null;
  /** Bumped by every claim: a result must name the generation it was claimed under. */
  generation: number;
  leaseMs: number;
  leaseExpiresAt: number | null;
  /** Leases that lapsed while it was in flight: the agents it outlived. */
  lapses: number;
  maxLapses: number;
  /** JSON text of an agent's result (completed). */
  result: string | null;
  /** Why it failed or was dead-lettered. */
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
}

export type NewAgentTaskRecord = Pick<AgentTaskRecord, 'id' | 'runId' | 'name' | 'capability' | 'input' | 'leaseMs' | 'maxLapses' | 'createdAt'>;

export type AgentTaskEventKind = 'created' | 'claimed' | 'lapsed' | 'completed' | 'failed' | 'refused' | 'dead-lettered' | 'requeued';

/** One entry of a task's history. */
export interface AgentTaskEventRecord {
  taskId: string;
  at: number;
  kind: AgentTaskEventKind;
  agent: string | null;
  generation: number;
  detail: string | null;
}

/** A task a claim handed to an agent. */
export type ClaimedAgentTask = Pick<AgentTaskRecord, 'id' | 'runId' | 'name' | 'capability' | 'input' | 'generation' | 'leaseMs' | 'leaseExpiresAt'>;

/** What a finishing call (complete, fail) met: accepted, accepted before (a retry), or refused with the task's state. */
export type AgentTaskFinish =
  | { outcome: 'accepted'; task: AgentTaskRecord }
  | { outcome: 'repeated'; task: AgentTaskRecord }
  | { outcome: 'refused'; task: AgentTaskRecord | undefined };
