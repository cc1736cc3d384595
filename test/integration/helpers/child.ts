import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * One JSON object a child printed on its own line of stdout, with `receivedAt` (ms
 * since the epoch, when the test read it) added.
 */
export type JsonLine = Record<string, unknown> & { type?: string; receivedAt: number };

/**
 * A Node child process running a compiled fixture, whose stdout is read as JSON lines
 * (non-JSON lines are kept as `{ type: 'text', text }`). Stderr is kept for diagnostics.
 * Its stdin is a pipe the parent never writes to: a fixture that calls
 * {@link exitWhenParentDies} exits when the test process goes away, however it ends.
 */
export class JsonChild {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly lines: JsonLine[] = [];
  stderr = '';
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitState: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(script: URL, args: string[]) {
    this.proc = spawn(process.execPath, [fileURLToPath(script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (this.proc.pid === undefined) throw new Error(`could not spawn ${script.href}`);
    this.pid = this.proc.pid;
    let buffered = '';
    this.proc.stdout!.setEncoding('utf8');
    this.proc.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (text.trim() === '') continue;
        const receivedAt = Date.now();
        try {
          this.lines.push({ ...(JSON.parse(text) as Record<string, unknown>), receivedAt });
        } catch {
          this.lines.push({ type: 'text', text, receivedAt });
        }
      }
      for (const listener of this.listeners) listener();
    });
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (chunk: string) => {
      if (this.stderr.length < 64_000) this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exitState = { code, signal };
        for (const listener of this.listeners) listener();
        resolve(this.exitState);
      });
    });
  }

  get alive(): boolean {
    return this.exitState === undefined;
  }

  /** Lines of this `type` printed so far. */
  linesOf(type: string): JsonLine[] {
    return this.lines.filter((line) => line.type === type);
  }

  /**
   * Wait for the first line matching `predicate` (including ones already printed).
   * Fails on timeout or when the child exits first, quoting its stderr.
   */
  waitForLine(predicate: (line: JsonLine) => boolean, timeoutMs: number, what: string): Promise<JsonLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.find(predicate);
        if (found) return finish(() => resolve(found));
        if (this.exitState) {
          finish(() =>
            reject(new Error(`child ${this.pid} exited (${JSON.stringify(this.exitState)}) before ${what}; stderr:\n${this.stderr}`)),
          );
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for child ${this.pid}: ${what}; stderr:\n${this.stderr}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Send a signal if the process is still alive. */
  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.proc.kill(signal);
  }

  /** SIGKILL (works on a stopped process too) and wait until it is gone. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}

/**
 * Every child a test spawned, so `finally` can kill them all even when an assertion
 * failed; any still alive when the test process exits are SIGKILLed then.
 */
export class ChildGroup {
  private readonly children = new Set<JsonChild>();
  private readonly killOnExit = () => {
    for (const child of this.children) child.signal('SIGKILL');
  };

  constructor() {
    process.once('exit', this.killOnExit);
  }

  spawn(script: URL, args: string[]): JsonChild {
    const child = new JsonChild(script, args);
    this.children.add(child);
    return child;
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.children].map((child) => child.kill()));
    process.removeListener('exit', this.killOnExit);
  }
}

/** For fixtures: exit when the parent closes our stdin (it exited or was killed). */
export function exitWhenParentDies(): void {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
