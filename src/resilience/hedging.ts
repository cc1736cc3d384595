import { HomeostatError } from '../errors/homeostat-error.js';
import { abortReason } from './abort.js';
import { systemClock, type Clock } from './clock.js';
import { DeadlineQueue, type DeadlineEntry } from './deadline-queue.js';
import { requireNumber } from './errors.js';
import { EventEmitter, type Subscribe } from './events.js';
import { neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

/** Options of {@link hedge}. */
export interface HedgeOptions {
  /** Start another attempt when none has succeeded after this long. */
  delayMs: number;
  /** Extra attempts per call at most (default 1). */
  maxHedges?: number;
  /**
   * Caps the extra load: each call earns `ratio` hedge tokens (default 0.1: at
   * most ~10 % extra attempts), up to `burst` saved (default 5, also the
   * starting balance); each hedge spends one.
   */
  budget?: { ratio?: number; burst?: number };
  clock?: Clock;
}

/** What a hedged function receives. */
export interface HedgeContext extends PolicyContext {
  /** 1 for the primary attempt, 2+ for hedges. */
  readonly attempt: number;
}

/**
 * A hedging policy; see {@link hedge}.
 *
 * @example
 * hedged.onHedge(({ attempt }) => metrics.count('hedges', { attempt }));
 * @example
 * hedged.onBudgetExhausted(() => log.debug('hedge skipped: budget spent'));
 */
export interface HedgePolicy extends Policy<HedgeContext> {
  readonly onHedge: Subscribe<{ readonly attempt: number }>;
  readonly onBudgetExhausted: Subscribe<{ readonly attempt: number }>;
  /** Hedge tokens available now. */
  readonly budget: number;
}

/**
 * Tail-latency insurance: when the first attempt has not succeeded after
 * `delayMs` (or has already failed), start another; the first success wins and
 * the others' signals abort with `HS_HEDGE_LOST`. When every attempt fails the
 * last error is thrown. A token budget keeps hedges to a fraction of calls, so
 * a slow dependency is not hit with double load. Only hedge idempotent work.
 *
 * @example
 * const hedged = hedge({ delayMs: 50 });
 * const row = await hedged.execute(({ signal }) => replica.read(key, { signal }));
 * @example
 * await hedge({ delayMs: 50 }).execute(() => Promise.reject(new Error('down')));
 * // → rejects with the last attempt's error ('down') once both attempts failed
 */
export function hedge(options: HedgeOptions): HedgePolicy {
  return new HedgePolicyImpl(options);
}

class HedgePolicyImpl implements HedgePolicy {
  private readonly maxHedges: number;
  private readonly ratio: number;
  private readonly burst: number;
  private tokens: number;
  private readonly delays: DeadlineQueue;
  private readonly hedged = new EventEmitter<{ readonly attempt: number }>();
  private readonly refused = new EventEmitter<{ readonly attempt: number }>();
  readonly onHedge = this.hedged.subscribe;
  readonly onBudgetExhausted = this.refused.subscribe;

  constructor(options: HedgeOptions) {
    const delayMs = requireNumber('delayMs', options.delayMs, 0);
    this.maxHedges = requireNumber('maxHedges', options.maxHedges ?? 1, 0);
    this.ratio = requireNumber('budget.ratio', options.budget?.ratio ?? 0.1, 0);
    this.burst = requireNumber('budget.burst', options.budget?.burst ?? 5, 0);
    this.tokens = this.burst;
    this.delays = new DeadlineQueue(options.clock ?? systemClock, delayMs);
  }

  get budget(): number {
    return this.tokens;
  }

  execute<T>(fn: (context: HedgeContext) => Promise<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    this.tokens = Math.min(this.burst, this.tokens + this.ratio);
    return new Promise<T>((resolve, reject) => {
      const controllers: AbortController[] = [];
      let running = 0;
      let settled = false;
      let entry: DeadlineEntry | undefined;
      const finish = (): void => {
        settled = true;
        if (entry !== undefined) this.delays.settle(entry);
        signal.removeEventListener('abort', onCallerAbort);
      };
      const onCallerAbort = (): void => {
        for (const controller of controllers) controller.abort(abortReason(signal));
      };
      const mayHedge = (): boolean => {
        const attempt = controllers.length + 1;
        if (settled || attempt > this.maxHedges + 1) return false;
        if (this.tokens < 1) {
          if (this.refused.hasListeners) this.refused.emit({ attempt });
          return false;
        }
        this.tokens -= 1;
        if (this.hedged.hasListeners) this.hedged.emit({ attempt });
        return true;
      };
      const schedule = (): void => {
        entry = controllers.length <= this.maxHedges ? this.delays.add(onDelay) : undefined;
      };
      const onDelay = (): void => {
        if (mayHedge()) start();
      };
      const start = (): void => {
        const controller = new AbortController();
        controllers.push(controller);
        running++;
        const attempt = controllers.length;
        schedule();
        new Promise<T>((run) => run(fn({ signal: controller.signal, attempt }))).then(
          (value) => {
            running--;
            if (settled) return;
            finish();
            const lost = new HomeostatError('HS_HEDGE_LOST', `hedged attempt ${attempt} won the race`);
            for (const other of controllers) if (other !== controller) other.abort(lost);
            resolve(value);
          },
          (error: unknown) => {
            running--;
            if (settled) return;
            if (!signal.aborted && mayHedge()) {
              if (entry !== undefined) this.delays.settle(entry);
              start();
            } else if (running === 0) {
              finish();
              reject(error);
            }
          },
        );
      };
      if (signal !== neverAbortedSignal) signal.addEventListener('abort', onCallerAbort, { once: true });
      start();
    });
  }
}
