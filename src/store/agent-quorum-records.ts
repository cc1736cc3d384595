// ---- Quorum for byzantine outputs, reliability, quarantine (docs/agents.md#quorum) ----

/** Where a quorum stands: waiting for its answers, accepted (k agreed) or not reached. */
export type AgentQuorumStatus = 'pending' | 'accepted' | 'no-quorum';

/** One quorum: n sub-tasks (or samples) of one step, accepted when k answers agree. */
export interface AgentQuorumRecord {
  /** `<run id>:<step seq>` of the step that created it. */
  id: string;
  runId: string;
  name: string;
  /** The capability of its agent sub-tasks; null for samples (a model's). */
  capability: string | null;
  n: number;
  k: number;
  /** How answers were compared (`exact`, `json`, `numeric ±0.01`, `function <name>`). */
  comparator: string;
  status: AgentQuorumStatus;
  /** JSON text of the accepted answer. */
  answer: string | null;
  /** Why no quorum was reached, with the answers seen. */
  detail: string | null;
  createdAt: number;
  decidedAt: number | null;
}

/** A sub-task of a quorum, queued like any agent task but marked with its quorum. */
export interface NewQuorumTask {
  id: string;
  runId: string;
  name: string;
  capability: string;
  input: string;
  leaseMs: number;
  maxLapses: number;
}

/** One voter's answer in a decided quorum: with the accepted answer (`agreed`) or a dissent. */
export interface AgentQuorumVoteRecord {
  quorumId: string;
  /** The agent's name, or `sample:<i>` for a model sample. */
  voter: string;
  taskId: string | null;
  agreed: boolean;
  /** JSON text of its answer; null when it gave none (its task failed or was dead-lettered). */
  answer: string | null;
  at: number;
}

/** An agent's running agreement rate: votes since its last release from quarantine. */
export interface AgentReliability {
  agent: string;
  votes: number;
  agreed: number;
}

/** Whether the loop (or an operator) quarantined an agent: a quarantined agent claims nothing. */
export interface AgentQuarantineRecord {
  agent: string;
  quarantined: boolean;
  reason: string;
  changedBy: string;
  changedAt: number;
}
