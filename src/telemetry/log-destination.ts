import { close, closeSync, mkdirSync, open, openSync, write, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LogDestinationOptions {
  /** Lines kept in memory while the file cannot be written; newer lines beyond this are dropped (and counted). */
  maxBufferedBytes?: number;
  /** How often a failing destination is tried again (a path is reopened first). */
  retryEveryMs?: number;
  /** Told once when writes start failing and once when they resume (default: stderr). */
  warn?: (line: string) => void;
}

/** Errors that mean "busy, try again in a moment", not "this write failed". */
const TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EINTR']);

/**
 * Where homeostat's pino lines go: a file (appended to) or a file descriptor (1: stdout).
 *
 * Why not pino's own destination: on a full disk it either re-emits the write error with
 * no listener (an uncaught exception that kills `homeostat up`) or, in its exit-time
 * synchronous flush, sleeps and retries the failed write every 100 ms forever — the
 * event loop stays blocked, children are not reaped and no request is answered.
 *
 * Here a log write never blocks and never throws: lines are written asynchronously; while
 * writes fail (ENOSPC, EIO, a deleted folder), up to `maxBufferedBytes` of lines wait in
 * memory and newer ones are dropped and counted (`dropped`); the failure is said once on
 * stderr; every `retryEveryMs` the file is reopened (a replaced or recreated file is
 * picked up) and the backlog written. When writes work again that is said once, and a
 * line in the log itself records how many lines were lost.
 *
 * @example const dest = new LogDestination('.homeostat/homeostat.log'); pino({}, dest);
 * @example new LogDestination('/dev/full').write('x\n') // returns at once; dest.failing becomes true, dest.dropped counts what no longer fits
 */
export class LogDestination {
  /** Lines dropped since start because the destination was failing and the buffer was full. */
  dropped = 0;
  /** True from a failed write until a write succeeds again. */
  failing = false;
  /** The last write error (code and message), while failing. */
  lastError: string | undefined;
  private fd: number | undefined;
  private queue: string[] = [];
  private queuedBytes = 0;
  private writing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private droppedInStreak = 0;
  private closed = false;
  private waiters: ((error?: Error) => void)[] = [];
  private readonly maxBufferedBytes: number;
  private readonly retryEveryMs: number;
  private readonly warn: (line: string) => void;
  /** On exit, one last synchronous attempt at what is still queued (never retried). */
  private readonly onExit = () => this.writeQueuedOnce();

  constructor(
    readonly target: string | number,
    options: LogDestinationOptions = {},
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.retryEveryMs = options.retryEveryMs ?? 1_000;
    this.warn = options.warn ?? ((line) => process.stderr.write(`${line}\n`));
    if (typeof target === 'number') {
      this.fd = target;
    } else {
      try {
        mkdirSync(dirname(target), { recursive: true });
        this.fd = openSync(target, 'a');
      } catch (error) {
        this.fail(error);
      }
    }
    process.on('exit', this.onExit);
  }

  /** Called by pino with one JSON line. Never blocks, never throws. */
  write(line: string): boolean {
    if (this.closed) return true;
    if (this.queuedBytes + line.length > this.maxBufferedBytes) {
      this.dropped++;
      this.droppedInStreak++;
      return true;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    this.pump();
    return true;
  }

  /**
   * Calls back once what is queued now is written, or at once with the error if the
   * destination is failing: an exit path never waits for disk space.
   */
  flush(callback: (error?: Error) => void = () => undefined): void {
    if (this.failing) {
      process.nextTick(callback, new Error(`log ${String(this.target)} is failing: ${this.lastError ?? 'unknown error'}`));
      return;
    }
    if (this.queue.length === 0 && !this.writing) {
      process.nextTick(callback);
      return;
    }
    this.waiters.push(callback);
  }

  /** Stop: no more writes or retries; closes the file (not a descriptor that was given). */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    process.off('exit', this.onExit);
    this.writeQueuedOnce();
    if (typeof this.target === 'string' && this.fd !== undefined && !this.writing) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
  }

  private pump(): void {
    if (this.writing || this.failing || this.fd === undefined || this.queue.length === 0) return;
    const text = this.queue.join('');
    this.queue = [];
    const bytes = Buffer.from(text);
    this.writing = true;
    write(this.fd, bytes, 0, bytes.length, null, (error, written) => {
      this.writing = false;
      if (error) {
        // Put the lines back in front, in order, for the retry.
        this.queue.unshift(text);
        if (TRANSIENT.has(error.code ?? '')) {
          this.scheduleRetry(50);
          return;
        }
        this.fail(error);
        return;
      }
      this.queuedBytes -= text.length;
      if (written < bytes.length) {
        // A short write (rare on files): the rest goes first next time.
        const rest = bytes.subarray(written).toString();
        this.queue.unshift(rest);
        this.queuedBytes += rest.length;
      }
      if (this.queue.length > 0) this.pump();
      else this.release();
    });
  }

  private release(error?: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter(error);
  }

  private fail(error: unknown): void {
    const err = error as NodeJS.ErrnoException;
    // Node's messages start with the code already ("ENOSPC: no space left on device, write").
    const description = err.code && !err.message.startsWith(err.code) ? `${err.code}: ${err.message}` : err.message;
    if (!this.failing) {
      this.failing = true;
      this.droppedInStreak = 0;
      this.warn(`homeostat: cannot write the log ${String(this.target)} (${description}); keeping up to ${Math.round(this.maxBufferedBytes / 1024)} KiB of lines in memory, dropping and counting the rest, retrying every ${this.retryEveryMs} ms`);
    }
    this.lastError = description;
    this.release(new Error(`log ${String(this.target)} is failing: ${description}`));
    this.scheduleRetry(this.retryEveryMs);
  }

  private scheduleRetry(afterMs: number): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retry();
    }, afterMs);
    // A logger must never keep the process alive on its own.
    this.retryTimer.unref();
  }

  private retry(): void {
    if (this.closed) return;
    if (!this.failing || typeof this.target === 'number') {
      this.tryAgain();
      return;
    }
    // Reopen the path: the file may have been deleted, replaced or its folder recreated.
    const old = this.fd;
    if (old !== undefined) close(old, () => undefined);
    this.fd = undefined;
    mkdirSafely(dirname(this.target));
    open(this.target, 'a', (error, fd) => {
      if (this.closed) {
        if (!error) close(fd, () => undefined);
        return;
      }
      if (error) {
        this.fail(error);
        return;
      }
      this.fd = fd;
      this.tryAgain();
    });
  }

  /** One write of the backlog (with a note of what was lost in front) to see whether the destination works again. */
  private tryAgain(): void {
    if (this.fd === undefined) return;
    if (!this.failing) {
      this.pump();
      return;
    }
    const lost = this.droppedInStreak;
    const note = `${JSON.stringify({ level: 40, time: new Date().toISOString(), pid: process.pid, name: 'homeostat', msg: `log writes failed (${this.lastError ?? 'unknown error'}); ${lost} lines were dropped` })}\n`;
    const text = note + this.queue.join('');
    const bytes = Buffer.from(text);
    this.writing = true;
    write(this.fd, bytes, 0, bytes.length, null, (error, written) => {
      this.writing = false;
      if (error) {
        this.fail(error);
        return;
      }
      this.failing = false;
      this.lastError = undefined;
      this.droppedInStreak = 0;
      this.queue = written < bytes.length ? [bytes.subarray(written).toString()] : [];
      this.queuedBytes = this.queue.reduce((sum, part) => sum + part.length, 0);
      this.warn(`homeostat: the log ${String(this.target)} is writable again (${lost} lines were dropped while it failed)`);
      if (this.queue.length > 0) this.pump();
      else this.release();
    });
  }

  private writeQueuedOnce(): void {
    if (this.fd === undefined || this.writing || this.queue.length === 0) return;
    try {
      writeSync(this.fd, this.queue.join(''));
      this.queue = [];
      this.queuedBytes = 0;
    } catch {
      // Exiting on a failing disk: what is left is lost, and was counted as pending.
    }
  }
}

function mkdirSafely(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // the open that follows reports the real error
  }
}
