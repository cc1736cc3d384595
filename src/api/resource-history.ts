import { TimeSeriesStore } from '../monitor/time-series.js';
import type { Store } from '../store/store.js';

/** The series names the history keeps, labelled `service` and `instance`. */
export const RSS_SERIES = 'homeostat_instance_rss_bytes';
export const CPU_SERIES = 'homeostat_instance_cpu_percent';

/**
 * Recent CPU and RSS of every supervised instance, for the dashboard's sparklines. The
 * supervisor keeps only the latest sample of each; this samples the element states it
 * writes to the store (every 2 s), so instances supervised by another host's `up`
 * appear too. Kept apart from the monitor's series: the `symptoms:` rules must see only
 * what the config asked to scrape.
 *
 * @example
 * const history = new ResourceHistory(store); history.start(); … history.series.find(RSS_SERIES, { service: 'api' }); history.stop();
 * @example
 * await history.sampleOnce(); // a store error is swallowed: the next tick tries again
 */
export class ResourceHistory {
  readonly series: TimeSeriesStore;
  private timer: NodeJS.Timeout | undefined;
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly store: Pick<Store, 'listElementStates'>,
    private readonly options: { everyMs?: number; retentionMs?: number; now?: () => number } = {},
  ) {
    this.series = new TimeSeriesStore({ retentionMs: options.retentionMs ?? 600_000, maxPointsPerSeries: 600, maxSeries: 2_000 });
  }

  start(): void {
    if (this.timer) return;
    void this.sampleOnce();
    this.timer = setInterval(() => void this.sampleOnce(), this.options.everyMs ?? 2_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Append each instance's latest CPU and RSS, once per state the supervisor wrote. */
  async sampleOnce(): Promise<void> {
    let states;
    try {
      states = await this.store.listElementStates();
    } catch {
      return;
    }
    for (const state of states) {
      // The same saved state read twice is one sample, not two.
      if (this.lastSeen.get(state.instance) === state.updatedAt) continue;
      this.lastSeen.set(state.instance, state.updatedAt);
      let details: { rssBytes?: unknown; cpuPercent?: unknown };
      try {
        details = JSON.parse(state.data) as typeof details;
      } catch {
        continue;
      }
      const labels = { service: state.element, instance: state.instance };
      if (typeof details.rssBytes === 'number') this.series.append(RSS_SERIES, labels, details.rssBytes, state.updatedAt);
      if (typeof details.cpuPercent === 'number') this.series.append(CPU_SERIES, labels, details.cpuPercent, state.updatedAt);
    }
    this.series.prune(this.options.now?.() ?? Date.now());
  }
}
