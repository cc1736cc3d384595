import { StoreUnavailableError } from '../../../src/store/store-errors.js';
import type { Store } from '../../../src/store/store.js';

/**
 * Store errors on demand, for the loop's reads and writes: `failNext('listIncidents', 3)`
 * makes the next three calls of that method reject with `HS_STORE_UNAVAILABLE` (as a lost
 * PostgreSQL connection does) before reaching the store; every other call goes through.
 *
 * @example const faults = new StoreFaults(); const h = await loopHarness(yaml, { wrapStore: (s) => faults.wrap(s) }); faults.failNext('openIncident');
 */
export class StoreFaults {
  private readonly remaining = new Map<string, number>();
  /** Calls that were made to fail, in order. */
  readonly failed: string[] = [];

  failNext(method: keyof Store, times = 1): void {
    this.remaining.set(method, (this.remaining.get(method) ?? 0) + times);
  }

  /** Failures asked for and not yet made. */
  get pending(): number {
    return [...this.remaining.values()].reduce((a, b) => a + b, 0);
  }

  wrap(store: Store): Store {
    return new Proxy(store, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          const left = typeof property === 'string' ? (this.remaining.get(property) ?? 0) : 0;
          if (left > 0) {
            this.remaining.set(property as string, left - 1);
            this.failed.push(property as string);
            return Promise.reject(new StoreUnavailableError(`injected: ${String(property)} failed`));
          }
          return method.apply(target, args);
        };
      },
    });
  }
}
