import { abortReason } from './abort.js';
import { systemClock, type Clock } from './clock.js';
import { RateLimitedError, requireNumber } from './errors.js';
import { EventEmitter, type Subscribe } from './events.js';
import { neverAbortedContext, neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

/** Options of {@link actionBudget}. */
export interface ActionBudgetOptions {
  /** Actions allowed per window. */
  max: number;
  /** The sliding window's length. */
  windowMs: number;
  /** Start from a state saved with `toJSON()`. */
  initialState?: ActionBudgetSnapshot;
  clock?: Clock;
}

/** The JSON-safe state of an action budget. */
export interface ActionBudgetSnapshot {
  readonly version: 1;
  /** When each action still inside the window was taken (ms since epoch, oldest first). */
  readonly takenAt: readonly number[];
}

/**
 * "At most N actions per window", shared by every call site holding it; see {@link actionBudget}.
 *
 * @example
 * if (restarts.tryAcquire()) restart(service); else escalate('restart budget spent');
 * @example
 * await knowledge.save('budget:restarts', restarts.toJSON());
 */
export interface ActionBudget extends Policy {
  /** Actions still allowed in the current window. */
  readonly remaining: number;
  /** Takes one action from the budget if one is left. */
  tryAcquire(): boolean;
  /** Milliseconds until an action is allowed again (0 when one is now). */
  retryAfterMs(): number;
  readonly onExhausted: Subscribe<{ readonly retryAfterMs: number }>;
  toJSON(): ActionBudgetSnapshot;
}

/**
 * A sliding-window budget: at most `max` actions in any `windowMs`. Unlike a
 * token bucket it never allows more than `max` in a window, which is what a
 * guardrail such as "at most 3 restarts per 10 minutes" means. Serialisable so
 * the budget survives a controller restart.
 *
 * @example
 * const restarts = actionBudget({ max: 3, windowMs: 600_000 });
 * await restarts.execute(() => supervisor.restart('api'));
 * @example
 * const once = actionBudget({ max: 1, windowMs: 60_000 });
 * await once.execute(act);
 * await once.execute(act); // rejects: HS_RATE_LIMITED, retryAfterMs ≈ 60 000
 */
export function actionBudget(options: ActionBudgetOptions): ActionBudget {
  return new ActionBudgetImpl(options);
}

class ActionBudgetImpl implements ActionBudget {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly clock: Clock;
  private takenAt: number[];
  private readonly exhausted = new EventEmitter<{ readonly retryAfterMs: number }>();
  readonly onExhausted = this.exhausted.subscribe;

  constructor(options: ActionBudgetOptions) {
    this.max = requireNumber('max', options.max, 1);
    this.windowMs = requireNumber('windowMs', options.windowMs, 1);
    this.clock = options.clock ?? systemClock;
    this.takenAt = [...(options.initialState?.takenAt ?? [])].sort((a, b) => a - b).slice(-this.max);
  }

  get remaining(): number {
    this.expire(this.clock.now());
    return this.max - this.takenAt.length;
  }

  tryAcquire(): boolean {
    const now = this.clock.now();
    this.expire(now);
    if (this.takenAt.length >= this.max) return false;
    this.takenAt.push(now);
    return true;
  }

  retryAfterMs(): number {
    const now = this.clock.now();
    this.expire(now);
    if (this.takenAt.length < this.max) return 0;
    return this.takenAt[0]! + this.windowMs - now;
  }

  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (signal.aborted) throw abortReason(signal);
    if (!this.tryAcquire()) {
      const retryAfterMs = this.retryAfterMs();
      if (this.exhausted.hasListeners) this.exhausted.emit({ retryAfterMs });
      throw new RateLimitedError(retryAfterMs, `the budget of ${this.max} actions per ${this.windowMs} ms is spent`);
    }
    return fn(signal === neverAbortedSignal ? neverAbortedContext : { signal });
  }

  toJSON(): ActionBudgetSnapshot {
    this.expire(this.clock.now());
    return { version: 1, takenAt: [...this.takenAt] };
  }

  private expire(now: number): void {
    let expired = 0;
    while (expired < this.takenAt.length && this.takenAt[expired]! <= now - this.windowMs) expired++;
    if (expired > 0) this.takenAt.splice(0, expired);
  }
}
