import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrphanGuardError } from './supervisor-errors.js';

const REAPER_SCRIPT = fileURLToPath(new URL('./reaper-process.js', import.meta.url));
const CONSEQUENCE = ': supervised processes will not be stopped if this process is killed; the next start-up on this state dir stops what it leaves';

/**
 * Makes supervised processes die with their supervisor. Supervised processes run in their
 * own sessions (so a signal reaches a process's children too), which also means nothing
 * stops them when `homeostat up` is SIGKILLed: they would be reparented to PID 1, keep
 * their ports, and the next `up`'s instances would crash-loop on EADDRINUSE.
 *
 * The reaper is one small Node process per supervisor (not one per child: spawning stays
 * as fast as before — registering a group is one line written to a pipe). It holds the
 * read end of a pipe whose write end only this process has; when this process dies, the
 * pipe closes and the reaper stops every group still registered (see reaper-process.ts).
 * It can itself be killed: the ledger and {@link stopLeftovers} at the next start-up are
 * the second line.
 *
 * @example
 * const reaper = OrphanReaper.start(stateDir); reaper.add(pid, 'SIGTERM', 5_000); … reaper.remove(pid); reaper.close();
 */
export class OrphanReaper {
  private broken = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly onError: (error: unknown) => void,
  ) {
    child.stdin!.on('error', (error) => this.fail(new OrphanGuardError(`cannot reach the orphan reaper (pid ${child.pid}): ${error.message}${CONSEQUENCE}`, error)));
    child.once('exit', (code, signal) => {
      if (!this.closing) this.fail(new OrphanGuardError(`the orphan reaper (pid ${child.pid}) exited (${signal ?? `code ${code}`})${CONSEQUENCE}`));
    });
    // Neither the process nor its pipe keeps this process alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private closing = false;

  /** Start the reaper; its log is `<stateDir>/reaper.log` (0600). */
  static start(stateDir: string, onError: (error: unknown) => void = () => undefined): OrphanReaper {
    let log: number | 'ignore' = 'ignore';
    try {
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      log = openSync(join(stateDir, 'reaper.log'), 'a', 0o600);
    } catch {
      // No log then: the reaper's work matters more than its record of it.
    }
    try {
      const child = spawn(process.execPath, [REAPER_SCRIPT], { detached: true, stdio: ['pipe', log, log] });
      const reaper = new OrphanReaper(child, onError);
      child.once('error', (error) => reaper.fail(new OrphanGuardError(`cannot start the orphan reaper: ${error.message}${CONSEQUENCE}`, error)));
      return reaper;
    } finally {
      if (typeof log === 'number') closeSync(log);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stop group `pgid` with `signal`, then SIGKILL after `graceMs`, should this process die. */
  add(pgid: number, signal: NodeJS.Signals, graceMs: number): void {
    this.send(`add ${pgid} ${signal} ${Math.round(graceMs)}\n`);
  }

  /** The group is gone (its leader exited): forget it. */
  remove(pgid: number): void {
    this.send(`del ${pgid}\n`);
  }

  /** A clean stop: every group was stopped and removed; the reaper exits at end-of-file. */
  close(): void {
    this.closing = true;
    if (!this.broken) this.child.stdin!.end();
  }

  private send(line: string): void {
    if (this.broken || this.closing) return;
    this.child.stdin!.write(line);
  }

  private fail(error: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.onError(error);
  }
}
