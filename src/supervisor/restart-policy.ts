import { exponentialBackoff, type Backoff } from '../resilience/backoff.js';
import type { Random } from '../resilience/random.js';
import type { ExitReason } from './element-events.js';

export type RestartMode = 'always' | 'on-failure' | 'never';

export interface RestartPolicyOptions {
  mode: RestartMode;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: 'none' | 'equal' | 'full';
  /** An instance that ran this long was stable: the count of restarts in a row resets. */
  resetAfterMs: number;
}

/** How a process ended, for the policy. */
export interface ExitFacts {
  code: number | null;
  signal: string | null;
  reason: ExitReason;
  uptimeMs: number;
}

export type RestartDecision = { restart: false } | { restart: true; delayMs: number; attempt: number };

/**
 * Whether and when to restart after an exit: `always`, `on-failure` (non-zero code, a
 * signal, or killed by a probe or the memory rule) or `never`. Restarts in a row back
 * off exponentially with jitter up to a cap; the first one after a stable run is
 * immediate, so a rare crash costs no extra downtime. Uses the resilience backoff.
 *
 * @example
 * const policy = new RestartPolicy({ mode: 'always', initialDelayMs: 100, maxDelayMs: 30_000, factor: 2, jitter: 'equal', resetAfterMs: 10_000 }, Math.random);
 * policy.decide({ code: 1, signal: null, reason: 'exited', uptimeMs: 50 }); // { restart: true, delayMs: 0, attempt: 1 }
 * @example
 * new RestartPolicy({ ...options, mode: 'on-failure' }, random).decide({ code: 0, signal: null, reason: 'exited', uptimeMs: 5 }); // { restart: false }
 */
export class RestartPolicy {
  private readonly backoff: Backoff;
  private consecutive = 0;
  private previousDelayMs = 0;

  constructor(
    private readonly options: RestartPolicyOptions,
    private readonly random: Random,
  ) {
    this.backoff = exponentialBackoff({
      initialDelayMs: options.initialDelayMs,
      maxDelayMs: Math.max(options.initialDelayMs, options.maxDelayMs),
      factor: options.factor,
      jitter: options.jitter,
    });
  }

  /** Restarts in a row so far. */
  get attempts(): number {
    return this.consecutive;
  }

  decide(exit: ExitFacts): RestartDecision {
    if (exit.uptimeMs >= this.options.resetAfterMs) this.reset();
    if (!this.wantsRestart(exit)) return { restart: false };
    this.consecutive++;
    const delayMs = this.consecutive === 1 ? 0 : this.backoff.delayMs(this.consecutive - 1, this.previousDelayMs, this.random);
    this.previousDelayMs = delayMs;
    return { restart: true, delayMs: Math.round(delayMs), attempt: this.consecutive };
  }

  /** Forget past restarts (the instance has been stable for `resetAfterMs`). */
  reset(): void {
    this.consecutive = 0;
    this.previousDelayMs = 0;
  }

  private wantsRestart(exit: ExitFacts): boolean {
    if (exit.reason === 'stopped') return false;
    if (this.options.mode === 'never') return false;
    if (this.options.mode === 'always') return true;
    return exit.reason !== 'exited' || exit.code !== 0 || exit.signal !== null;
  }
}
