/**
 * The rows the Store keeps, as the engine sees them. Payloads (inputs, outputs,
 * signal bodies) travel as JSON text so both store drivers keep them verbatim and the
 * payload-size limit is measured on exactly what is written.
 */

/** Where a run is in its life. `failed` and `parked` runs form the dead-letter queue. */
export type RunStatus = 'pending' | 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled' | 'parked';

export const TERMINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'parked'];

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
