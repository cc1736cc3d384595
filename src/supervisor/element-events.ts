/**
 * Everything the supervisor observes about its managed elements, as one typed union.
 * Each event is written to the store (`appendEvents`) and offered in-process through
 * `supervisor.on(listener)`, so the control loop can subscribe without reading the store.
 *
 * `element` is the service name; `instance` names one replica (`api#0`).
 */
export type ElementEvent =
  | ProcessSpawned
  | SpawnFailed
  | ProcessExited
  | RestartScheduled
  | CrashLooping
  | CrashLoopCleared
  | ProbeChanged
  | ResourceBreach
  | ResourceRecovered
  | Failover
  | Scaled
  | LeftoverStopped
  | DependencyTimeout;

interface Base {
  /** Milliseconds since the epoch. */
  at: number;
  element: string;
}

/** Why a process ended, as far as the supervisor knows. */
export type ExitReason =
  /** It exited on its own (a crash when the code is non-zero or a signal killed it). */
  | 'exited'
  /** The supervisor stopped it (shutdown, scale-down, operator). */
  | 'stopped'
  /** Killed because its liveness (or startup) probe failed. */
  | 'liveness'
  | 'startup'
  /** Restarted because its RSS passed `maxMemory`. */
  | 'memory'
  /** Restarted on request (an operator or the control loop). */
  | 'requested';

export interface ProcessSpawned extends Base {
  kind: 'process-spawned';
  instance: string;
  pid: number;
  replica: number;
  port: number | null;
  /** Restarts of this replica so far. */
  restarts: number;
}

/** The command could not be started at all (missing binary, bad cwd). */
export interface SpawnFailed extends Base {
  kind: 'spawn-failed';
  instance: string;
  message: string;
  /**
   * The first start of a new config's spec during a reload: the reload puts the previous
   * spec back and the config manager reports the failed version (not a symptom of its own).
   */
  trial?: true;
}

export interface ProcessExited extends Base {
  kind: 'process-exited';
  instance: string;
  pid: number;
  code: number | null;
  signal: string | null;
  reason: ExitReason;
  uptimeMs: number;
  /** The last lines it wrote (stdout and stderr): the crash evidence, kept with the event. */
  lastLines: string[];
}

export interface RestartScheduled extends Base {
  kind: 'restart-scheduled';
  instance: string;
  delayMs: number;
  /** Restarts in a row without a stable run in between (1 = the first). */
  attempt: number;
  reason: ExitReason;
}

/** A symptom: too many restarts in the window. Restarts continue, slowly. */
export interface CrashLooping extends Base {
  kind: 'crash-looping';
  instance: string;
  restartsInWindow: number;
  windowMs: number;
  /** Delay before the next attempt (at least `crashLoop.retryEvery`). */
  nextRetryMs: number;
  lastLines: string[];
}

export interface CrashLoopCleared extends Base {
  kind: 'crash-loop-cleared';
  instance: string;
  /** How long the instance has been up. */
  stableForMs: number;
}

export type ProbeName = 'startup' | 'liveness' | 'readiness';
export type ProbeState = 'unknown' | 'passing' | 'failing';

export interface ProbeChanged extends Base {
  kind: 'probe-changed';
  /** The replica, or the service name for an external element. */
  instance: string;
  probe: ProbeName;
  from: ProbeState;
  to: ProbeState;
  /** What the last check said (`HTTP 503`, `timed out after 250 ms`, …). */
  message: string;
}

/** A symptom: a resource limit was crossed (or `maxMemory`, which also restarts). */
export interface ResourceBreach extends Base {
  kind: 'resource-breach';
  instance: string;
  resource: 'memory' | 'cpu';
  value: number;
  limit: number;
  /** `restart` for `maxMemory`; `none` for `limits` (the control loop decides). */
  action: 'restart' | 'none';
}

export interface ResourceRecovered extends Base {
  kind: 'resource-recovered';
  instance: string;
  resource: 'memory' | 'cpu';
  value: number;
  limit: number;
}

/** The standby became active because the primary had no healthy replica. */
export interface Failover extends Base {
  kind: 'failover';
  from: string;
  to: string;
  reason: string;
}

export interface Scaled extends Base {
  kind: 'scaled';
  from: number;
  to: number;
}

/**
 * At start-up: a process that a previous supervisor of the same state dir spawned and left
 * running (it was SIGKILLed, and its reaper too) was found by the ledger and stopped
 * before this supervisor spawned its own — it would hold the port of the new instance.
 */
export interface LeftoverStopped extends Base {
  kind: 'leftover-stopped';
  instance: string;
  pid: number;
  /** The pid of the supervisor that had spawned it. */
  ownerPid: number;
  stoppedBy: 'stop-signal' | 'SIGKILL';
}

/**
 * At start-up (or a reload): the services this one `dependsOn` were not ready within
 * `startup.dependencyTimeout`, so it was started anyway (its own probes and restarts
 * handle the missing dependency).
 */
export interface DependencyTimeout extends Base {
  kind: 'dependency-timeout';
  /** The dependencies still not ready. */
  dependencies: string[];
  waitedMs: number;
}

export type ElementEventKind = ElementEvent['kind'];

/**
 * True for events the control loop should treat as symptoms (something is wrong),
 * as opposed to plain facts (a spawn, a recovery).
 * @example if (isSymptom(event)) queue.add(event.element);
 * @example isSymptom({ kind: 'process-spawned', … }) // false
 */
export function isSymptom(event: ElementEvent): boolean {
  switch (event.kind) {
    case 'crash-looping':
    case 'resource-breach':
    case 'spawn-failed':
    case 'failover':
      return true;
    case 'probe-changed':
      return event.to === 'failing';
    case 'process-exited':
      return event.reason !== 'stopped' && !(event.code === 0 && event.signal === null);
    default:
      return false;
  }
}
