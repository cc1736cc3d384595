import { clampScore, type Detector } from './detector.js';

/** Options of {@link ContextNoveltyDetector}. */
export interface ContextNoveltyOptions {
  /**
   * Discretisation levels of the normalised value; several numbers run several grids side by
   * side and average their scores, so no single set of bin edges decides (default 16).
   */
  levels?: number | number[];
  /** Longest context word, in samples (default 3): words of length 1 … maxOrder are tracked. */
  maxOrder?: number;
  /** Context words remembered over all grids (least recently seen forgotten first; default 100 000). */
  capacity?: number;
  /** A value beyond the running range by more than this share of it scores 1 (default 0.05). */
  rangeTolerance?: number;
  /** Samples before scoring (default 10). */
  warmup?: number;
}

/**
 * A contextual novelty detector in the spirit of CAD OSE (contextual anomaly detection; our own
 * implementation, not a port). Each value is normalised against the running range of the
 * past — never the series' future minimum or maximum — and discretised into a few levels; the
 * last few levels form context words of length 1 … maxOrder. The detector remembers the words
 * it has seen (how often, least recently seen forgotten first). A sample whose words are new
 * is anomalous, the more so the shorter the new word: a never-seen level is more surprising
 * than a never-seen ordering of seen levels. A value clearly beyond the running range (by more
 * than `rangeTolerance` of it) scores 1.
 *
 * Per grid the score is the share of word lengths whose word is new, refined by how rarely the
 * known words were seen so that scores seldom tie; the grids' scores are averaged. Memory is
 * bounded by `capacity` words plus `maxOrder` levels per grid.
 *
 * Pair it with a dominance mute (`ensemble` with `muteDominated`), so an incident alerts once.
 *
 * @example new ContextNoveltyDetector({ levels: [8, 12, 16], maxOrder: 3 })
 * @example new ContextNoveltyDetector({ levels: 1 }) // throws: levels must be integers ≥ 2
 */
export class ContextNoveltyDetector implements Detector {
  private readonly levels: number[];
  private readonly maxOrder: number;
  private readonly capacity: number;
  private readonly rangeTolerance: number;
  private readonly warmup: number;
  private readonly words = new Map<number, number>();
  private readonly histories: number[][];
  private readonly keySpan: number;
  private low = Number.POSITIVE_INFINITY;
  private high = Number.NEGATIVE_INFINITY;
  private seen = 0;

  constructor(options: ContextNoveltyOptions = {}) {
    const levels = options.levels ?? 16;
    this.levels = typeof levels === 'number' ? [levels] : [...levels];
    this.maxOrder = options.maxOrder ?? 3;
    this.capacity = options.capacity ?? 100_000;
    this.rangeTolerance = options.rangeTolerance ?? 0.05;
    this.warmup = options.warmup ?? 10;
    if (this.levels.length === 0 || this.levels.some((l) => !Number.isInteger(l) || l < 2)) throw new RangeError('context-novelty: levels must be integers ≥ 2');
    if (!Number.isInteger(this.maxOrder) || this.maxOrder < 1) throw new RangeError('context-novelty: maxOrder must be an integer ≥ 1');
    if (!(this.capacity >= 1)) throw new RangeError('context-novelty: capacity must be ≥ 1');
    if (!(this.rangeTolerance >= 0)) throw new RangeError('context-novelty: rangeTolerance must be ≥ 0');
    this.keySpan = Math.max(...this.levels) ** this.maxOrder;
    if (this.keySpan * (this.maxOrder + 1) * this.levels.length > Number.MAX_SAFE_INTEGER) throw new RangeError('context-novelty: levels ^ maxOrder too large');
    this.histories = this.levels.map(() => []);
  }

  update(_timestamp: number, value: number): number {
    this.seen++;
    const margin = (this.high - this.low) * this.rangeTolerance;
    const outside = this.seen > 1 && (value > this.high + margin || value < this.low - margin);
    if (value > this.high) this.high = value;
    if (value < this.low) this.low = value;

    let total = 0;
    for (let g = 0; g < this.levels.length; g++) total += this.scoreGrid(g, value);
    if (this.seen <= this.warmup) return 0;
    if (outside) return 1;
    return clampScore(total / this.levels.length);
  }

  /** Learn this sample's words on grid `g` and score their novelty. */
  private scoreGrid(g: number, value: number): number {
    const levels = this.levels[g]!;
    const range = this.high - this.low;
    let level = range > 0 ? Math.floor(((value - this.low) / range) * levels) : 0;
    if (level >= levels) level = levels - 1;
    const history = this.histories[g]!;
    history.push(level);
    if (history.length > this.maxOrder) history.shift();

    let code = 0;
    let multiplier = 1;
    let novel = 0;
    let rarity = 0;
    const n = history.length;
    for (let order = 1; order <= n; order++) {
      code += history[n - order]! * multiplier;
      multiplier *= levels;
      const count = this.remember((g * (this.maxOrder + 1) + order) * this.keySpan + code);
      if (count === 0) novel++;
      else rarity += 1 / (1 + count);
    }
    const orders = this.maxOrder + 1;
    // Novel words dominate; the rarity of the known ones orders samples with equally many.
    return (novel + rarity / orders) / orders;
  }

  /** Count one more sighting of `key`; returns how often it was seen before. */
  private remember(key: number): number {
    const count = this.words.get(key) ?? 0;
    if (count > 0) this.words.delete(key);
    this.words.set(key, count + 1);
    if (this.words.size > this.capacity) this.words.delete(this.words.keys().next().value as number);
    return count;
  }
}
