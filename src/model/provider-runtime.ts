import type { ModelProviderConfig } from '../config/schema/models.js';
import { circuitBreaker, type BreakerState, type CircuitBreaker } from '../resilience/circuit-breaker.js';
import type { Clock } from '../resilience/clock.js';
import { EventEmitter, type Subscribe } from '../resilience/events.js';
import { tokenBucket, type TokenBucket } from '../resilience/rate-limiter.js';
import { ModelCallError, type ModelOutcome } from './model-errors.js';

/** One model attempt's outcome, as the autonomic loop will read it (series per provider). */
export interface ModelAttemptEvent {
  provider: string;
  model: string;
  outcome: ModelOutcome;
  latencyMs: number;
  tokensIn: number;
  tokensOut: number;
  costMicros: number;
  at: number;
}

/** A provider's health as this process has seen it since start. */
export interface ProviderHealth {
  provider: string;
  breaker: BreakerState;
  /** Taken out of every chain, in this process (`models.drain`) or in the store (the loop's `drain` rung), until restored. */
  drained: boolean;
  attempts: number;
  /** Attempts by outcome (`ok`, `rate-limited`, `invalid-output`, …). */
  outcomes: Record<string, number>;
  lastOutcome: ModelOutcome | undefined;
  lastLatencyMs: number | undefined;
}

/**
 * One provider in this process: its breaker and token bucket (the resilience toolbox's),
 * the drain switch, and per-attempt outcome events. Shared by every call that goes
 * through the provider, so one call's faults protect the next.
 */
export class ProviderRuntime {
  readonly name: string;
  readonly config: ModelProviderConfig;
  readonly breaker: CircuitBreaker;
  readonly bucket: TokenBucket | undefined;
  private drainedFlag = false;
  private readonly counts: Record<string, number> = {};
  private attemptsSeen = 0;
  private last: { outcome: ModelOutcome; latencyMs: number } | undefined;
  private readonly attempts = new EventEmitter<ModelAttemptEvent>();
  readonly onAttempt: Subscribe<ModelAttemptEvent> = this.attempts.subscribe;

  constructor(name: string, config: ModelProviderConfig, clock: Clock) {
    this.name = name;
    this.config = config;
    this.breaker = circuitBreaker({
      strategy: { kind: 'consecutive', threshold: config.breaker.failureThreshold },
      halfOpenAfter: config.breaker.halfOpenAfter,
      // Only the provider's own faults: a schema-invalid answer or a spent budget says nothing about its health.
      isFailure: (error) => error instanceof ModelCallError && error.providerFault,
      clock,
    });
    this.bucket =
      config.limits.requestsPerSecond === undefined
        ? undefined
        : tokenBucket({ capacity: config.limits.burst, refillPerSecond: config.limits.requestsPerSecond, clock });
  }

  /** Drained in this process ({@link drain}) or in the store (by the loop, for every process). */
  get drained(): boolean {
    return this.drainedFlag || this.drainedInStore;
  }

  private drainedInStore = false;
  /** The loop's concurrency limit in the store (a `limit` rung), per process; undefined: none. */
  private maxConcurrent: number | undefined;
  private inFlight = 0;

  /** Follow the provider's state in the store, as last read (provider-states.ts). */
  follow(state: { drained: boolean; maxConcurrency: number | null } | undefined): void {
    this.drainedInStore = state?.drained === true;
    this.maxConcurrent = state?.maxConcurrency ?? undefined;
  }

  /**
   * Take one of the provider's attempt slots; false when the loop's concurrency limit is
   * reached (the caller moves on). Each true must be followed by {@link leave}.
   */
  tryEnter(): boolean {
    if (this.maxConcurrent !== undefined && this.inFlight >= this.maxConcurrent) return false;
    this.inFlight++;
    return true;
  }

  leave(): void {
    this.inFlight--;
  }

  /** The loop's concurrency limit now, for messages. */
  get concurrencyLimit(): number | undefined {
    return this.maxConcurrent;
  }

  /** Take the provider out of every chain (calls skip it) until {@link restore}; this process only. */
  drain(): void {
    this.drainedFlag = true;
  }

  restore(): void {
    this.drainedFlag = false;
  }

  record(event: ModelAttemptEvent): void {
    this.attemptsSeen++;
    this.counts[event.outcome] = (this.counts[event.outcome] ?? 0) + 1;
    this.last = { outcome: event.outcome, latencyMs: event.latencyMs };
    if (this.attempts.hasListeners) this.attempts.emit(event);
  }

  health(): ProviderHealth {
    return {
      provider: this.name,
      breaker: this.breaker.state,
      drained: this.drained,
      attempts: this.attemptsSeen,
      outcomes: { ...this.counts },
      lastOutcome: this.last?.outcome,
      lastLatencyMs: this.last?.latencyMs,
    };
  }
}
