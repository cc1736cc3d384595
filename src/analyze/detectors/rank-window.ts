/**
 * The last `capacity` values, kept both in arrival order and sorted, to tell where a new value
 * ranks among them. Insertion and eviction move at most `capacity` numbers (a block copy), so a
 * window of a few thousand costs microseconds per value; memory is two arrays of `capacity`.
 *
 * @example
 * const window = new RankWindow(3);
 * for (const v of [5, 1, 9]) window.push(v);
 * window.rank(5); // 0.5 — as many of the last 3 values below 5 as above it
 */
export class RankWindow {
  private readonly arrival: Float64Array;
  private readonly sorted: Float64Array;
  private size = 0;
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('rank window: capacity must be an integer ≥ 1');
    this.arrival = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  /** How many values the window holds. */
  get length(): number {
    return this.size;
  }

  /**
   * The share of the window's values below `value`, ties counting half: 0 below all of them,
   * 1 above all of them, 0.5 for an empty window.
   */
  rank(value: number): number {
    if (this.size === 0) return 0.5;
    return (this.countBelow(value) + this.countAtMost(value)) / 2 / this.size;
  }

  /** Add a value, evicting the oldest one when full. */
  push(value: number): void {
    if (this.size === this.capacity) {
      const at = this.countBelow(this.arrival[this.head]!);
      this.sorted.copyWithin(at, at + 1, this.size);
      this.size--;
    }
    this.arrival[this.head] = value;
    this.head = (this.head + 1) % this.capacity;
    const at = this.countAtMost(value);
    this.sorted.copyWithin(at + 1, at, this.size);
    this.sorted[at] = value;
    this.size++;
  }

  /** How many values are < `value` (binary search over the sorted copy). */
  private countBelow(value: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sorted[middle]! < value) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** How many values are ≤ `value`. */
  private countAtMost(value: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sorted[middle]! <= value) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
