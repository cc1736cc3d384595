import { TimeSeriesStore } from '../monitor/time-series.js';

/** Series names, labelled `service` and `instance`. */
export const INSTANCE_RSS = 'homeostat_instance_rss_bytes';
export const INSTANCE_CPU = 'homeostat_instance_cpu_percent';

/** What is sampled: the supervisor's latest view of each process. */
export interface ResourceSource {
  status(): { element: string; instance: string; kind: 'process' | 'external'; rssBytes: number | null; cpuPercent: number | null }[];
}

/**
 * The supervisor's CPU and RSS of every process, kept as series for root-cause ranking: a
 * CPU hog or a leak shows on the element itself even when nothing scrapes it. Kept apart
 * from the monitor's series, so `symptoms:` rules see only what the config asked for.
 *
 * @example const resources = new ResourceSeries(supervisor, { everyMs: 1_000, retentionMs: 600_000 }); resources.start();
 * @example resources.sampleOnce(Date.now()); resources.series.find(INSTANCE_CPU, { service: 'api' })
 */
export class ResourceSeries {
  readonly series: TimeSeriesStore;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: ResourceSource,
    private readonly options: { everyMs: number; retentionMs: number; now?: () => number },
  ) {
    this.series = new TimeSeriesStore({ retentionMs: options.retentionMs, maxPointsPerSeries: Math.ceil(options.retentionMs / options.everyMs) + 1, maxSeries: 2_000 });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sampleOnce((this.options.now ?? Date.now)()), this.options.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  sampleOnce(at: number): void {
    for (const s of this.source.status()) {
      if (s.kind !== 'process') continue;
      const labels = { service: s.element, instance: s.instance };
      if (s.rssBytes !== null) this.series.append(INSTANCE_RSS, labels, s.rssBytes, at);
      if (s.cpuPercent !== null) this.series.append(INSTANCE_CPU, labels, s.cpuPercent, at);
    }
  }
}
