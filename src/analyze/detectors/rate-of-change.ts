import { clampScore, type Detector } from './detector.js';
import { MAD_TO_SIGMA, SortedWindow, zToScore } from './statistics.js';

/** Options of {@link RateOfChangeDetector}. */
export interface RateOfChangeOptions {
  /** A fixed limit on |Δvalue| per second; when set, exceeding it scores 1. */
  maxRatePerSecond?: number;
  /** Without a fixed limit: how many recent rates form the robust baseline (default 500). */
  window?: number;
  /** Samples before scoring starts (default 30). */
  warmup?: number;
}

/**
 * Flags sudden jumps: the change per second between consecutive samples, against a fixed
 * limit or robustly against recent changes (median/MAD z-score of the rate).
 *
 * @example new RateOfChangeDetector({ maxRatePerSecond: 10 })
 * @example new RateOfChangeDetector({ window: 0 }) // throws: window must be positive
 */
export class RateOfChangeDetector implements Detector {
  private readonly rates: SortedWindow;
  private readonly warmup: number;
  private previous: { timestamp: number; value: number } | undefined;
  private seen = 0;

  constructor(private readonly options: RateOfChangeOptions = {}) {
    this.rates = new SortedWindow(options.window ?? 500);
    this.warmup = options.warmup ?? 30;
  }

  update(timestamp: number, value: number): number {
    const previous = this.previous;
    this.previous = { timestamp, value };
    if (previous === undefined) return 0;
    const seconds = Math.max((timestamp - previous.timestamp) / 1000, 1e-9);
    const rate = (value - previous.value) / seconds;
    if (this.options.maxRatePerSecond !== undefined) return Math.abs(rate) > this.options.maxRatePerSecond ? 1 : 0;
    this.seen++;
    let score = 0;
    if (this.seen > this.warmup) {
      const center = this.rates.median();
      // Quantised series have a MAD of 0 most of the time: floor the spread at 1% of the range of rates.
      const range = this.rates.quantile(1) - this.rates.quantile(0);
      const spread = Math.max(this.rates.mad(center) * MAD_TO_SIGMA, range / 100, 1e-9 * (Math.abs(center) + 1));
      score = zToScore((rate - center) / spread);
    }
    this.rates.push(rate);
    return clampScore(score);
  }
}
