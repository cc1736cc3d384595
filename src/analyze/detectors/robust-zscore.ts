import { clampScore, type Detector } from './detector.js';
import { MAD_TO_SIGMA, SortedWindow, seasonalSlot, zToScore } from './statistics.js';

/** Options of {@link RobustZScoreDetector}. */
export interface RobustZScoreOptions {
  /** Samples in the baseline window (per slot with seasonality; default 300). */
  window?: number;
  seasonality?: 'none' | 'daily' | 'weekly';
  /** Slot width for seasonality in ms (default one hour). */
  slotMs?: number;
  /** Samples before a slot scores (default 20). */
  warmup?: number;
}

/**
 * Robust adaptive baseline: the sample's distance from the median of a sliding window, in
 * units of its MAD (scaled to σ), so outliers in the baseline do not widen it. With
 * seasonality, each hour of the day (or week) keeps its own window. Memory: one window per
 * slot (at most 168 with weekly hours).
 *
 * @example new RobustZScoreDetector({ window: 500 })
 * @example new RobustZScoreDetector({ window: -1 }) // throws: capacity must be a positive integer
 */
export class RobustZScoreDetector implements Detector {
  private readonly windows = new Map<number, SortedWindow>();
  private readonly capacity: number;
  private readonly warmup: number;
  private readonly slotMs: number;

  constructor(private readonly options: RobustZScoreOptions = {}) {
    this.capacity = options.window ?? 300;
    new SortedWindow(this.capacity); // validates the capacity early
    this.warmup = options.warmup ?? 20;
    this.slotMs = options.slotMs ?? 3_600_000;
  }

  update(timestamp: number, value: number): number {
    const slot = seasonalSlot(timestamp, this.options.seasonality, this.slotMs);
    let window = this.windows.get(slot);
    if (window === undefined) {
      window = new SortedWindow(this.capacity);
      this.windows.set(slot, window);
    }
    let score = 0;
    if (window.length >= this.warmup) {
      const center = window.median();
      // A MAD of 0 (a flat series) falls back to the interquartile range, then to a tiny σ.
      let spread = window.mad(center) * MAD_TO_SIGMA;
      if (spread <= 0) spread = (window.quantile(0.9) - window.quantile(0.1)) / 2.563;
      // Quantised series (integer counts, CPU in steps) have tiny MADs: never let the spread fall
      // below 1% of the window's range, or every step would look like a huge deviation.
      spread = Math.max(spread, (window.quantile(1) - window.quantile(0)) / 100);
      if (spread <= 0) spread = 1e-6 * (Math.abs(center) + 1e-9);
      score = zToScore((value - center) / spread);
    }
    window.push(value);
    return clampScore(score);
  }
}
