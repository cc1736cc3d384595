import type { Detector } from './detectors/detector.js';
import type { ThresholdState } from './threshold-rule.js';

/** Options of {@link ScoreRule}. */
export interface ScoreRuleOptions {
  /** A score at or above this counts toward raising (0..1). */
  raiseAt: number;
  /** Once raised, a score below this counts toward clearing (hysteresis; at most `raiseAt`). */
  clearBelow: number;
  /** The score must stay at or above `raiseAt` this long (ms) before the symptom is raised. */
  forMs?: number;
  /** … and below `clearBelow` this long before it is cleared. */
  clearForMs?: number;
  /** Consecutive samples needed either way (default 2: one sample never raises or clears). */
  minSamples?: number;
}

/**
 * A streaming detector's anomaly scores turned into a symptom, with hysteresis (raise at
 * `raiseAt`, clear below `clearBelow`) and a minimum duration and sample count both ways,
 * so a single odd sample neither raises nor clears it. Feed values in time order.
 *
 * @example
 * const rule = new ScoreRule(createDetector({ kind: 'robust-zscore' }), { raiseAt: 0.999, clearBelow: 0.5, forMs: 1_000 });
 * rule.update(now, latency) // 'fired' once, 'cleared' once, else undefined
 * @example rule.lastScore // the detector's score for the latest value
 */
export class ScoreRule {
  state: ThresholdState = 'ok';
  lastScore = 0;
  /** Samples from the first one at or above `raiseAt` to the raise (for the symptom's evidence). */
  samplesToRaise = 0;
  private since = 0;
  private count = 0;
  private readonly minSamples: number;

  constructor(
    private readonly detector: Detector,
    private readonly options: ScoreRuleOptions,
  ) {
    this.minSamples = Math.max(1, options.minSamples ?? 2);
  }

  update(at: number, value: number | undefined): 'fired' | 'cleared' | undefined {
    if (value === undefined || !Number.isFinite(value)) return undefined;
    const score = this.detector.update(at, value);
    this.lastScore = score;
    if (this.state !== 'firing') {
      if (score < this.options.raiseAt) {
        this.state = 'ok';
        this.count = 0;
        return undefined;
      }
      if (this.state === 'ok') {
        this.state = 'pending';
        this.since = at;
        this.count = 0;
      }
      this.count++;
      if (this.count < this.minSamples || at - this.since < (this.options.forMs ?? 0)) return undefined;
      this.state = 'firing';
      this.samplesToRaise = this.count;
      this.count = 0;
      return 'fired';
    }
    if (score >= this.options.clearBelow) {
      this.count = 0;
      return undefined;
    }
    if (this.count === 0) this.since = at;
    this.count++;
    if (this.count < this.minSamples || at - this.since < (this.options.clearForMs ?? 0)) return undefined;
    this.state = 'ok';
    this.count = 0;
    return 'cleared';
  }
}
