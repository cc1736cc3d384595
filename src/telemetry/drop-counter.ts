import type { MetricsRegistry } from './metrics.js';

/** One rate-limited report of a buffer's drops: how many since the last report, and since start. */
export interface DropReport {
  buffer: string;
  /** What the buffer holds, for the log line ("symptoms waiting for a reconcile"). */
  what: string;
  dropped: number;
  total: number;
}

interface BufferState {
  what: string;
  /** Counted here by {@link DropCounter.drop}, or read from whoever counts them. */
  read: (() => number) | undefined;
  count: number;
  reported: number;
  lastReportAt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The drops of homeostat's bounded in-memory buffers, counted and said: every buffer that
 * drops when full (symptoms waiting for the loop, element events waiting for the store,
 * live events for a slow SSE client, …) has one series of `homeostat_dropped_total{buffer}`
 * on `/metrics` (0 until it drops, so an alert can be written before the first drop), and
 * its drops are reported at most once per `intervalMs` with their count — the first drop
 * at once, later ones summed into one report at the end of the interval — never one log
 * line per drop, which would flood the log exactly when the system is overloaded.
 *
 * Buffers that count their own drops (the supervisor's event writer, the time-series
 * stores) are `follow`ed: read at scrape time, and checked for new drops every `pollMs`
 * (reading a few numbers; the reports are rate-limited all the same).
 *
 * @example
 * const drops = new DropCounter({ report: (r) => logger.warn(r, `dropped ${r.dropped} ${r.what}`) });
 * drops.define('loop-symptoms', 'symptoms waiting for a reconcile'); drops.register(registry);
 * drops.drop('loop-symptoms'); // homeostat_dropped_total{buffer="loop-symptoms"} 1, one report now
 * @example
 * drops.follow('element-events', 'element events waiting for the store', () => supervisor.droppedEvents);
 */
export class DropCounter {
  private readonly buffers = new Map<string, BufferState>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private poller: NodeJS.Timeout | undefined;

  /** `intervalMs`: at most one report per buffer in this long (default 10 s); `pollMs`: how often followed counts are read (default 1 s). */
  constructor(private readonly options: { report: (report: DropReport) => void; intervalMs?: number; pollMs?: number; now?: () => number }) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** A buffer whose drops are counted here with {@link drop}. */
  define(buffer: string, what: string): void {
    if (!this.buffers.has(buffer)) this.buffers.set(buffer, { what, read: undefined, count: 0, reported: 0, lastReportAt: -Infinity, timer: undefined });
  }

  /** A buffer that counts its own drops (never decreasing): read at scrape time, reported when it grew. */
  follow(buffer: string, what: string, read: () => number): void {
    this.buffers.set(buffer, { what, read, count: 0, reported: 0, lastReportAt: -Infinity, timer: undefined });
    if (!this.poller) {
      this.poller = setInterval(() => this.poll(), this.options.pollMs ?? 1_000);
      this.poller.unref();
    }
  }

  /** `count` items of `buffer` were dropped. */
  drop(buffer: string, count = 1): void {
    if (count <= 0) return;
    let state = this.buffers.get(buffer);
    if (!state) {
      this.define(buffer, buffer);
      state = this.buffers.get(buffer)!;
    }
    state.count += count;
    this.reportSoon(buffer, state);
  }

  /** Drops of `buffer` since start. */
  total(buffer: string): number {
    const state = this.buffers.get(buffer);
    return state ? this.read(state) : 0;
  }

  /** Serve the counts as `homeostat_dropped_total{buffer}`. */
  register(registry: MetricsRegistry): void {
    registry.counter('homeostat_dropped_total', "Items dropped by homeostat's bounded in-memory buffers because they were full, by buffer (see docs/architecture.md).", () =>
      [...this.buffers].map(([buffer, state]) => ({ labels: { buffer }, value: this.read(state) })),
    );
  }

  /** Report what is not reported yet, and stop the timers. */
  close(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    for (const [buffer, state] of this.buffers) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      this.report(buffer, state);
    }
  }

  private read(state: BufferState): number {
    return state.read ? state.read() : state.count;
  }

  private poll(): void {
    for (const [buffer, state] of this.buffers) if (state.read && state.read() > state.reported) this.reportSoon(buffer, state);
  }

  /** Report now if the last report is an interval old; else once, at the end of the interval. */
  private reportSoon(buffer: string, state: BufferState): void {
    const wait = state.lastReportAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.report(buffer, state);
      return;
    }
    if (state.timer) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.report(buffer, state);
    }, wait);
    state.timer.unref();
  }

  private report(buffer: string, state: BufferState): void {
    const total = this.read(state);
    const dropped = total - state.reported;
    if (dropped <= 0) return;
    state.reported = total;
    state.lastReportAt = this.now();
    this.options.report({ buffer, what: state.what, dropped, total });
  }
}
