// Scrapes the shop services' /metrics on a fixed tick and turns the scrapes of a time span
// into the table `homeostat analyze rca` reads: `time` (unix s) then `<service>_<metric>`.
//
// Per service and tick: up (1 when the scrape answered, else 0 — a crashed service has no
// metrics of its own, so its other cells stay empty), rps, errors (per second), latency (mean
// seconds of the requests answered in the tick; empty when fewer than 5 were — the mean of a
// stray request or two, when a caller stopped calling, is noise), cpu (cores) and rss
// (MiB). No restart count: a restart is an action (with the loop active, often homeostat's
// own remediation), and what a crash or a bad deployment does shows in the other columns —
// missing data, errors. Counters become
// rates between consecutive answered scrapes of the same process, as PromQL's rate() does.

/** Parse the few lines we need from Prometheus text (the services' own format, shop-metrics.ts). */
export function readSample(text) {
  const value = (pattern) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) : Number.NaN;
  };
  return {
    requests: value(/^shop_requests_total(?:\{[^}]*\})? (\S+)$/m),
    errors: value(/^shop_request_errors_total(?:\{[^}]*\})? (\S+)$/m),
    durationSum: value(/^shop_request_duration_seconds_sum(?:\{[^}]*\})? (\S+)$/m),
    durationCount: value(/^shop_request_duration_seconds_count(?:\{[^}]*\})? (\S+)$/m),
    inflight: value(/^shop_inflight_requests(?:\{[^}]*\})? (\S+)$/m),
    cpu: value(/^process_cpu_seconds_total(?:\{[^}]*\})? (\S+)$/m),
    rss: value(/^process_resident_memory_bytes(?:\{[^}]*\})? (\S+)$/m),
    startTime: value(/^process_start_time_seconds(?:\{[^}]*\})? (\S+)$/m),
  };
}

/** Fewer requests answered in a tick than this: no latency cell. */
const MIN_ANSWERED = 5;

export class Scraper {
  /** @param {Record<string, string>} targets service → base URL */
  constructor(targets, everyMs) {
    this.targets = targets;
    this.everyMs = everyMs;
    /** @type {{ time: number, samples: Record<string, ReturnType<typeof readSample> | undefined> }[]} */
    this.ticks = [];
    this.timer = undefined;
  }

  start() {
    const tick = async () => {
      const time = Date.now() / 1_000;
      const entries = await Promise.all(
        Object.entries(this.targets).map(async ([service, url]) => {
          try {
            const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(Math.min(800, this.everyMs * 0.8)) });
            const text = await response.text();
            return [service, response.ok ? readSample(text) : undefined];
          } catch {
            return [service, undefined];
          }
        }),
      );
      this.ticks.push({ time, samples: Object.fromEntries(entries) });
      if (this.ticks.length > 10_000) this.ticks.splice(0, 5_000);
    };
    this.timer = setInterval(() => void tick(), this.everyMs);
  }

  stop() {
    clearInterval(this.timer);
  }

  /** The latest tick, or undefined. */
  last() {
    return this.ticks[this.ticks.length - 1];
  }

  /** Ticks with from ≤ time < to. */
  between(from, to) {
    return this.ticks.filter((t) => t.time >= from && t.time < to);
  }

  /** Ticks from `from` on; the tick before `from` (if any) is kept as `previous` for the first rates. */
  span(from, to) {
    const index = this.ticks.findIndex((t) => t.time >= from);
    if (index < 0) return { previous: undefined, ticks: [] };
    return { previous: this.ticks[index - 1], ticks: this.ticks.slice(index).filter((t) => t.time < to) };
  }
}

/**
 * Rows of the RCA table for `ticks` (with `previous` for the first rates).
 * @returns {{ header: string[], rows: (number | undefined)[][] }}
 */
export function tableRows(services, previous, ticks) {
  // Not shop_inflight_requests: a count of 0 or 1 at the scrape instant is sampling noise, and
  // latency already says when work piles up.
  const metrics = ['up', 'rps', 'errors', 'latency', 'cpu', 'rss'];
  const header = ['time', ...services.flatMap((s) => metrics.map((m) => `${s}_${m}`))];
  const rows = [];
  let before = previous;
  for (const tick of ticks) {
    const row = [Number(tick.time.toFixed(3))];
    for (const service of services) {
      const now = tick.samples[service];
      const then = before?.samples[service];
      if (now === undefined) {
        row.push(0, ...metrics.slice(1).map(() => undefined));
        continue;
      }
      const sameProcess = then !== undefined && then.startTime === now.startTime && now.requests >= then.requests;
      const dt = before === undefined ? 0 : tick.time - before.time;
      const rate = (key) => (sameProcess && dt > 0 ? (now[key] - then[key]) / dt : undefined);
      const answered = sameProcess ? now.durationCount - then.durationCount : 0;
      row.push(
        1,
        rate('requests'),
        rate('errors'),
        answered >= MIN_ANSWERED ? (now.durationSum - then.durationSum) / answered : undefined,
        rate('cpu'),
        now.rss / 1_048_576,
      );
    }
    rows.push(row);
    before = tick;
  }
  return { header, rows };
}

export function toCsv({ header, rows }) {
  const cell = (v) => (v === undefined || Number.isNaN(v) ? '' : String(Number(v.toPrecision(8))));
  // The time column keeps its milliseconds: 8 significant digits would round unix seconds to 100 s.
  return `${header.join(',')}\n${rows.map(([time, ...cells]) => [String(time), ...cells.map(cell)].join(',')).join('\n')}\n`;
}
