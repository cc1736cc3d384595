/**
 * The rows the Store keeps, as the engine sees them. Payloads (inputs, outputs,
 * signal bodies) travel as JSON text so both store drivers keep them verbatim and the
 * payload-size limit is measured on exactly what is written.
 */

/** Where a run is in its life. `failed` and `parked` runs form the dead-letter queue. */
export type RunStatus = 'pending' | 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled' | 'parked';

/** The statuses a run ends in: nothing more executes until a redrive. The one list of them. */
export const TERMINAL_RUN_STATUSES = ['completed', 'failed', 'cancelled', 'parked'] as const satisfies readonly RunStatus[];

/** A status a run ends in (see {@link TERMINAL_RUN_STATUSES}). */
export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];

/** True when a run with this status has ended. */
export function isTerminal(status: RunStatus): status is TerminalRunStatus {
  return (TERMINAL_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

/** The ended runs a redrive may put back in the queue: all but the completed ones. */
export const REDRIVABLE_RUN_STATUSES = ['failed', 'parked', 'cancelled'] as const satisfies readonly TerminalRunStatus[];

/** True when a run with this status may be redriven. */
export function isRedrivable(status: RunStatus): boolean {
  return (REDRIVABLE_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

/** What produced a history entry; replay checks the kind as well as the name. */
export type StepKind = 'step' | 'sleep' | 'signal' | 'now' | 'random' | 'child-start' | 'child-result' | 'compensation';

/** An error as stored: enough to show it, rebuild it and decide whether to retry. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  retryable?: boolean;
  stack?: string;
  /** Which step failed, for run-level errors. */
  step?: string;
}

export interface RunRecord {
  id: string;
  workflow: string;
  /** JSON text of the input; null when the input was `undefined`. */
  input: string | null;
  status: RunStatus;
  output: string | null;
  error: SerializedError | null;
  ownerId: string | null;
  /** Bumped by every claim; every checkpoint write is conditional on it (the fence). */
  epoch: number;
  /** When a waiting run becomes claimable again; null waits for a signal or a child. */
  wakeAt: number | null;
  parentId: string | null;
  /** Absolute deadline of the whole run (per-workflow timeout), if any. */
  deadlineAt: number | null;
  cancelRequested: boolean;
  /** Bumped by each redrive; attempts are kept per generation. */
  generation: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /**
   * W3C Trace Context of the span that started the run (null: started with tracing off).
   * Every execution of the run — after a suspension, a takeover, a restart, a redrive —
   * is a child of it, so the whole run is one trace (workflow/run-tracing.ts).
   */
  traceparent: string | null;
  tracestate: string | null;
}

export type StepStatus = 'completed' | 'failed' | 'waiting';

export interface StepRecord {
  runId: string;
  seq: number;
  name: string;
  kind: StepKind;
  status: StepStatus;
  output: string | null;
  error: SerializedError | null;
  /** Attempts it took (1 when it passed first time). */
  attempts: number;
  startedAt: number;
  finishedAt: number | null;
}

/** One failed attempt of a step, kept for the dead-letter history. */
export interface AttemptRecord {
  runId: string;
  seq: number;
  generation: number;
  attempt: number;
  startedAt: number;
  finishedAt: number;
  error: SerializedError;
}

/** A fencing token: writes succeed only while the run's epoch is still this one. */
export interface Fence {
  runId: string;
  epoch: number;
}

export interface NewRun {
  id: string;
  workflow: string;
  input: string | null;
  parentId?: string | null;
  deadlineAt?: number | null;
  /** Create the run already claimed by this worker (in-process fast path). */
  ownerId?: string | null;
  /** The trace the run belongs to (see {@link RunRecord.traceparent}). */
  traceparent?: string | null;
  tracestate?: string | null;
  now: number;
}

export interface RunFilter {
  status?: RunStatus[];
  workflow?: string;
  parentId?: string;
  limit?: number;
}

/** What a suspended run waits for, re-checked atomically with the suspension. */
export interface WakeConditions {
  /** Wake at once if an unconsumed signal of one of these names is waiting. */
  signals?: string[];
  /** Wake at once if one of these child runs has already finished. */
  children?: string[];
}

/** The state of a named leadership lease after a campaign. */
export interface Leadership {
  /** True when the caller holds the lease now. */
  leader: boolean;
  /** Who holds it (null when nobody does). */
  holder: string | null;
  /**
   * The fencing token of the current term: bumped every time the lease changes hands
   * (or is taken again after it lapsed). Actions carry it; a stale one is refused.
   */
  token: number;
  /** When the holder's lease ends unless renewed (the holder's clock). */
  expiresAt: number;
}

/** Who holds a lease now, and where its API listens: what a follower tells a client or forwards to. */
export interface LeaseHolder {
  holder: string;
  token: number;
  /** The URL the holder advertised when it took the lease (its API); null when it serves none. */
  apiUrl: string | null;
  expiresAt: number;
}

/** A leader's claim to act: the lease name and the token of its term. */
export interface LeaderFence {
  name: string;
  token: number;
}

/**
 * One supervisor event (process exit, restart, probe transition, resource breach …) as
 * stored. `id` grows monotonically, so readers page with `sinceId`.
 */
export interface ElementEventRecord {
  id: number;
  /** Milliseconds since the epoch. */
  at: number;
  /** The managed element (service name). */
  element: string;
  /** The event kind (`process-exited`, `probe-changed`, …). */
  kind: string;
  /** JSON text of the event's other fields. */
  data: string;
}

/** An event to append: the store assigns the id. */
export type NewElementEventRecord = Omit<ElementEventRecord, 'id'>;

export interface ElementEventFilter {
  element?: string;
  kinds?: string[];
  /** Only events with a larger id (oldest first). Without it: the latest `limit`. */
  sinceId?: number;
  /** At most this many (default 100). */
  limit?: number;
}

/**
 * The last known state of one managed element instance (a replica, or an external
 * service), written by the supervisor that owns it, read by `homeostat status`.
 */
export interface ElementStateRecord {
  /** The instance (`api#0`), or the service name for an external service. */
  instance: string;
  /** The service it belongs to. */
  element: string;
  /** Which supervisor wrote it (its `saveElementStates` owner). */
  owner: string;
  /** `running`, `backoff`, `crash-looping`, `stopped`, … */
  state: string;
  /** `healthy`, `unhealthy`, `not-ready`, `starting`, `unprobed`, `-` … */
  health: string;
  /** JSON text of the details (pid, restarts, uptime, last exit, role, resources). */
  data: string;
  updatedAt: number;
}

// ---- Knowledge (the autonomic loop's memory: incidents, approvals, audit, …) ----

/** Where an incident is in its life. */
export type IncidentStatus = 'open' | 'remediating' | 'awaiting-approval' | 'escalated' | 'resolved';

/**
 * One incident: something wrong with one element (`key` groups the signals of one
 * problem, e.g. `api:crash`). At most one unresolved incident exists per key.
 */
export interface IncidentRecord {
  id: string;
  /** The de-duplication key: a new symptom with the key of an unresolved incident joins it. */
  key: string;
  /** The service (or other element) it is about. */
  element: string;
  /** The first symptom's name (`process-crashed`, `liveness-failing`, …). */
  symptom: string;
  status: IncidentStatus;
  /** A one-line, human summary (updated as it progresses). */
  summary: string;
  /** The diagnosis as text (null until diagnosed): written and read only through analyze/diagnosis-codec.ts. */
  diagnosis: string | null;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  /** How it was resolved (null while unresolved); see {@link IncidentResolution}. */
  resolution: IncidentResolution | null;
  /** Who or what resolved it: the action that healed it (`restart api#0`), the operator who closed it; null when external. */
  resolvedBy: string | null;
  /** When an operator acknowledged it (took it on), and who; null until then. */
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  /** Its current remediation run (null until the loop plans one); see {@link RemediationReference}. */
  remediation: RemediationReference | null;
}

/**
 * Which remediation run is an incident's current one: the loop writes it when it plans a
 * cycle, and every reader (the loop, an operator's close) looks the run up by it. A run id
 * is only ever built, never taken apart.
 */
export interface RemediationReference {
  runId: string;
  /** 0 for the first plan; each re-plan (slow retry, re-target, re-open) is the next. */
  cycle: number;
}

/**
 * How an incident came to be resolved: `action`, a verified action of homeostat's healed it;
 * `external`, it became healthy with no action of ours that helped (a human fixed it by hand, it
 * recovered by itself): never credited to an action; `operator`, a named operator closed it.
 */
export type IncidentResolution = 'action' | 'external' | 'operator';

export interface IncidentFilter {
  status?: IncidentStatus[];
  element?: string;
  /** Only incidents with this de-duplication key (with `unresolved`: the key's one open incident, by index). */
  key?: string;
  /** Only incidents not yet resolved. */
  unresolved?: boolean;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

export interface IncidentUpdate {
  status?: IncidentStatus;
  /** Re-targeted: correlation found the incident's root cause on another element. */
  element?: string;
  summary?: string;
  diagnosis?: string | null;
  resolvedAt?: number | null;
  resolution?: IncidentResolution | null;
  resolvedBy?: string | null;
  acknowledgedAt?: number | null;
  acknowledgedBy?: string | null;
  remediation?: RemediationReference | null;
  updatedAt: number;
  /**
   * Only while the incident is unresolved (the update is skipped, undefined returned, for a
   * resolved one): a status change racing a resolution (a slow retry, an operator's close, a
   * second controller) must not overwrite it.
   */
  unlessResolved?: boolean;
}

/** The kinds of entry in an incident's explanation chain, in the order they usually come. */
export type IncidentEntryKind =
  | 'signal'
  | 'symptom'
  | 'diagnosis'
  | 'policy'
  | 'guard'
  | 'approval'
  | 'evidence'
  /** An action about to run, recorded before it does (a crash then leaves it known as started). */
  | 'intent'
  | 'action'
  | 'verification'
  | 'escalation'
  /** An outgoing webhook that was still not delivered after its last attempt (webhook-sender.ts). */
  | 'dead-letter'
  | 'outcome'
  | 'note';

/** One step of an incident's explanation chain. */
export interface IncidentEntryRecord {
  id: number;
  incidentId: string;
  at: number;
  kind: IncidentEntryKind;
  /** JSON text of the entry (already redacted). */
  data: string;
}

export type NewIncidentEntryRecord = Omit<IncidentEntryRecord, 'id'>;

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** A request for a person to allow one remediation action. Default deny: it expires. */
export interface ApprovalRecord {
  id: string;
  incidentId: string;
  /** What would run (`restart api`), as shown to the approver. */
  action: string;
  status: ApprovalStatus;
  requestedAt: number;
  expiresAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  reason: string | null;
}

/**
 * One applied version of the config. `status` marks the known-good ones; `failed`: it
 * could not be applied (its processes did not start) and the previous version stayed in force.
 */
export interface ConfigVersionRecord {
  /** 1, 2, 3 … in order of application. */
  version: number;
  /** SHA-256 of `text`. */
  hash: string;
  text: string;
  appliedAt: number;
  status: 'applied' | 'good' | 'bad' | 'failed';
  /** Who or what applied it (`operator`, `rollback of 3`). */
  source: string;
}

/** One entry of the append-only, hash-chained audit log. */
export interface AuditEntryRecord {
  /** 1, 2, 3 … without gaps. */
  seq: number;
  at: number;
  /** Who acted (`controller`, `operator:alice`). */
  actor: string;
  /** What was done (`incident.opened`, `action.restart`, `approval.approved` …). */
  action: string;
  /** What it was done to (an incident id, a service). */
  subject: string;
  /** JSON text of the details (already redacted). */
  data: string;
  /** The previous entry's hash ('' for the first). */
  prevHash: string;
  /** SHA-256 over the canonical JSON of this entry and `prevHash`. */
  hash: string;
}

export type NewAuditEntryRecord = Pick<AuditEntryRecord, 'at' | 'actor' | 'action' | 'subject' | 'data'>;

/** How often an action helped for a diagnosis: the planner's experience. */
export interface OutcomeStatRecord {
  diagnosis: string;
  action: string;
  successes: number;
  failures: number;
  lastAt: number;
}

/** A pause of remediation: `scope` is `*` (everything) or a service name. */
export interface PauseRecord {
  scope: string;
  by: string;
  reason: string;
  pausedAt: number;
}

// ---- API tokens (the HTTP API's bearer tokens; only their salted hashes are stored) ----

/**
 * What a token may do: read (`viewer`), act on the loop (`operator`), change config and
 * tokens (`admin`); or speak only the agent protocol as one agent (`agent`, outside that
 * chain: see docs/agents.md).
 */
export type ApiRole = 'viewer' | 'operator' | 'admin' | 'agent';

/** One API token. The secret itself is never stored: `hash` is SHA-256 over `salt` and the secret. */
export interface ApiTokenRecord {
  id: string;
  name: string;
  role: ApiRole;
  salt: string;
  hash: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
}

// ---- Nodes (several `homeostat up` on one store: each supervises its own processes) ----

/** One `homeostat up` that heartbeats in the store: the node that supervises its own processes. */
export interface NodeRecord {
  /** `node.name` in the config (default: host name and a suffix of the state dir). */
  name: string;
  /** This run of `up` (a new one after every restart): a request claimed by an older one died with it. */
  incarnation: string;
  startedAt: number;
  lastSeenAt: number;
}

/** A symptom a follower observed on its own processes, queued for the leader's loop. */
export interface NodeSymptomRecord {
  id: number;
  node: string;
  /** JSON text of the symptom (labels.node names the node). */
  symptom: string;
  at: number;
}

export type NewNodeSymptomRecord = Omit<NodeSymptomRecord, 'id'>;

/**
 * `pending`: written by the leader, waiting for the node's agent; `claimed`: the agent is
 * executing it; `done`: its outcome is recorded; `refused`: never executed (the node was
 * gone, or did not claim it in time).
 */
export type NodeActionStatus = 'pending' | 'claimed' | 'done' | 'refused';

/** An action on a node's process, requested by the leader and executed by that node's agent. */
export interface NodeActionRecord {
  /** `<remediation run>:<rung>`: stable, so a resumed run finds the request its dead leader wrote. */
  id: string;
  node: string;
  incidentId: string;
  /** JSON text of the action (a ladder rung). */
  action: string;
  /** JSON text of the target (service, instance, since). */
  target: string;
  status: NodeActionStatus;
  requestedAt: number;
  /** The incarnation of the node that claimed it. */
  claimedBy: string | null;
  claimedAt: number | null;
  finishedAt: number | null;
  /** JSON text of the outcome (`done`) or the refusal (`refused`). */
  outcome: string | null;
}

/** A request to write: `pending` for another node's agent, or `claimed` by the leader's own node, which executes it at once. */
export type NewNodeActionRecord = Pick<NodeActionRecord, 'id' | 'node' | 'incidentId' | 'action' | 'target' | 'requestedAt'> & { claimedBy?: string };

/** Where a model attempt's spend is counted against a budget: see {@link ModelSpendLimit}. */
export type ModelSpendScope = 'call' | 'run' | 'workflow' | 'global';

/**
 * One budget a reservation must fit in. `run`: this run's spend; `workflow`: this
 * workflow's spend on the reservation's UTC day; `global`: all spend on that day;
 * `call`: the call's own attempts (same run and step position).
 */
export interface ModelSpendLimit {
  scope: ModelSpendScope;
  maxTokens?: number;
  /** Micro-units of the price's currency (USD × 10⁶), so sums stay exact integers. */
  maxCostMicros?: number;
}

/** Spend counted against a budget: settled attempts' real use plus open reservations. */
export interface ModelSpend {
  tokens: number;
  costMicros: number;
}

/** What a model attempt reserves before it calls the provider: its worst case. */
export interface NewModelReservation {
  runId: string;
  workflow: string;
  /** The model step's position in the run's history (with `runId`, the call's identity). */
  stepSeq: number;
  step: string;
  /** The step attempt (engine-counted, across takeovers) this model attempt belongs to. */
  stepAttempt: number;
  /** UTC day `YYYY-MM-DD` the spend is counted on. */
  day: string;
  provider: string;
  model: string;
  promptHash: string;
  /** Input estimate + max output tokens. */
  reservedTokens: number;
  reservedCostMicros: number;
  startedAt: number;
}

/** How a reserved model attempt ended. */
export interface ModelSettlement {
  /** `ok`, or the failure kind (`rate-limited`, `truncated`, `invalid-output`, …). */
  outcome: string;
  tokensIn: number;
  tokensOut: number;
  costMicros: number;
  latencyMs: number;
  finishedAt: number;
  /** The error message (redacted), when it failed. */
  error: string | null;
  /** The schema's complaints about the answer (redacted JSON list), when it was invalid. */
  validationErrors: string | null;
  /**
   * The validated answer (JSON) of an `ok` attempt settled on its own, kept so a takeover
   * before the step's checkpoint reuses it instead of paying again. Null when the settlement
   * is committed with the checkpoint, which holds the answer already.
   */
  reply: string | null;
}

/**
 * One model attempt, durable: reserved before the call (`reserved`), settled after it with
 * its real use (`settled`), or given back when its execution died before settling
 * (`released`: a takeover found it open).
 */
export interface ModelAttemptRecord {
  id: number;
  runId: string;
  workflow: string;
  stepSeq: number;
  step: string;
  stepAttempt: number;
  /** 1-based position among the call's attempts, across takeovers. */
  callAttempt: number;
  day: string;
  provider: string;
  model: string;
  promptHash: string;
  status: 'reserved' | 'settled' | 'released';
  reservedTokens: number;
  reservedCostMicros: number;
  outcome: string | null;
  tokensIn: number;
  tokensOut: number;
  costMicros: number;
  latencyMs: number | null;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
  validationErrors: string | null;
}

/**
 * Whether a model provider is drained — taken out of every chain — or limited to fewer
 * attempts in flight, as the loop (or an operator) last set it. Kept in the store, not in a process: every worker that makes
 * model calls reads it (docs/model-steps.md, "Providers as loop elements").
 */
export interface ModelProviderStateRecord {
  provider: string;
  drained: boolean;
  /** At most this many attempts in flight on it in each process making calls (the `limit` rung); null: no limit. */
  maxConcurrency: number | null;
  /** Why (the incident and its rung, or an operator's words). */
  reason: string;
  /** Who set it: `controller` (a remediation) or an operator. */
  changedBy: string;
  changedAt: number;
}
