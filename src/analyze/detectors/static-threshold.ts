import { clampScore, type Detector } from './detector.js';

/** Options of {@link StaticThresholdDetector}: fixed limits known in advance (an SLO, a quota). */
export interface StaticThresholdOptions {
  /** Values above this are anomalous. */
  above?: number;
  /** Values below this are anomalous. */
  below?: number;
  /** Width of the ramp before a limit over which the score rises from 0 to 0.5; 0 for a hard step. */
  margin?: number;
}

/**
 * Scores 1 beyond a fixed limit. With a `margin`, the score ramps up to 0.5 as the value
 * approaches the limit, so a ranking still sees "close to the limit".
 *
 * @example new StaticThresholdDetector({ above: 0.9 }).update(t, 0.95) // → 1
 * @example new StaticThresholdDetector({}) // throws: give `above`, `below` or both
 */
export class StaticThresholdDetector implements Detector {
  private readonly margin: number;

  constructor(private readonly options: StaticThresholdOptions) {
    if (options.above === undefined && options.below === undefined) throw new RangeError('static threshold: give `above`, `below` or both');
    this.margin = options.margin ?? 0;
  }

  update(_timestamp: number, value: number): number {
    let score = 0;
    const { above, below } = this.options;
    if (above !== undefined) score = Math.max(score, this.side(value - above));
    if (below !== undefined) score = Math.max(score, this.side(below - value));
    return clampScore(score);
  }

  /** `excess` is how far past the limit (negative = inside). */
  private side(excess: number): number {
    if (excess > 0) return 1;
    if (this.margin <= 0) return 0;
    return Math.max(0, 0.5 * (1 + excess / this.margin));
  }
}
