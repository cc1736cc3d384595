/**
 * The Prometheus text a shop service exposes at `/metrics`: the same metric names in every
 * service (the `service` label homeostat adds on scraping tells them apart), the way a
 * fleet instrumented with one library looks.
 */

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Request counters and a latency histogram, updated per work request. */
export class RequestMetrics {
  requests = 0;
  errors = 0;
  inflight = 0;
  private readonly bucketCounts = BUCKETS.map(() => 0);
  private durationSum = 0;

  /** Record one finished work request. */
  observe(seconds: number, failed: boolean): void {
    this.requests++;
    if (failed) this.errors++;
    this.durationSum += seconds;
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.bucketCounts[i]!++;
    });
  }

  /** The exposition: requests, errors, latency histogram, in-flight, process CPU, RSS and start time. */
  render(service: string, startedAtMs: number): string {
    const cpu = process.cpuUsage();
    const lines = [
      '# HELP shop_requests_total Work requests answered.',
      '# TYPE shop_requests_total counter',
      `shop_requests_total{service="${service}"} ${this.requests}`,
      '# HELP shop_request_errors_total Work requests answered with a 5xx status.',
      '# TYPE shop_request_errors_total counter',
      `shop_request_errors_total{service="${service}"} ${this.errors}`,
      '# HELP shop_request_duration_seconds Time to answer a work request.',
      '# TYPE shop_request_duration_seconds histogram',
      ...BUCKETS.map((bound, i) => `shop_request_duration_seconds_bucket{service="${service}",le="${bound}"} ${this.bucketCounts[i]}`),
      `shop_request_duration_seconds_bucket{service="${service}",le="+Inf"} ${this.requests}`,
      `shop_request_duration_seconds_sum{service="${service}"} ${this.durationSum}`,
      `shop_request_duration_seconds_count{service="${service}"} ${this.requests}`,
      '# HELP shop_inflight_requests Work requests being answered now.',
      '# TYPE shop_inflight_requests gauge',
      `shop_inflight_requests{service="${service}"} ${this.inflight}`,
      '# HELP process_cpu_seconds_total User and system CPU time spent.',
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
      '# HELP process_resident_memory_bytes Resident memory size.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
      '# HELP process_start_time_seconds Start time of the process since the epoch.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${Math.floor(startedAtMs / 1_000)}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
