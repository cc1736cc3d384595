/** What ordering services by `dependsOn` needs to know and do (the supervisor provides it). */
export interface DependencyOrderOptions {
  /** The services `name` depends on (`dependsOn` in the config). */
  dependsOn: (name: string) => readonly string[];
  /** True when `name` can take traffic: a replica ready, see {@link startInDependencyOrder}. */
  isReady: (name: string) => boolean;
  /** How long a service waits for its dependencies before it starts anyway. */
  timeoutMs: number;
  /** Called when that wait ran out: `name` starts now, `notReady` are still not ready. */
  onTimeout: (name: string, notReady: string[], waitedMs: number) => void;
  now: () => number;
  /** Wait between readiness checks (rejects when `signal` aborts). */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborted when the supervisor stops: services still waiting are not started. */
  signal: AbortSignal;
  /** How often readiness is checked (default 100 ms). */
  pollMs?: number;
}

/**
 * Start `names` in `dependsOn` order: each starts once every service it depends on is
 * ready (a dependency being started here is started first; one running already is only
 * waited for), services without dependencies start at once and in parallel, and so do
 * independent branches. A service whose dependencies are not ready within `timeoutMs`
 * starts anyway and `onTimeout` says so: its own probes and restarts then handle a missing
 * dependency, which beats a service left down because another one is slow. Cycles are
 * refused by config validation, so every wait ends. Returns what each start returned;
 * services not started because `signal` aborted are missing from it.
 *
 * @example await startInDependencyOrder(['app', 'redis'], (name) => services.get(name)!.start(), options) // redis ready, then app
 */
export async function startInDependencyOrder<T>(names: readonly string[], start: (name: string) => Promise<T>, options: DependencyOrderOptions): Promise<Map<string, T>> {
  const starting = new Set(names);
  const started = new Map<string, Promise<void>>();
  const results = new Map<string, T>();
  const startOne = (name: string): Promise<void> => {
    let promise = started.get(name);
    if (!promise) {
      promise = (async () => {
        const dependencies = options.dependsOn(name);
        // A dependency started here is spawned first; then all are waited for together.
        await Promise.all(dependencies.filter((dependency) => starting.has(dependency)).map(startOne));
        if (options.signal.aborted) return;
        await waitUntilReady(name, dependencies, options);
        if (options.signal.aborted) return;
        results.set(name, await start(name));
      })();
      started.set(name, promise);
    }
    return promise;
  };
  await Promise.all(names.map(startOne));
  return results;
}

/**
 * Stop `names` in reverse `dependsOn` order: a service stops after every service among
 * `names` that depends on it has stopped, so dependents never run without what they call.
 * Independent services stop in parallel.
 *
 * @example await stopInReverseDependencyOrder(['app', 'redis'], (name) => services.get(name)!.stop(), dependsOn) // app, then redis
 */
export async function stopInReverseDependencyOrder(names: readonly string[], stop: (name: string) => Promise<void>, dependsOn: (name: string) => readonly string[]): Promise<void> {
  const stopping = new Set(names);
  const stopped = new Map<string, Promise<void>>();
  const stopOne = (name: string): Promise<void> => {
    let promise = stopped.get(name);
    if (!promise) {
      promise = (async () => {
        const dependents = names.filter((other) => other !== name && stopping.has(other) && dependsOn(other).includes(name));
        await Promise.all(dependents.map(stopOne));
        await stop(name);
      })();
      stopped.set(name, promise);
    }
    return promise;
  };
  await Promise.all(names.map(stopOne));
}

async function waitUntilReady(name: string, dependencies: readonly string[], options: DependencyOrderOptions): Promise<void> {
  if (dependencies.length === 0) return;
  const since = options.now();
  for (;;) {
    const notReady = dependencies.filter((dependency) => !options.isReady(dependency));
    if (notReady.length === 0) return;
    const waited = options.now() - since;
    if (waited >= options.timeoutMs) {
      options.onTimeout(name, notReady, waited);
      return;
    }
    try {
      await options.sleep(Math.min(options.pollMs ?? 100, options.timeoutMs - waited), options.signal);
    } catch {
      return; // stopped: the caller sees the aborted signal
    }
  }
}
