import type { StoreHealth } from './store-health.js';
import type {
  ApiTokenRecord,
  ApprovalRecord,
  ApprovalStatus,
  AttemptRecord,
  AuditEntryRecord,
  ConfigVersionRecord,
  IncidentEntryRecord,
  IncidentFilter,
  IncidentRecord,
  IncidentUpdate,
  NewAuditEntryRecord,
  NewIncidentEntryRecord,
  OutcomeStatRecord,
  PauseRecord,
  ElementEventFilter,
  ElementEventRecord,
  ElementStateRecord,
  NewElementEventRecord,
  NewNodeActionRecord,
  NewNodeSymptomRecord,
  NodeActionRecord,
  NodeRecord,
  NodeSymptomRecord,
  Fence,
  LeaderFence,
  Leadership,
  LeaseHolder,
  NewRun,
  RunFilter,
  RunRecord,
  TerminalRunStatus,
  SerializedError,
  StepRecord,
  WakeConditions,
} from './records.js';

/**
 * The Store contract: everything the engine persists goes through it, so SQLite (the
 * embedded default) and PostgreSQL implement the same semantics and pass one
 * conformance suite.
 *
 * Rules every implementation keeps:
 * - Every write on behalf of a run owner takes a {@link Fence} and is applied only while
 *   the run's epoch still equals the fence's; otherwise it throws `HS_FENCED` and
 *   changes nothing. Check and write are one atomic operation.
 * - `claimRuns` bumps the epoch of every run it returns.
 * - Methods are safe to call from many processes at once.
 */
export interface Store extends KnowledgeStore, ApiTokenStore, NodeStore {
  /** Create a run, or return the existing one with that id (idempotent start). */
  createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;

  /** Remember that a workflow type exists, so clients can reject unknown names. */
  registerWorkflows(names: string[], now: number): Promise<void>;
  knownWorkflows(): Promise<string[]>;

  /**
   * Extend this worker's lease (creating its row on first call). Returns the ids of
   * runs it owns whose cancellation was requested by someone else.
   */
  heartbeat(workerId: string, leaseExpiresAt: number, now: number): Promise<{ cancelRequested: string[] }>;
  /** Forget a worker and hand its unfinished runs back to the queue (graceful stop). */
  releaseWorker(workerId: string, now: number): Promise<void>;
  /**
   * Claim up to `limit` runs of these workflows that are pending, waiting and due, or
   * owned by a worker whose lease has expired. Each claimed run's epoch is bumped.
   * A worker whose own lease has lapsed (its heartbeats failing, e.g. after a database
   * outage) claims nothing: another worker could take the run from it at once, and both
   * would execute it.
   */
  claimRuns(workerId: string, workflows: string[], limit: number, now: number): Promise<RunRecord[]>;
  /** Earliest time a waiting run of these workflows becomes due, for the poller's sleep. */
  nextWakeAt(workflows: string[]): Promise<number | null>;

  /** The recorded history of a run, in sequence order, with failed-attempt counts per step. */
  loadHistory(runId: string, generation: number): Promise<{ steps: StepRecord[]; failedAttempts: Map<number, number> }>;
  /** Record a step (insert, or complete a `waiting` entry of the same seq). */
  saveStep(fence: Fence, step: StepRecord): Promise<void>;
  recordAttempt(fence: Fence, attempt: AttemptRecord): Promise<void>;
  listAttempts(runId: string): Promise<AttemptRecord[]>;
  listSteps(runId: string): Promise<StepRecord[]>;

  /**
   * Park the run until `wakeAt` (null: until woken) and release ownership — unless a
   * wake condition already holds (a queued signal or finished child named in
   * `conditions`, or a cancellation requested meanwhile), in which case it becomes due at once.
   */
  suspendRun(fence: Fence, wakeAt: number | null, conditions: WakeConditions, now: number): Promise<void>;
  /** Finish the run and wake its parent, if it is waiting. */
  finishRun(
    fence: Fence,
    outcome: { status: TerminalRunStatus; output: string | null; error: SerializedError | null },
    now: number,
  ): Promise<void>;

  /** Queue a signal for a run and wake it if it waits. False when the run does not exist. */
  sendSignal(runId: string, name: string, payload: string | null, now: number): Promise<boolean>;
  /**
   * Atomically take the oldest unconsumed signal of `name` and complete the waiting
   * step `seq` with its payload. Returns undefined when none is queued.
   */
  consumeSignal(fence: Fence, name: string, step: StepRecord): Promise<{ payload: string | null } | undefined>;

  /**
   * Ask for a run to be cancelled. A pending or waiting run that nobody owns is claimed
   * away from the queue by making it due now, so a worker runs its compensations.
   */
  requestCancel(runId: string, now: number): Promise<RunRecord | undefined>;
  /**
   * Put a failed, parked or cancelled run back in the queue, dropping its history from
   * `fromSeq` on (compensation entries included). Bumps generation and epoch.
   */
  redrive(runId: string, fromSeq: number, now: number): Promise<RunRecord>;

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

  /**
   * Append supervisor events in one transaction (the supervisor batches them); ids are
   * assigned in order.
   */
  appendEvents(events: NewElementEventRecord[]): Promise<void>;
  /** Events matching the filter, oldest first (see {@link ElementEventFilter}). */
  listEvents(filter?: ElementEventFilter): Promise<ElementEventRecord[]>;
  /**
   * Replace, atomically, every element state written by `owner` with `states` (a
   * supervisor saves its full snapshot each time).
   */
  saveElementStates(owner: string, states: ElementStateRecord[]): Promise<void>;
  /** Every element state of every owner, ordered by element then instance. */
  listElementStates(): Promise<ElementStateRecord[]>;

  /**
   * Optional push notification of new or newly-due work (PostgreSQL's LISTEN/NOTIFY),
   * so workers need not wait for their next poll. Returns a function that stops it.
   * Stores without it are polled only.
   */
  watch?(onWork: () => void): Promise<() => Promise<void>>;

  close(): Promise<void>;
  /** Faults the store's calls have met (full disk, lost file, corruption); absent where not tracked. */
  readonly health?: StoreHealth;
}

/**
 * The autonomic loop's memory (`src/knowledge` builds on it): incidents and their
 * explanation chains, approvals, config versions, the hash-chained audit log, outcome
 * statistics, pauses and saved guardrail state. Callers redact secrets before writing.
 */
export interface KnowledgeStore {
  /**
   * Open an incident, or return the unresolved one with the same `key` (`created: false`):
   * atomic, so two reconciles of one problem open one incident.
   */
  openIncident(incident: IncidentRecord): Promise<{ incident: IncidentRecord; created: boolean }>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  /** Newest first. */
  listIncidents(filter?: IncidentFilter): Promise<IncidentRecord[]>;
  /**
   * Re-open a resolved incident (its symptom came back): status `open`, its resolution
   * cleared. Atomic against the one-unresolved-incident-per-key index: when another
   * incident of the same key is unresolved, that one is returned (`reopened: false`) and
   * this one stays resolved. Undefined when `id` does not exist; an incident that is not
   * resolved is returned unchanged (`reopened: false`).
   */
  reopenIncident(id: string, at: number): Promise<{ incident: IncidentRecord; reopened: boolean } | undefined>;
  /** Change an incident; undefined when it does not exist. */
  updateIncident(id: string, update: IncidentUpdate): Promise<IncidentRecord | undefined>;
  /** Append explanation-chain entries in one transaction; ids grow in order. */
  appendIncidentEntries(entries: NewIncidentEntryRecord[]): Promise<void>;
  /** An incident's entries, oldest first. */
  listIncidentEntries(incidentId: string): Promise<IncidentEntryRecord[]>;

  /** Record a new approval request (idempotent on `id`: an existing one is returned unchanged). */
  requestApproval(approval: ApprovalRecord): Promise<ApprovalRecord>;
  /**
   * Decide a pending approval. Only a `pending` one changes (the first decision wins, and
   * an expired one stays expired); returns the approval as it is afterwards.
   */
  decideApproval(id: string, decision: Exclude<ApprovalStatus, 'pending'>, by: string, reason: string | null, now: number): Promise<ApprovalRecord | undefined>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  /** Oldest first; only those with these statuses when given. */
  listApprovals(status?: ApprovalStatus[]): Promise<ApprovalRecord[]>;

  /**
   * Store an applied config version (the next number). When `hash` equals the newest
   * version's, nothing is added and that version is returned.
   */
  saveConfigVersion(version: Omit<ConfigVersionRecord, 'version'>): Promise<ConfigVersionRecord>;
  markConfigVersion(version: number, status: ConfigVersionRecord['status']): Promise<void>;
  /** Oldest first. */
  listConfigVersions(): Promise<ConfigVersionRecord[]>;

  /**
   * Append to the audit log atomically with reading its tail: `seal` receives the new
   * entry's sequence number and the previous entry's hash ('' for the first) and returns
   * the new hash. Concurrent appends are serialised, so the chain never forks.
   */
  appendAudit(entry: NewAuditEntryRecord, seal: (link: { seq: number; prevHash: string }) => string): Promise<AuditEntryRecord>;
  /** Oldest first, from `afterSeq` (exclusive), at most `limit` (default all). */
  listAudit(options?: { afterSeq?: number; limit?: number }): Promise<AuditEntryRecord[]>;

  /** Count one outcome of `action` for `diagnosis`. */
  recordOutcome(diagnosis: string, action: string, success: boolean, now: number): Promise<void>;
  listOutcomeStats(): Promise<OutcomeStatRecord[]>;

  /** Pause (`paused: true`) or resume remediation for `scope` (`*` or a service). */
  setPause(scope: string, paused: boolean, by: string, reason: string, now: number): Promise<void>;
  listPauses(): Promise<PauseRecord[]>;

  /** Saved state of a guardrail (a budget's or breaker's `toJSON()`), by key. */
  saveGuardState(key: string, json: string, now: number): Promise<void>;
  loadGuardState(key: string): Promise<string | undefined>;
}

/** The HTTP API's bearer tokens (hashed; see `src/api/api-tokens.ts`). */
export interface ApiTokenStore {
  /** Store a new token; throws when the id exists. */
  createApiToken(token: ApiTokenRecord): Promise<void>;
  getApiToken(id: string): Promise<ApiTokenRecord | undefined>;
  /** Oldest first, revoked ones included. */
  listApiTokens(): Promise<ApiTokenRecord[]>;
  /** Revoke a token; false when it does not exist or was already revoked. */
  revokeApiToken(id: string, now: number): Promise<boolean>;
}

/**
 * Several `homeostat up` on one store (see docs/architecture.md, "Several nodes"): each
 * node heartbeats its row; followers queue their symptoms for the leader's loop; the
 * leader writes actions on a node's processes as requests that node's agent claims,
 * executes and answers.
 */
export interface NodeStore {
  /** Record that `node` (this `incarnation` of it) is alive now, creating its row on first call. */
  heartbeatNode(node: string, incarnation: string, now: number): Promise<void>;
  /** Undefined when the node never heartbeat. */
  getNode(name: string): Promise<NodeRecord | undefined>;
  /** By name. */
  listNodes(): Promise<NodeRecord[]>;

  /** Queue symptoms for the leader's loop, in one transaction. */
  appendNodeSymptoms(symptoms: NewNodeSymptomRecord[]): Promise<void>;
  /** Take (remove and return) up to `limit` of the oldest queued symptoms; concurrent takers never get the same one. */
  takeNodeSymptoms(limit: number): Promise<NodeSymptomRecord[]>;

  /**
   * Write an action request, or return the existing one with that id unchanged
   * (`created: false`): a resumed run finds what its dead leader wrote.
   * With `claimedBy`, it is written already claimed (the leader's own node executes it).
   */
  requestNodeAction(request: NewNodeActionRecord, now: number): Promise<{ request: NodeActionRecord; created: boolean }>;
  getNodeAction(id: string): Promise<NodeActionRecord | undefined>;
  /** Claim up to `limit` pending requests for `node`, oldest first (pending → claimed by `incarnation`); each is claimed once. */
  claimNodeActions(node: string, incarnation: string, limit: number, now: number): Promise<NodeActionRecord[]>;
  /** Record the outcome of a request claimed by `incarnation` (→ done). False when it is not claimed by it. */
  finishNodeAction(id: string, incarnation: string, outcome: string, now: number): Promise<boolean>;
  /** Refuse a request nobody claimed yet (pending → refused, with the reason). False when it was claimed (or finished) meanwhile. */
  refuseNodeAction(id: string, reason: string, now: number): Promise<boolean>;
}
