import type { Clock } from '../resilience/clock.js';
import type { ModelStore } from '../store/ports/model-store.js';

/** What the loop set for one provider: drained, or at most so many attempts in flight. */
export interface StoredProviderState {
  drained: boolean;
  maxConcurrency: number | null;
}

/**
 * The providers' states as the store says (drained, concurrency limit), read at most every
 * `refreshMs` by the calls of this process: the loop acts on a provider by writing the
 * store (a `drain` or `limit` rung runs on the leader), and every worker process follows
 * within `refreshMs`. A read that fails keeps the last known states — a store that is down
 * fails the call's own writes anyway.
 *
 * @example const states = new ProviderStates(() => store, clock, 1_000); (await states.current()).get('openai')?.drained
 */
export class ProviderStates {
  private states: ReadonlyMap<string, StoredProviderState> = new Map();
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<ReadonlyMap<string, StoredProviderState>> | undefined;

  constructor(
    private readonly store: () => ModelStore,
    private readonly clock: Clock,
    private readonly refreshMs: number,
  ) {}

  /** The states in the store (one read per `refreshMs`; concurrent calls share it). */
  async current(): Promise<ReadonlyMap<string, StoredProviderState>> {
    if (this.clock.now() - this.readAt < this.refreshMs) return this.states;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<ReadonlyMap<string, StoredProviderState>> {
    try {
      const rows = await this.store().listModelProviderStates();
      this.states = new Map(rows.map((row) => [row.provider, { drained: row.drained, maxConcurrency: row.maxConcurrency }]));
    } catch {
      // Keep the last known states; a call after `refreshMs` reads again.
    }
    this.readAt = this.clock.now();
    return this.states;
  }
}
