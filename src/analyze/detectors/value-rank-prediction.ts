import { ContextPredictionDetector } from './context-prediction.js';
import { clampScore, type Detector } from './detector.js';
import { RankWindow } from './rank-window.js';

/** Options of {@link ValueRankPredictionDetector}. */
export interface ValueRankPredictionOptions {
  /** Levels of the running value range (default 20). */
  levels?: number;
  /** Levels of the rank scale (default 12). */
  rankLevels?: number;
  /** Recent values a value is ranked among (default 2000). */
  rankWindow?: number;
  /** Most digits a learned generalisation fixes, in both views (default 3). */
  maxPattern?: number;
  /** A value beyond the running range by more than this share of it scores 1 (default 0.02). */
  rangeTolerance?: number;
  /** Samples before scoring (default 10). */
  warmup?: number;
  /** Forget the value view's contexts when its range grows by this factor (default 8; see context prediction). */
  relearnGrowth?: number;
}

/**
 * Context prediction ({@link ContextPredictionDetector}) run on two views of the same series:
 * the value on its running range, and the value's rank among the last `rankWindow` values. A
 * sample is as surprising as the *less* surprised view finds it, unless the value view is
 * certain (a value beyond the running range, or one no matching context ever predicted) — then
 * it scores that.
 *
 * Why two views: on the running range, one past spike squeezes every ordinary value into a few
 * levels, so in a bursty series each new burst height looks like a never-seen transition; on
 * the rank scale bursts are just "high", and ordinary values keep their resolution. Conversely
 * the rank view alone cannot tell a new extreme from the usual maximum. Requiring both views to
 * be surprised drops most of the bursty series' false alarms while keeping level shifts and
 * out-of-range values.
 *
 * Memory: two context-prediction detectors (bounded) and a window of `rankWindow` numbers
 * kept twice.
 *
 * @example new ValueRankPredictionDetector({ levels: 20, rankLevels: 12, rankWindow: 2000 })
 * @example new ValueRankPredictionDetector({ rankWindow: 0 }) // throws: capacity must be an integer ≥ 1
 */
export class ValueRankPredictionDetector implements Detector {
  private readonly byValue: ContextPredictionDetector;
  private readonly byRank: ContextPredictionDetector;
  private readonly ranks: RankWindow;

  constructor(options: ValueRankPredictionOptions = {}) {
    const shared = { maxPattern: options.maxPattern, warmup: options.warmup };
    this.byValue = new ContextPredictionDetector({ ...shared, levels: options.levels ?? 20, rangeTolerance: options.rangeTolerance ?? 0.02, relearnGrowth: options.relearnGrowth });
    this.byRank = new ContextPredictionDetector({ ...shared, levels: options.rankLevels ?? 12 });
    this.ranks = new RankWindow(options.rankWindow ?? 2000);
  }

  update(timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    const valueScore = this.byValue.update(timestamp, value);
    const rankScore = this.byRank.update(timestamp, this.ranks.rank(value));
    this.ranks.push(value);
    if (valueScore >= 1) return 1;
    return clampScore(Math.min(valueScore, rankScore));
  }
}
