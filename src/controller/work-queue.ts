import { startTimer, systemClock, type Clock, type Timer } from '../resilience/clock.js';

/**
 * A de-duplicating queue of keys (controller-runtime's workqueue): a key is queued at
 * most once however many events name it; a key re-added while it is being processed is
 * processed again afterwards (never twice at once); `addAfter` delays a key, and an
 * earlier add wins. `get()` waits for a key and resolves `undefined` once shut down.
 *
 * @example
 * queue.add('service:api'); queue.add('service:api'); // one entry
 * const key = await queue.get(); try { … } finally { queue.done(key); }
 * @example
 * queue.shutDown(); await queue.get(); // undefined
 */
export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly queued = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly dirty = new Set<K>();
  private readonly delayed = new Map<K, { at: number; timer: Timer }>();
  private readonly waiters: ((key: K | undefined) => void)[] = [];
  private closed = false;

  constructor(private readonly clock: Clock = systemClock) {}

  /** Keys queued (not counting those being processed or delayed). */
  get length(): number {
    return this.queue.length;
  }

  /** Keys being processed now. */
  get inFlight(): number {
    return this.processing.size;
  }

  get isShutDown(): boolean {
    return this.closed;
  }

  add(key: K): void {
    if (this.closed) return;
    const delayed = this.delayed.get(key);
    if (delayed) {
      delayed.timer.cancel();
      this.delayed.delete(key);
    }
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Add `key` after `ms` (an earlier pending add of the same key wins). */
  addAfter(key: K, ms: number): void {
    if (this.closed) return;
    if (ms <= 0) return this.add(key);
    if (this.queued.has(key)) return;
    const at = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = startTimer(this.clock, ms, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** The next key, once one is queued; it is "processing" until {@link done}. */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Processing of `key` finished; if it was re-added meanwhile, queue it again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /** Stop: pending `get`s resolve `undefined`, delayed adds are dropped. */
  shutDown(): void {
    this.closed = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}
