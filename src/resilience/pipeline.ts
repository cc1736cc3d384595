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
export function pipeline(...policies: Policy<PolicyContext>[]): Policy {
  if (policies.length === 0) return passThrough;
  if (policies.length === 1) return policies[0]!;
  return new Pipeline(policies);
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
