import type { Clock } from '../resilience/clock.js';
import type { ModelStore } from '../store/ports/model-store.js';

/**
 * The drained providers as the store says, read at most every `refreshMs` by the calls of
 * this process: the loop drains a provider by writing the store (a `drain` rung runs on the
 * leader), and every worker process follows within `refreshMs`. A read that fails keeps
 * the last known states — a store that is down fails the call's own writes anyway.
 *
 * @example const drains = new DrainStates(() => store, clock, 1_000); const drained = await drains.current(); drained.has('openai')
 */
export class DrainStates {
  private drained: ReadonlySet<string> = new Set();
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<ReadonlySet<string>> | undefined;

  constructor(
    private readonly store: () => ModelStore,
    private readonly clock: Clock,
    private readonly refreshMs: number,
  ) {}

  /** The providers drained in the store (one read per `refreshMs`; concurrent calls share it). */
  async current(): Promise<ReadonlySet<string>> {
    if (this.clock.now() - this.readAt < this.refreshMs) return this.drained;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<ReadonlySet<string>> {
    try {
      const states = await this.store().listModelProviderStates();
      this.drained = new Set(states.filter((state) => state.drained).map((state) => state.provider));
    } catch {
      // Keep the last known states; a call after `refreshMs` reads again.
    }
    this.readAt = this.clock.now();
    return this.drained;
  }
}
