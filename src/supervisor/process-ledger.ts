import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processIdentity, type ProcessIdentity } from './process-identity.js';
import { OrphanGuardError } from './supervisor-errors.js';

/** One supervised process as the ledger keeps it: enough to find it again and stop it well. */
export interface LedgerProcess {
  element: string;
  instance: string;
  /** The pid, which is also its process group id (spawned detached). */
  pid: number;
  startTicks: number;
  stopSignal: NodeJS.Signals;
  graceMs: number;
}

/** The file one supervisor keeps: who owns it and what it runs now. */
export interface LedgerFile {
  version: 1;
  /** The supervising process (`homeostat up`); its processes are leftovers once it is gone. */
  owner: ProcessIdentity;
  processes: LedgerProcess[];
}

/** Where the ledgers of a state dir live (one file per supervisor). */
export function ledgerDir(stateDir: string): string {
  return join(stateDir, 'processes');
}

let ledgersInThisProcess = 0;

/**
 * The live processes of one supervisor, kept in `<stateDir>/processes/<pid>-<n>.json`
 * (0600, in a 0700 folder) so that the next `homeostat up` on the same state dir can find
 * and stop what a killed one left running ({@link stopLeftovers}). Each entry carries the
 * process's start time, so a pid reused by an unrelated process is never taken for it.
 *
 * Writes are coalesced and happen after the spawn, off the path from a crash to its
 * replacement; a process spawned in the moment before a SIGKILL of `up` may be missing
 * here, which is what the reaper ({@link OrphanReaper}) covers. A failing write (a full
 * disk) is reported and retried with the next change: the ledger never stops supervision.
 *
 * @example
 * const ledger = new ProcessLedger(stateDir); ledger.add({ element: 'api', instance: 'api#0', pid, stopSignal: 'SIGTERM', graceMs: 5_000 }); … ledger.close();
 */
export class ProcessLedger {
  readonly file: string;
  private readonly dir: string;
  private dirMade = false;
  private readonly processes = new Map<number, LedgerProcess>();
  private readonly owner: ProcessIdentity | undefined;
  private scheduled = false;
  private closed = false;
  private failing = false;

  constructor(
    stateDir: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.dir = ledgerDir(stateDir);
    this.file = join(this.dir, `${process.pid}-${++ledgersInThisProcess}.json`);
    this.owner = processIdentity(process.pid);
  }

  /**
   * Record a process just spawned. Its start time is read with the coalesced write, off the
   * spawn path; one that cannot be identified then (gone already, or no `/proc`) is dropped.
   */
  add(entry: Omit<LedgerProcess, 'startTicks'>): void {
    if (!this.owner) return;
    // After close(), an add means the supervisor was started again.
    this.closed = false;
    this.processes.set(entry.pid, { ...entry, startTicks: -1 });
    this.schedule();
  }

  remove(pid: number): void {
    if (this.processes.delete(pid)) this.schedule();
  }

  /** A clean stop: nothing is left, so the file goes (until the next add). */
  close(): void {
    this.closed = true;
    this.processes.clear();
    try {
      rmSync(this.file, { force: true });
    } catch {
      // Never written (its folder could not be made): nothing to remove.
    }
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.write();
    });
  }

  private write(): void {
    if (this.closed || !this.owner) return;
    for (const [pid, entry] of this.processes) {
      if (entry.startTicks >= 0) continue;
      const identity = processIdentity(pid);
      if (identity) entry.startTicks = identity.startTicks;
      else this.processes.delete(pid);
    }
    const content: LedgerFile = { version: 1, owner: this.owner, processes: [...this.processes.values()] };
    const temp = `${this.file}.tmp`;
    try {
      if (!this.dirMade) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.dirMade = true;
      writeFileSync(temp, JSON.stringify(content), { mode: 0o600 });
      // rename: a reader (the next `up`) sees the old list or the new one, never half of one.
      renameSync(temp, this.file);
      this.failing = false;
    } catch (error) {
      // Once per outage (a full disk would otherwise be reported at every spawn).
      if (!this.failing) this.onError(new OrphanGuardError(`cannot write the process ledger ${this.file}: ${(error as Error).message}; should this process be killed, the next start-up cannot find what it leaves (retried at the next change)`, error));
      this.failing = true;
    }
  }
}

/** Every ledger file in a state dir, parsed; unreadable ones are returned as `undefined` content. */
export function readLedgers(stateDir: string): { file: string; ledger: LedgerFile | undefined }[] {
  let names: string[];
  try {
    names = readdirSync(ledgerDir(stateDir)).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((name) => {
    const file = join(ledgerDir(stateDir), name);
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as LedgerFile;
      return { file, ledger: parsed.version === 1 && Array.isArray(parsed.processes) && parsed.owner ? parsed : undefined };
    } catch {
      return { file, ledger: undefined };
    }
  });
}
