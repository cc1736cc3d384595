import { exponentialBackoff, type Backoff } from '../resilience/backoff.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import type { Random } from '../resilience/random.js';
import type { Reconciler } from './reconciler.js';
import { WorkQueue } from './work-queue.js';

export interface ReconcileLoopOptions {
  reconciler: Reconciler;
  /** Keys reconciled at once (different keys; one key is never reconciled twice at once). Default 4. */
  concurrency?: number;
  /** Delay before retrying a key whose reconcile threw (default 100 ms doubling to 30 s, equal jitter). */
  errorBackoff?: Backoff;
  /** Called for every error: `terminal` ones are not retried. */
  onError?: (key: string, error: unknown, terminal: boolean) => void;
  clock?: Clock;
  random?: Random;
}

/**
 * Runs a {@link Reconciler} over a de-duplicating {@link WorkQueue}: events call
 * `enqueue(key)`; workers take keys and reconcile them; a thrown error requeues the key
 * after a per-key backoff (reset by the next success); `requeueAfter` schedules another look.
 *
 * @example
 * const loop = new ReconcileLoop({ reconciler }); loop.start();
 * supervisor.on((event) => loop.enqueue(`service:${event.element}`));
 * @example
 * await loop.stop(); loop.enqueue('x'); // ignored after stop
 */
export class ReconcileLoop {
  readonly queue: WorkQueue<string>;
  private readonly failures = new Map<string, { count: number; lastDelay: number }>();
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  /** Reconciles completed, for metrics and benchmarks. */
  reconciled = 0;
  errors = 0;

  constructor(private readonly options: ReconcileLoopOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.queue = new WorkQueue<string>(this.clock);
    this.backoff = options.errorBackoff ?? exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 30_000, jitter: 'equal' });
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  start(): void {
    if (this.workers.length > 0) return;
    const concurrency = Math.max(1, this.options.concurrency ?? 4);
    for (let i = 0; i < concurrency; i++) this.workers.push(this.work());
  }

  /** Stop taking keys; waits for reconciles in flight (their signal is aborted). */
  async stop(): Promise<void> {
    this.queue.shutDown();
    this.abort.abort();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const result = await this.options.reconciler.reconcile(key, this.abort.signal);
        this.reconciled++;
        this.failures.delete(key);
        if (result?.requeueAfter !== undefined) this.queue.addAfter(key, result.requeueAfter);
      } catch (error) {
        this.errors++;
        const terminal = (error as { retryable?: unknown })?.retryable === false && typeof (error as { code?: unknown }).code === 'string';
        this.options.onError?.(key, error, terminal);
        if (!terminal && !this.abort.signal.aborted) {
          const failure = this.failures.get(key) ?? { count: 0, lastDelay: 0 };
          failure.count++;
          failure.lastDelay = this.backoff.delayMs(failure.count, failure.lastDelay, this.random);
          this.failures.set(key, failure);
          this.queue.addAfter(key, failure.lastDelay);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }
}
