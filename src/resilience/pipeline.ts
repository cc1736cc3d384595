import { neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

/**
 * Composes policies into one. The **first policy is the outermost**: it sees
 * the whole execution of the ones after it, and the last one wraps the
 * function directly. The function receives the innermost policy's context (its
 * `signal` aborts when the caller or any policy gives up).
 *
 * The usual order, outermost first:
 * `fallback → retry → circuitBreaker → bulkhead/rate limiter → timeout` — a
 * timeout per attempt, each attempt counted by the breaker, the breaker's
 * rejections retried after their retry-after, and a fallback for whatever
 * is left. Put `timeout` before `retry` instead to bound all attempts together.
 *
 * @example
 * const resilient = pipeline(retry({ maxAttempts: 3 }), circuitBreaker(), timeout(2000));
 * const user = await resilient.execute(({ signal }) => api.getUser(id, { signal }));
 * @example
 * pipeline(); // a pass-through policy: execute(fn) just runs fn
 */
export function pipeline(...policies: PolicyLike[]): Policy {
  if (policies.length === 0) return passThrough;
  return new Pipeline(policies as Policy[]);
}

/**
 * Anything with an `execute(fn, signal?)`: every policy here, a {@link fallback}
 * (whose value type widens the result — the pipeline's type is the function's),
 * or a user's own.
 */
export interface PolicyLike {
  execute(fn: (context: PolicyContext) => unknown, signal?: AbortSignal): Promise<unknown>;
}

const passThrough: Policy = {
  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal = neverAbortedSignal): Promise<T> {
    return fn({ signal });
  },
};

class Pipeline implements Policy {
  constructor(private readonly policies: readonly Policy<PolicyContext>[]) {}

  execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    return this.run(0, fn, signal);
  }

  private run<T>(index: number, fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    const policy = this.policies[index]!;
    if (index === this.policies.length - 1) return policy.execute(fn, signal);
    return policy.execute((context) => this.run(index + 1, fn, context.signal), signal);
  }
}
