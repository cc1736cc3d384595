import { clampScore, type Detector } from './detector.js';
import { seasonalSlot, zToScore } from './statistics.js';

/** Options of {@link EwmaDetector}. */
export interface EwmaOptions {
  /** Smoothing of the mean and variance, 0 < alpha ≤ 1 (default 0.05). */
  alpha?: number;
  /** Keep a separate baseline per slot of the day or week (default none). */
  seasonality?: 'none' | 'daily' | 'weekly';
  /** Slot width for seasonality in ms (default one hour). */
  slotMs?: number;
  /** Samples per slot before it scores (default 10). */
  warmup?: number;
}

interface Baseline {
  mean: number;
  variance: number;
  count: number;
}

/**
 * Adaptive baseline: an exponentially weighted mean and variance (per seasonal slot when
 * asked); the score is the normal tail probability of the sample's deviation from it, taken
 * before the sample updates the baseline.
 *
 * @example new EwmaDetector({ alpha: 0.02, seasonality: 'daily' })
 * @example new EwmaDetector({ alpha: 2 }) // throws: alpha must be in (0, 1]
 */
export class EwmaDetector implements Detector {
  private readonly alpha: number;
  private readonly slots = new Map<number, Baseline>();
  private readonly warmup: number;
  private readonly slotMs: number;

  constructor(private readonly options: EwmaOptions = {}) {
    this.alpha = options.alpha ?? 0.05;
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new RangeError(`ewma: alpha must be in (0, 1], got ${this.alpha}`);
    this.warmup = options.warmup ?? 10;
    this.slotMs = options.slotMs ?? 3_600_000;
  }

  update(timestamp: number, value: number): number {
    const slot = seasonalSlot(timestamp, this.options.seasonality, this.slotMs);
    let baseline = this.slots.get(slot);
    if (baseline === undefined) {
      baseline = { mean: value, variance: 0, count: 0 };
      this.slots.set(slot, baseline);
    }
    const deviation = value - baseline.mean;
    let score = 0;
    if (baseline.count >= this.warmup) {
      const sd = Math.sqrt(baseline.variance);
      const floor = 1e-6 * (Math.abs(baseline.mean) + 1e-9);
      score = zToScore(deviation / Math.max(sd, floor));
    }
    // West's incremental EW variance: the deviation is measured before the mean moves.
    const increment = this.alpha * deviation;
    baseline.mean += increment;
    baseline.variance = (1 - this.alpha) * (baseline.variance + deviation * increment);
    baseline.count++;
    return clampScore(score);
  }
}
