import { clampScore, type Detector } from './detector.js';
import { RingBuffer, erfc } from './statistics.js';

/** Options of {@link AnomalyLikelihoodDetector}. */
export interface AnomalyLikelihoodOptions {
  /** Raw scores averaged into the short-term mean that is tested (default 10). */
  averaging?: number;
  /** Short-term means kept as the reference distribution (default 2000). */
  history?: number;
  /** Reference means needed before the likelihood is trusted (default 300); until then 0. */
  learning?: number;
  /** Floor of the reference standard deviation (default 0.01), so a flat raw score does not make every blip certain. */
  minSd?: number;
  /**
   * Tail probability that maps to score 1 (default 1e-12). The score is −log10(tail) / −log10(floor),
   * so it keeps resolution where the likelihood itself would round to 1.
   */
  floor?: number;
}

/**
 * An "anomaly likelihood" post-processor (after the idea Numenta describes for HTM; our own
 * implementation) for any raw detector: it does not ask "is this raw score high?" but "are the
 * recent raw scores unusually high for this series?". The mean of the last `averaging` raw
 * scores is compared with a normal fit of the longer history of such means (the past only);
 * the output grows with its upper-tail probability, on a log scale so that very unlikely
 * stretches still rank among themselves. A series whose raw detector is always noisy is thus
 * judged against its own noise, which makes one threshold fit many series.
 *
 * Memory: `averaging + history` numbers, plus the wrapped detector's.
 *
 * @example new AnomalyLikelihoodDetector(new ConformalKnnDetector(), { averaging: 10 })
 * @example new AnomalyLikelihoodDetector(inner, { history: 0 }) // throws: capacity must be a positive integer
 */
export class AnomalyLikelihoodDetector implements Detector {
  private readonly short: RingBuffer;
  private readonly long: RingBuffer;
  private shortSum = 0;
  private sum = 0;
  private sumSquares = 0;
  private readonly learning: number;
  private readonly minSd: number;
  private readonly logFloor: number;

  constructor(
    private readonly raw: Detector,
    options: AnomalyLikelihoodOptions = {},
  ) {
    this.short = new RingBuffer(options.averaging ?? 10);
    this.long = new RingBuffer(options.history ?? 2000);
    this.learning = options.learning ?? 300;
    this.minSd = options.minSd ?? 0.01;
    const floor = options.floor ?? 1e-12;
    if (!(floor > 0 && floor < 1)) throw new RangeError('anomaly-likelihood: floor must be in (0, 1)');
    this.logFloor = -Math.log10(floor);
  }

  update(timestamp: number, value: number): number {
    const rawScore = clampScore(this.raw.update(timestamp, value));
    const evicted = this.short.push(rawScore);
    this.shortSum += rawScore - (evicted ?? 0);
    const mean = this.shortSum / this.short.length;
    let score = 0;
    const n = this.long.length;
    if (n >= this.learning) {
      const mu = this.sum / n;
      const sd = Math.max(Math.sqrt(Math.max(this.sumSquares / n - mu * mu, 0)), this.minSd);
      score = upperTailScore((mean - mu) / sd) / this.logFloor;
    }
    const old = this.long.push(mean);
    this.sum += mean - (old ?? 0);
    this.sumSquares += mean * mean - (old ?? 0) * (old ?? 0);
    return clampScore(score);
  }
}

/** −log10 of the upper-tail probability P(Z ≥ z), computed without underflow for large z. */
export function upperTailScore(z: number): number {
  if (z <= 0) return 0;
  if (z < 8) return -Math.log10(0.5 * erfc(z / Math.SQRT2));
  // Mills ratio: P(Z ≥ z) ≈ φ(z)/z (1 − 1/z²), fine beyond z = 8.
  const logTail = -0.5 * z * z - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log(1 - 1 / (z * z));
  return -logTail / Math.LN10;
}
