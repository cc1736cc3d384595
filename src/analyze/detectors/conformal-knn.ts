import { clampScore, type Detector } from './detector.js';
import { RingBuffer, SortedWindow } from './statistics.js';

/** Options of {@link ConformalKnnDetector}. */
export interface ConformalKnnOptions {
  /** Samples per feature vector (the recent shape that is compared; default 16). */
  dimension?: number;
  /** Past vectors kept as the reference set (default 600). */
  reference?: number;
  /** Neighbours averaged for the non-conformity measure (default 5). */
  neighbours?: number;
  /** Past non-conformity scores kept for the conformal p-value (default 400). */
  calibration?: number;
  /** Recent samples whose range scales the distances (default 2000). */
  scaleWindow?: number;
  /** Samples before scoring (default: dimension + neighbours + 50). */
  warmup?: number;
}

/**
 * A nearest-neighbour conformal detector (after the idea of KNN-CAD; our own implementation).
 * Each sample closes a feature vector of the last `dimension` samples, scaled by the range
 * of the recent past (never the future). Its non-conformity is the mean distance to its `k`
 * nearest neighbours among the reference vectors (excluding the ones that overlap it in
 * time). The score is a conformal p-value turned around: the share of recent non-conformity
 * scores it exceeds, refined beyond the largest by how far it exceeds it, so scores stay
 * comparable between series.
 *
 * Memory is fixed: `reference × dimension` numbers plus the calibration and scale windows.
 *
 * @example new ConformalKnnDetector({ dimension: 16, reference: 600 })
 * @example new ConformalKnnDetector({ neighbours: 0 }) // throws: neighbours must be ≥ 1
 */
export class ConformalKnnDetector implements Detector {
  private readonly dimension: number;
  private readonly neighbours: number;
  private readonly referenceSize: number;
  private readonly recent: RingBuffer;
  private readonly vectors: Float64Array;
  private vectorCount = 0;
  private vectorNext = 0;
  private readonly calibration: RingBuffer;
  private readonly calibrationSorted: SortedWindow;
  private readonly scale: SortedWindow;
  private readonly warmup: number;
  private seen = 0;

  constructor(options: ConformalKnnOptions = {}) {
    this.dimension = options.dimension ?? 16;
    this.neighbours = options.neighbours ?? 5;
    this.referenceSize = options.reference ?? 600;
    if (this.neighbours < 1) throw new RangeError('conformal-knn: neighbours must be ≥ 1');
    if (this.referenceSize <= this.neighbours + this.dimension) throw new RangeError('conformal-knn: reference must exceed neighbours + dimension');
    this.recent = new RingBuffer(this.dimension);
    this.vectors = new Float64Array(this.referenceSize * this.dimension);
    const calibration = options.calibration ?? 400;
    this.calibration = new RingBuffer(calibration);
    this.calibrationSorted = new SortedWindow(calibration);
    this.scale = new SortedWindow(options.scaleWindow ?? 2000);
    this.warmup = options.warmup ?? this.dimension + this.neighbours + 50;
  }

  update(_timestamp: number, value: number): number {
    this.seen++;
    this.recent.push(value);
    this.scale.push(value);
    if (this.recent.length < this.dimension) return 0;
    const low = this.scale.quantile(0);
    const range = this.scale.quantile(1) - low;
    const unit = range > 0 ? range : Math.abs(value) > 0 ? Math.abs(value) : 1;
    const vector = new Float64Array(this.dimension);
    for (let i = 0; i < this.dimension; i++) vector[i] = (this.recent.at(i) - low) / unit;

    let score = 0;
    const usable = this.vectorCount - this.dimension; // skip vectors overlapping this one
    if (usable >= this.neighbours) {
      const nonconformity = this.nonconformity(vector, usable);
      if (this.seen > this.warmup && this.calibration.length >= 20) score = this.pValueScore(nonconformity);
      const evicted = this.calibration.push(nonconformity);
      void evicted;
      this.calibrationSorted.push(nonconformity);
    }
    this.remember(vector);
    return clampScore(score);
  }

  /** Mean distance to the k nearest of the `usable` oldest-first stored vectors. */
  private nonconformity(vector: Float64Array, usable: number): number {
    const k = this.neighbours;
    const best = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
    const d = this.dimension;
    // The stored vectors form a ring; the newest `dimension` of them overlap the current one.
    const oldest = this.vectorCount < this.referenceSize ? 0 : this.vectorNext;
    for (let n = 0; n < usable; n++) {
      const base = ((oldest + n) % this.referenceSize) * d;
      let sum = 0;
      for (let i = 0; i < d && sum < best[k - 1]!; i++) {
        const diff = this.vectors[base + i]! - vector[i]!;
        sum += diff * diff;
      }
      if (sum < best[k - 1]!) {
        let j = k - 1;
        while (j > 0 && best[j - 1]! > sum) {
          best[j] = best[j - 1]!;
          j--;
        }
        best[j] = sum;
      }
    }
    let total = 0;
    for (let j = 0; j < k; j++) total += Math.sqrt(best[j]!);
    return total / k;
  }

  /** 1 − conformal p-value, continued past the largest calibration score by the excess ratio. */
  private pValueScore(nonconformity: number): number {
    const n = this.calibrationSorted.length;
    const largest = this.calibrationSorted.quantile(1);
    if (nonconformity > largest) {
      const ratio = largest > 0 ? largest / nonconformity : 0;
      return 1 - ratio / (n + 1);
    }
    // Share of calibration scores strictly below (ties count half).
    let below = 0;
    let equal = 0;
    for (let i = 0; i < n; i++) {
      const c = this.calibration.at(i);
      if (c < nonconformity) below++;
      else if (c === nonconformity) equal++;
    }
    return (below + 0.5 * equal) / (n + 1);
  }

  private remember(vector: Float64Array): void {
    this.vectors.set(vector, this.vectorNext * this.dimension);
    this.vectorNext = (this.vectorNext + 1) % this.referenceSize;
    this.vectorCount = Math.min(this.vectorCount + 1, this.referenceSize);
  }
}
