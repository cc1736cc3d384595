import { abortReason } from './abort.js';
import { systemClock, type Clock } from './clock.js';
import { DeadlineQueue, type DeadlineEntry } from './deadline-queue.js';
import { BulkheadRejectedError, requireNumber } from './errors.js';
import { EventEmitter, type Subscribe } from './events.js';
import { isThenable, neverAbortedContext, neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

/** Options of {@link bulkhead}. */
export interface BulkheadOptions {
  /** Calls running at once. */
  maxConcurrent: number;
  /** Calls that may wait for a slot (default 0: reject at once when full). */
  maxQueue?: number;
  /** A queued call that has not started after this long is rejected (default: waits indefinitely). */
  queueTimeoutMs?: number;
  clock?: Clock;
}

/**
 * A concurrency limit; see {@link bulkhead}.
 *
 * @example
 * bulkhead({ maxConcurrent: 8 }).onRejected(({ reason }) => metrics.count('shed', { reason }));
 * @example
 * if (pool.active === pool.maxConcurrent && pool.queued > 0) warn('saturated');
 */
export interface Bulkhead extends Policy {
  readonly maxConcurrent: number;
  /** Calls running now. */
  readonly active: number;
  /** Calls waiting for a slot. */
  readonly queued: number;
  readonly onRejected: Subscribe<{ readonly reason: 'full' | 'queue-timeout' }>;
}

/**
 * Runs at most `maxConcurrent` calls at once, queues up to `maxQueue` more in
 * arrival order, and rejects the rest with {@link BulkheadRejectedError}
 * (`HS_BULKHEAD_REJECTED`, `reason: 'full'`), or with `reason: 'queue-timeout'`
 * when a queued call waited `queueTimeoutMs` without starting. A caller's abort
 * removes its call from the queue. One shared timer serves all queue deadlines.
 *
 * @example
 * const pool = bulkhead({ maxConcurrent: 4, maxQueue: 100, queueTimeoutMs: 5000 });
 * const thumbnail = await pool.execute(() => render(image));
 * @example
 * const single = bulkhead({ maxConcurrent: 1 });
 * void single.execute(() => new Promise(() => {}));
 * await single.execute(() => 'x'); // rejects with HS_BULKHEAD_REJECTED (reason 'full')
 */
export function bulkhead(options: BulkheadOptions): Bulkhead {
  return new BulkheadImpl(options);
}

interface Waiter {
  run(): void;
  reject(error: unknown): void;
  entry: DeadlineEntry | undefined;
  unlink: (() => void) | undefined;
  done: boolean;
}

class BulkheadImpl implements Bulkhead {
  readonly maxConcurrent: number;
  private readonly maxQueue: number;
  private readonly queueTimeoutMs: number | undefined;
  private readonly deadlines: DeadlineQueue | undefined;
  private running = 0;
  private waiting = 0;
  private queue: Waiter[] = [];
  private head = 0;
  private readonly rejections = new EventEmitter<{ readonly reason: 'full' | 'queue-timeout' }>();
  readonly onRejected = this.rejections.subscribe;

  constructor(options: BulkheadOptions) {
    this.maxConcurrent = requireNumber('maxConcurrent', options.maxConcurrent, 1, true);
    this.maxQueue = requireNumber('maxQueue', options.maxQueue ?? 0, 0, true);
    this.queueTimeoutMs =
      options.queueTimeoutMs === undefined ? undefined : requireNumber('queueTimeoutMs', options.queueTimeoutMs, 0);
    this.deadlines =
      this.queueTimeoutMs === undefined ? undefined : new DeadlineQueue(options.clock ?? systemClock, this.queueTimeoutMs);
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting;
  }

  execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.running < this.maxConcurrent) {
      this.running++;
      return this.run(fn, signal);
    }
    if (this.waiting >= this.maxQueue) return Promise.reject(this.reject('full'));
    return this.enqueue(fn, signal);
  }

  private run<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal): Promise<T> {
    let result: Promise<T> | T;
    try {
      result = fn(signal === neverAbortedSignal ? neverAbortedContext : { signal });
    } catch (error) {
      this.release();
      return Promise.reject(error);
    }
    if (!isThenable<T>(result)) {
      this.release();
      return Promise.resolve(result);
    }
    return Promise.resolve(result).then(this.releaseAfterSuccess, this.releaseAfterFailure) as Promise<T>;
  }

  private readonly releaseAfterSuccess = <T>(value: T): T => {
    this.release();
    return value;
  };

  private readonly releaseAfterFailure = (error: unknown): never => {
    this.release();
    throw error;
  };

  private enqueue<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        run: () => resolve(this.run(fn, signal)),
        reject,
        entry: undefined,
        unlink: undefined,
        done: false,
      };
      if (this.deadlines) waiter.entry = this.deadlines.add(() => this.abandon(waiter, this.reject('queue-timeout')));
      if (signal !== neverAbortedSignal) {
        const onAbort = (): void => this.abandon(waiter, abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.unlink = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(waiter);
      this.waiting++;
    });
  }

  private release(): void {
    this.running--;
    while (this.head < this.queue.length) {
      const waiter = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as Waiter;
      if (waiter.done) continue;
      this.finish(waiter);
      this.running++;
      waiter.run();
      break;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }

  private abandon(waiter: Waiter, error: unknown): void {
    if (waiter.done) return;
    this.finish(waiter);
    waiter.reject(error);
  }

  private finish(waiter: Waiter): void {
    waiter.done = true;
    this.waiting--;
    waiter.unlink?.();
    if (waiter.entry !== undefined) this.deadlines?.settle(waiter.entry);
  }

  private reject(reason: 'full' | 'queue-timeout'): BulkheadRejectedError {
    if (this.rejections.hasListeners) this.rejections.emit({ reason });
    return new BulkheadRejectedError(
      reason,
      reason === 'full'
        ? `${this.maxConcurrent} calls running and ${this.maxQueue} queued`
        : `waited ${this.queueTimeoutMs} ms in the queue without a free slot`,
    );
  }
}
