import { spawn, type ChildProcess } from 'node:child_process';
import type { InstanceLog } from './log-files.js';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface ProcessExit {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all. */
  spawnError?: Error;
}

/**
 * One OS process: spawned in its own process group (so signals reach its children
 * too), output into its {@link InstanceLog}, stopped with a signal and a grace period.
 * A supervised replica creates one per (re)start.
 *
 * @example
 * const proc = ProcessInstance.spawn({ command: 'node', args: ['api.js'], cwd, env }, () => files.beginInstance());
 * const exit = await proc.stop('SIGTERM', 5_000); // SIGKILL after 5 s
 * @example
 * ProcessInstance.spawn({ command: 'no-such-binary', … }, openLog).exited // resolves with spawnError (ENOENT)
 */
export class ProcessInstance {
  readonly startedAt: number;
  readonly exited: Promise<ProcessExit>;
  /**
   * How the spawn went: undefined once the process runs (Node's `spawn` event), the error
   * when it never started (ENOENT, EACCES, E2BIG …). A reload waits for it before it
   * counts a new spec as started.
   */
  readonly spawned: Promise<Error | undefined>;
  private exitInfo: ProcessExit | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly child: ChildProcess | undefined,
    readonly log: InstanceLog,
    now: number,
    thrown?: Error,
  ) {
    this.startedAt = now;
    if (!child) {
      // spawn() threw (E2BIG, a NUL byte …): a spawn failure like any other, not an exception.
      const exit = { code: null, signal: null, spawnError: thrown ?? new Error('spawn failed') };
      this.exitInfo = exit;
      this.exited = Promise.resolve(exit);
      this.spawned = Promise.resolve(exit.spawnError);
      log.close();
      return;
    }
    this.spawned = new Promise((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (error) => {
        if (child.pid === undefined) resolve(error);
      });
    });
    this.exited = new Promise((resolve) => {
      const finish = (exit: ProcessExit) => {
        if (this.exitInfo) return;
        this.exitInfo = exit;
        if (this.killTimer) clearTimeout(this.killTimer);
        // Anything left in the group (children of the process) dies with it.
        if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
        resolve(exit);
      };
      child.once('exit', (code, signal) => finish({ code, signal }));
      child.once('error', (error) => {
        // 'error' without a pid: it never started. With a pid, 'exit' follows (or came first).
        if (child.pid === undefined) finish({ code: null, signal: null, spawnError: error });
      });
    });
    child.stdout?.on('data', (chunk: Buffer) => log.write('out', chunk));
    child.stderr?.on('data', (chunk: Buffer) => log.write('err', chunk));
    // The log file closes once both pipes are drained (after 'exit', late output still lands).
    child.once('close', () => log.close());
    if (child.pid === undefined) child.once('error', () => log.close());
  }

  /**
   * Spawn, then open the log with `openLog`: rotating the previous instance's files
   * happens after the spawn (no output can be read before this tick ends), so it does
   * not add to the time between a crash and its replacement. Never throws: a spawn that
   * fails, at once or a tick later, resolves `exited` with `spawnError`.
   */
  static spawn(spec: ProcessSpec, openLog: () => InstanceLog, now = Date.now()): ProcessInstance {
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        // detached: a new session and process group whose id is the child's pid.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      return new ProcessInstance(undefined, openLog(), now, error as Error);
    }
    return new ProcessInstance(child, openLog(), now);
  }

  /** The pid (and process group id); undefined when the spawn failed. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined && this.child?.pid !== undefined;
  }

  /** Send `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    if (this.alive) signalGroup(this.child!.pid!, signal);
  }

  /**
   * Stop gracefully: `signal` (then SIGCONT, so a stopped process receives it), and
   * SIGKILL if it is still alive after `graceMs`. Resolves with the exit.
   */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<ProcessExit> {
    if (!this.alive) return this.exited;
    if (signal === 'SIGKILL' || graceMs <= 0) {
      this.signal('SIGKILL');
      return this.exited;
    }
    this.signal(signal);
    this.signal('SIGCONT');
    if (!this.killTimer) this.killTimer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    return this.exited;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
