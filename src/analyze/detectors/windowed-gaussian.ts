import { clampScore, type Detector } from './detector.js';
import { RingBuffer, zToScore } from './statistics.js';

/** Options of {@link WindowedGaussianDetector}. */
export interface WindowedGaussianOptions {
  /** Samples in the long (reference) window (default 500). */
  window?: number;
  /** Samples averaged in the short window that is tested against it (default 1). */
  shortWindow?: number;
  /** Samples before scoring (default 30). */
  warmup?: number;
}

/**
 * Windowed Gaussian tail probability: the mean of the last few samples against a normal fit
 * (mean, σ) of a longer sliding window; the score is 1 − the tail probability of the short
 * mean (σ shrinks by √short). Sums are kept incrementally, so an update is O(1).
 *
 * @example new WindowedGaussianDetector({ window: 1000, shortWindow: 5 })
 * @example new WindowedGaussianDetector({ window: 0 }) // throws: capacity must be a positive integer
 */
export class WindowedGaussianDetector implements Detector {
  private readonly long: RingBuffer;
  private readonly short: RingBuffer;
  private sum = 0;
  private sumSquares = 0;
  private shortSum = 0;
  private readonly warmup: number;

  constructor(options: WindowedGaussianOptions = {}) {
    this.long = new RingBuffer(options.window ?? 500);
    this.short = new RingBuffer(options.shortWindow ?? 1);
    this.warmup = options.warmup ?? 30;
  }

  update(_timestamp: number, value: number): number {
    const shortEvicted = this.short.push(value);
    this.shortSum += value - (shortEvicted ?? 0);
    let score = 0;
    const n = this.long.length;
    if (n >= this.warmup) {
      const mean = this.sum / n;
      const variance = Math.max(this.sumSquares / n - mean * mean, 0);
      const sd = Math.max(Math.sqrt(variance), 1e-6 * (Math.abs(mean) + 1e-9));
      const shortMean = this.shortSum / this.short.length;
      score = zToScore(((shortMean - mean) / sd) * Math.sqrt(this.short.length));
    }
    const evicted = this.long.push(value);
    this.sum += value - (evicted ?? 0);
    this.sumSquares += value * value - (evicted ?? 0) * (evicted ?? 0);
    return clampScore(score);
  }
}
