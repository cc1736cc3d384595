export { abortReason, throwIfAborted } from './abort.js';
export { systemClock, type Clock, type Timer } from './clock.js';
export { toMillis, type Duration } from './duration.js';
export { seededRandom, type Random } from './random.js';
export { EventEmitter, type Listener, type Subscribe } from './events.js';
export { neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';
export {
  TimeoutError,
  BrokenCircuitError,
  BulkheadRejectedError,
  RateLimitedError,
  ConcurrencyLimitedError,
  InvalidPolicyOptionsError,
} from './errors.js';
export { TerminalError } from './terminal-error.js';
export {
  constantBackoff,
  exponentialBackoff,
  decorrelatedJitterBackoff,
  type Backoff,
  type BackoffFunction,
} from './backoff.js';
export {
  retry,
  isRetryable,
  retryAfterMs,
  parseRetryAfter,
  type RetryContext,
  type RetryOptions,
  type RetryPolicy,
  type RetryEvent,
  type GiveUpEvent,
} from './retry.js';
export { timeout, type TimeoutOptions, type TimeoutPolicy, type TimeoutEvent } from './timeout.js';
export { pipeline, type PolicyLike } from './pipeline.js';
export {
  circuitBreaker,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type BreakerState,
  type BreakerSnapshot,
  type BreakerStateChange,
  type TransitionReason,
} from './circuit-breaker.js';
export type { BreakerStrategy, FailureWindowSnapshot } from './failure-window.js';
export { bulkhead, type Bulkhead, type BulkheadOptions } from './bulkhead.js';
export { tokenBucket, type TokenBucket, type TokenBucketOptions } from './rate-limiter.js';
export { actionBudget, type ActionBudget, type ActionBudgetOptions, type ActionBudgetSnapshot } from './action-budget.js';
export { hedge, type HedgePolicy, type HedgeOptions, type HedgeContext } from './hedging.js';
export {
  adaptiveConcurrency,
  type AdaptiveConcurrency,
  type AdaptiveConcurrencyOptions,
} from './adaptive-concurrency.js';
export { fallback, type FallbackPolicy, type FallbackOptions } from './fallback.js';
