import { Engine, type EngineEvent, type EngineOptions, type RunRecord, type WorkflowDefinition } from '../../src/index.js';
import { tempDir } from './temp-store.js';

/** Short real-time settings so capability tests finish in milliseconds, not seconds. */
export const FAST_WORKER = { pollIntervalMs: 10, leaseMs: 300, heartbeatIntervalMs: 50, errorRetryDelayMs: 50 } as const;

export interface TestEngines {
  dbPath: string;
  url: string;
  /** Open an engine on this test's SQLite file; it is closed by `cleanup`. */
  open(workflows: WorkflowDefinition<never, unknown>[], options?: Partial<EngineOptions>): Promise<Engine>;
  /** Events seen by every engine opened here, in order. */
  events: { engine: Engine; event: EngineEvent }[];
  cleanup(): Promise<void>;
}

/** One temp SQLite file plus every engine a test opens on it, all closed and removed by `cleanup`. */
export function testEngines(): TestEngines {
  const tmp = tempDir();
  const engines: Engine[] = [];
  const events: { engine: Engine; event: EngineEvent }[] = [];
  const url = `sqlite:${tmp.dbPath}`;
  return {
    dbPath: tmp.dbPath,
    url,
    events,
    async open(workflows, options = {}) {
      const engine = await Engine.open({
        store: url,
        workflows,
        inMemoryWaitMs: 20,
        ...options,
        worker: options.worker === false ? false : { ...FAST_WORKER, ...(typeof options.worker === 'object' ? options.worker : {}) },
      });
      engine.on((event) => events.push({ engine, event }));
      engines.push(engine);
      return engine;
    },
    async cleanup() {
      // Short grace: tests that leave a step hung on purpose must not wait 5 s each.
      for (const engine of engines.reverse()) await engine.close(20).catch(() => undefined);
      tmp.cleanup();
    },
  };
}

/** Poll `check` until it returns a truthy value (returned), or fail after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 5_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Wait until the run has this status; returns the run. */
export function waitForStatus(engine: Engine, runId: string, status: RunRecord['status'], timeoutMs = 5_000): Promise<RunRecord> {
  return waitFor(`run ${runId} to be ${status}`, async () => {
    const run = await engine.getRun(runId);
    return run?.status === status ? run : undefined;
  }, timeoutMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve/reject exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when `signal` aborts (a step that runs until it is told to stop). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Counts calls per key. */
export class Counter {
  private readonly counts = new Map<string, number>();
  hit(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
