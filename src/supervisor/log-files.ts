import { closeSync, existsSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../store/private-state.js';

export interface LogRotation {
  /** Rotate `current.log` once it passes this many bytes. */
  maxBytes: number;
  /** Rotated files kept (`current.log.1` … `current.log.<keep>`). */
  keep: number;
}

/** The folder of one replica's logs: `<stateDir>/logs/<service>/<replica>/`. */
export function replicaLogDir(stateDir: string, service: string, replica: number): string {
  return join(stateDir, 'logs', service, String(replica));
}

/**
 * The files of one instance's log, oldest first: `previous` is the instance before the
 * last restart, otherwise the running (or last) one.
 */
export function logFiles(dir: string, which: 'current' | 'previous'): string[] {
  if (!existsSync(dir)) return [];
  const base = `${which}.log`;
  return readdirSync(dir)
    .filter((name) => name === base || (name.startsWith(`${base}.`) && /^\d+$/.test(name.slice(base.length + 1))))
    .map((name) => ({ name, index: name === base ? 0 : Number(name.slice(base.length + 1)) }))
    .sort((a, b) => b.index - a.index)
    .map((entry) => join(dir, entry.name));
}

/**
 * The log files of one replica. Each new instance (spawn) starts a fresh `current.log`;
 * the one before it becomes `previous.log` (with its rotated parts), so the output of
 * the instance that crashed is still there after the restart.
 *
 * Never throws: a log that cannot be written (full disk, folder gone) must not stop a
 * service from starting or its output from being read (see {@link InstanceLog}).
 *
 * @example
 * const files = new ReplicaLogFiles(replicaLogDir('.homeostat', 'api', 0), { maxBytes: 10_000_000, keep: 3 });
 * const log = files.beginInstance(); log.write('out', chunk); log.close();
 * @example
 * new ReplicaLogFiles('/etc/passwd/api/0', rotation).beginInstance(); // a log with no file: lines kept in memory (tail), bytes counted as dropped
 */
export class ReplicaLogFiles {
  constructor(
    readonly dir: string,
    private readonly rotation: LogRotation,
    private readonly onWriteError: (dir: string, error: Error) => void = warnOnStderr,
  ) {}

  beginInstance(tailLines = 50): InstanceLog {
    try {
      ensurePrivateDir(this.dir);
      for (const old of logFiles(this.dir, 'previous')) unlinkSync(old);
      for (const file of logFiles(this.dir, 'current')) renameSync(file, file.replace(/current\.log(\.\d+)?$/, 'previous.log$1'));
    } catch (error) {
      // The new instance still gets a log: it opens (or retries opening) current.log itself.
      this.onWriteError(this.dir, error as Error);
    }
    return new InstanceLog(this.dir, this.rotation, tailLines, this.onWriteError);
  }
}

function warnOnStderr(dir: string, error: Error): void {
  process.stderr.write(`homeostat: cannot write the service log in ${dir} (${(error as NodeJS.ErrnoException).code ?? error.message}); its output is still read and its last lines kept, the rest is dropped and counted until the disk has room\n`);
}

/** After a failed write, output is dropped (and counted) for this long before the file is tried again. */
const RETRY_AFTER_MS = 1_000;

/**
 * One instance's output going to disk, whole lines at a time so stdout and stderr do
 * not interleave mid-line, with the last lines kept in memory as crash evidence.
 * Writes are synchronous: a few microseconds each, and nothing is lost if the
 * supervisor itself dies right after.
 *
 * A write that fails (ENOSPC, EIO, a deleted folder) never throws into the pipe reader:
 * the child's output keeps being drained (a child blocked on a full pipe would hang),
 * the bytes are counted in `droppedBytes`, the failure is reported once, and after
 * {@link RETRY_AFTER_MS} the file is reopened and written again, starting with a line
 * saying how much was dropped.
 */
export class InstanceLog {
  /** Output bytes that could not be written to the file. */
  droppedBytes = 0;
  private fd: number | undefined;
  private size = 0;
  private readonly partial = { out: '', err: '' };
  private readonly lastLines: string[] = [];
  /** Set while failing: when the file is next tried. */
  private retryAt: number | undefined;
  private droppedInStreak = 0;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly rotation: LogRotation,
    private readonly tailLines: number,
    private readonly onWriteError: (dir: string, error: Error) => void = warnOnStderr,
  ) {
    this.open();
  }

  write(stream: 'out' | 'err', chunk: Buffer | string): void {
    const text = this.partial[stream] + chunk.toString();
    const newline = text.lastIndexOf('\n');
    // Long output without a newline is written anyway, so memory stays bounded.
    if (newline < 0 && text.length < 16_384) {
      this.partial[stream] = text;
      return;
    }
    const complete = newline < 0 ? text : text.slice(0, newline + 1);
    this.partial[stream] = newline < 0 ? '' : text.slice(newline + 1);
    this.append(complete);
  }

  /** The last lines written (both streams), newest last. */
  tail(lines = this.tailLines): string[] {
    const pending = [this.partial.out, this.partial.err].filter((text) => text !== '');
    return [...this.lastLines, ...pending].slice(-lines);
  }

  /** True while output cannot be written to the file. */
  get failing(): boolean {
    return this.retryAt !== undefined;
  }

  /** Flush partial lines and close the file. Later writes are ignored. */
  close(): void {
    for (const stream of ['out', 'err'] as const) {
      if (this.partial[stream] !== '') this.append(`${this.partial[stream]}\n`);
      this.partial[stream] = '';
    }
    this.closed = true;
    this.closeFile();
  }

  private append(text: string): void {
    for (const line of text.split('\n')) if (line !== '') this.lastLines.push(line);
    if (this.lastLines.length > this.tailLines) this.lastLines.splice(0, this.lastLines.length - this.tailLines);
    if (this.closed) return;
    const bytes = Buffer.from(text);
    if (this.retryAt !== undefined) {
      if (Date.now() < this.retryAt || !this.reopen()) {
        this.drop(bytes.length);
        return;
      }
    }
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, bytes);
    } catch (error) {
      this.fail(error as Error);
      this.drop(bytes.length);
      return;
    }
    this.size += bytes.length;
    if (this.size >= this.rotation.maxBytes) this.rotate();
  }

  private drop(bytes: number): void {
    this.droppedBytes += bytes;
    this.droppedInStreak += bytes;
  }

  private fail(error: Error): void {
    if (this.retryAt === undefined) this.onWriteError(this.dir, error);
    this.retryAt = Date.now() + RETRY_AFTER_MS;
  }

  /** Try the file again after a failure; true when it can be written (the gap is noted in it). */
  private reopen(): boolean {
    this.closeFile();
    this.retryAt = undefined;
    if (!this.open()) return false;
    const note = Buffer.from(`[homeostat: ${this.droppedInStreak} bytes of output were dropped here: the log could not be written]\n`);
    try {
      writeSync(this.fd!, note);
    } catch (error) {
      this.fail(error as Error);
      return false;
    }
    this.size += note.length;
    this.droppedInStreak = 0;
    return true;
  }

  private open(): boolean {
    const path = join(this.dir, 'current.log');
    try {
      ensurePrivateDir(this.dir);
      this.fd = openSync(path, 'a', PRIVATE_FILE_MODE);
      this.size = statSync(path).size;
      return true;
    } catch (error) {
      this.closeFile();
      this.fail(error as Error);
      return false;
    }
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }

  private rotate(): void {
    this.closeFile();
    const current = join(this.dir, 'current.log');
    try {
      if (this.rotation.keep === 0) {
        unlinkSync(current);
      } else {
        const oldest = `${current}.${this.rotation.keep}`;
        if (existsSync(oldest)) unlinkSync(oldest);
        for (let i = this.rotation.keep - 1; i >= 1; i--) {
          if (existsSync(`${current}.${i}`)) renameSync(`${current}.${i}`, `${current}.${i + 1}`);
        }
        renameSync(current, `${current}.1`);
      }
    } catch (error) {
      // Not rotated: keep appending to current.log (reopened below) rather than lose output.
      this.fail(error as Error);
      this.retryAt = undefined;
    }
    this.open();
  }
}
