import { closeSync, existsSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../config/private-state.js';

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
 * @example
 * const files = new ReplicaLogFiles(replicaLogDir('.homeostat', 'api', 0), { maxBytes: 10_000_000, keep: 3 });
 * const log = files.beginInstance(); log.write('out', chunk); log.close();
 * @example
 * new ReplicaLogFiles('/proc/nope', rotation).beginInstance(); // throws: the folder cannot be created
 */
export class ReplicaLogFiles {
  constructor(
    readonly dir: string,
    private readonly rotation: LogRotation,
  ) {}

  beginInstance(tailLines = 50): InstanceLog {
    ensurePrivateDir(this.dir);
    for (const old of logFiles(this.dir, 'previous')) unlinkSync(old);
    for (const file of logFiles(this.dir, 'current')) renameSync(file, file.replace(/current\.log(\.\d+)?$/, 'previous.log$1'));
    return new InstanceLog(this.dir, this.rotation, tailLines);
  }
}

/**
 * One instance's output going to disk, whole lines at a time so stdout and stderr do
 * not interleave mid-line, with the last lines kept in memory as crash evidence.
 * Writes are synchronous: a few microseconds each, and nothing is lost if the
 * supervisor itself dies right after.
 */
export class InstanceLog {
  private fd: number | undefined;
  private size = 0;
  private readonly partial = { out: '', err: '' };
  private readonly lastLines: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly rotation: LogRotation,
    private readonly tailLines: number,
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

  /** Flush partial lines and close the file. Later writes are ignored. */
  close(): void {
    for (const stream of ['out', 'err'] as const) {
      if (this.partial[stream] !== '') this.append(`${this.partial[stream]}\n`);
      this.partial[stream] = '';
    }
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(text: string): void {
    for (const line of text.split('\n')) if (line !== '') this.lastLines.push(line);
    if (this.lastLines.length > this.tailLines) this.lastLines.splice(0, this.lastLines.length - this.tailLines);
    if (this.fd === undefined) return;
    const bytes = Buffer.from(text);
    writeSync(this.fd, bytes);
    this.size += bytes.length;
    if (this.size >= this.rotation.maxBytes) this.rotate();
  }

  private open(): void {
    const path = join(this.dir, 'current.log');
    this.fd = openSync(path, 'a', PRIVATE_FILE_MODE);
    this.size = statSync(path).size;
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    const current = join(this.dir, 'current.log');
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
    this.open();
  }
}
