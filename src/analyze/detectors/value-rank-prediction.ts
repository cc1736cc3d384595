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
  /**
   * Levels of a coarser value view that must confirm the value view's certainty (default: none,
   * no confirmation). With it, an in-range value no matching context predicted scores 1 only
   * if the coarse view did not foresee it either, and `unconfirmedScore` otherwise.
   */
  confirmLevels?: number;
  /** The score of an in-range certainty the coarse view does not confirm (default 0.8). */
  unconfirmedScore?: number;
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
 * With `confirmLevels`, a third view — the value on a coarser cut of the same running range —
 * must confirm an in-range certainty: in a bursty series a new burst height is often a level
 * the fine view never saw follow, yet within a coarse level that did; such a sample then scores
 * `unconfirmedScore` instead of 1, so with one threshold for many series it ranks below a value
 * that both cuts, or the range itself, find new. A value beyond the range always scores 1.
 *
 * Memory: two context-prediction detectors (three with `confirmLevels`; each bounded) and a
 * window of `rankWindow` numbers kept twice.
 *
 * @example new ValueRankPredictionDetector({ levels: 20, rankLevels: 12, rankWindow: 2000 })
 * @example new ValueRankPredictionDetector({ rankWindow: 0 }) // throws: capacity must be an integer ≥ 1
 */
export class ValueRankPredictionDetector implements Detector {
  private readonly byValue: ContextPredictionDetector;
  private readonly byRank: ContextPredictionDetector;
  private readonly ranks: RankWindow;
  private readonly byCoarseValue: ContextPredictionDetector | undefined;
  private readonly unconfirmedScore: number;

  constructor(options: ValueRankPredictionOptions = {}) {
    const shared = { maxPattern: options.maxPattern, warmup: options.warmup };
    this.byValue = new ContextPredictionDetector({ ...shared, levels: options.levels ?? 20, rangeTolerance: options.rangeTolerance ?? 0.02, relearnGrowth: options.relearnGrowth });
    this.byRank = new ContextPredictionDetector({ ...shared, levels: options.rankLevels ?? 12 });
    this.ranks = new RankWindow(options.rankWindow ?? 2000);
    this.unconfirmedScore = options.unconfirmedScore ?? 0.8;
    if (!(this.unconfirmedScore >= 0 && this.unconfirmedScore <= 1)) throw new RangeError('value-rank-prediction: unconfirmedScore must be in [0, 1]');
    if (options.confirmLevels !== undefined) {
      this.byCoarseValue = new ContextPredictionDetector({ ...shared, levels: options.confirmLevels, rangeTolerance: options.rangeTolerance ?? 0.02, relearnGrowth: options.relearnGrowth });
    }
  }

  update(timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    const valueScore = this.byValue.update(timestamp, value);
    const rankScore = this.byRank.update(timestamp, this.ranks.rank(value));
    this.ranks.push(value);
    const coarseScore = this.byCoarseValue?.update(timestamp, value);
    if (valueScore >= 1) {
      if (coarseScore === undefined || this.byValue.beyondRange || coarseScore >= 1) return 1;
      return this.unconfirmedScore;
    }
    return clampScore(Math.min(valueScore, rankScore));
  }
}
