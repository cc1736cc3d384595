/** Small numeric helpers shared by the detectors. */

/** The complementary error function (Numerical Recipes' erfcc; relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(|Z| ≥ |z|) for a standard normal Z. */
export function twoSidedTail(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/**
 * Map a z-like distance to a score in [0, 1): 1 − two-sided tail probability, plus a tiny
 * term that keeps decreasing where the tail probability underflows the resolution of a
 * double next to 1 (|z| > 8), so very large deviations still rank above large ones instead
 * of all tying at 1. Monotone in |z|, 0 at z = 0, comparable between detectors.
 */
export function zToScore(z: number): number {
  if (Number.isNaN(z)) return 0;
  const size = Math.abs(z);
  if (size === Number.POSITIVE_INFINITY) return 1;
  return 1 - (twoSidedTail(size) + RESOLUTION / (1 + size)) / (1 + RESOLUTION);
}

const RESOLUTION = 1e-9;

/** 1.4826 × MAD estimates σ for normal data. */
export const MAD_TO_SIGMA = 1.4826;

/** A fixed-capacity FIFO of numbers. */
export class RingBuffer {
  private readonly items: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Append; returns the evicted oldest value when full, else undefined. */
  push(value: number): number | undefined {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = value;
      this.count++;
      return undefined;
    }
    const evicted = this.items[this.start]!;
    this.items[this.start] = value;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** The i-th value, 0 = oldest. */
  at(i: number): number {
    return this.items[(this.start + i) % this.capacity]!;
  }

  /** The i-th most recent value, 0 = newest. */
  fromEnd(i: number): number {
    return this.at(this.count - 1 - i);
  }
}

/** A sliding window that keeps its values sorted, for medians and quantiles in O(log n + n) per update. */
export class SortedWindow {
  private readonly ring: RingBuffer;
  private readonly sorted: number[] = [];

  constructor(capacity: number) {
    this.ring = new RingBuffer(capacity);
  }

  get length(): number {
    return this.sorted.length;
  }

  push(value: number): void {
    const evicted = this.ring.push(value);
    if (evicted !== undefined) this.sorted.splice(this.lowerBound(evicted), 1);
    this.sorted.splice(this.lowerBound(value), 0, value);
  }

  /** The q-quantile (0 ≤ q ≤ 1) by linear interpolation; NaN when empty. */
  quantile(q: number): number {
    const n = this.sorted.length;
    if (n === 0) return Number.NaN;
    const position = q * (n - 1);
    const low = Math.floor(position);
    const high = Math.min(low + 1, n - 1);
    return this.sorted[low]! + (this.sorted[high]! - this.sorted[low]!) * (position - low);
  }

  median(): number {
    return this.quantile(0.5);
  }

  /** Median absolute deviation from `center` (the window's median by default). */
  mad(center = this.median()): number {
    const n = this.sorted.length;
    if (n === 0) return Number.NaN;
    // Walk outward from the center: the k-th smallest deviation, k = median rank.
    let right = this.lowerBound(center);
    let left = right - 1;
    const target = Math.floor((n - 1) / 2);
    let deviation = 0;
    for (let k = 0; k <= target; k++) {
      const dl = left >= 0 ? center - this.sorted[left]! : Number.POSITIVE_INFINITY;
      const dr = right < n ? this.sorted[right]! - center : Number.POSITIVE_INFINITY;
      if (dl <= dr) {
        deviation = dl;
        left--;
      } else {
        deviation = dr;
        right++;
      }
    }
    return deviation;
  }

  private lowerBound(value: number): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.sorted[mid]! < value) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Which seasonal slot a timestamp falls in (e.g. the hour of the week), or 0 without seasonality. */
export function seasonalSlot(timestamp: number, seasonality: 'none' | 'daily' | 'weekly' | undefined, slotMs: number): number {
  if (seasonality === undefined || seasonality === 'none') return 0;
  const period = seasonality === 'daily' ? 86_400_000 : 604_800_000;
  const phase = ((timestamp % period) + period) % period;
  return Math.floor(phase / slotMs);
}
