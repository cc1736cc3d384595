import { clampScore, type Detector } from './detector.js';

/** Options of {@link EnsembleDetector}. */
export interface EnsembleOptions {
  /** How member scores combine: the largest (default) or the mean. */
  combine?: 'max' | 'mean';
  /** Per-member weights for `mean` (default equal). */
  weights?: number[];
  /** A combined score at or above this is an alert (default 0.99). */
  alertThreshold?: number;
  /** Samples after an alert during which scores are muted (default 0: no mute). */
  muteSamples?: number;
  /** Or a time span after an alert, in ms, during which scores are muted. */
  muteMs?: number;
  /** Factor applied to scores while muted (default 0). */
  muteFactor?: number;
  /**
   * Mute by dominance instead of by a fixed alert threshold (default false): a combined score is
   * muted when a reported one at least as high came within the last `muteSamples` samples. Whatever
   * threshold is later applied to the output, an incident then alerts once (unless it keeps
   * getting worse), so the de-duplication does not depend on `alertThreshold`.
   */
  muteDominated?: boolean;
}

/**
 * Runs several detectors on the same samples and combines their scores; after an alert it
 * mutes its output for a while, so one incident is reported once instead of on every
 * sample (every member still sees every sample, so none falls behind).
 *
 * @example new EnsembleDetector([new EwmaDetector(), new ConformalKnnDetector()], { muteSamples: 100 })
 * @example new EnsembleDetector([]) // throws: an ensemble needs at least one member
 */
export class EnsembleDetector implements Detector {
  private readonly alertThreshold: number;
  private readonly muteFactor: number;
  private muteUntilSample = -1;
  private muteUntilTime = Number.NEGATIVE_INFINITY;
  private sample = 0;
  private readonly recent: { sample: number; score: number }[] = [];

  constructor(
    private readonly members: Detector[],
    private readonly options: EnsembleOptions = {},
  ) {
    if (members.length === 0) throw new RangeError('ensemble: an ensemble needs at least one member');
    if (options.weights !== undefined && options.weights.length !== members.length) throw new RangeError('ensemble: one weight per member');
    this.alertThreshold = options.alertThreshold ?? 0.99;
    this.muteFactor = options.muteFactor ?? 0;
  }

  update(timestamp: number, value: number): number {
    this.sample++;
    let combined = this.options.combine === 'mean' ? 0 : Number.NEGATIVE_INFINITY;
    let weightTotal = 0;
    this.members.forEach((member, i) => {
      const score = clampScore(member.update(timestamp, value));
      if (this.options.combine === 'mean') {
        const weight = this.options.weights?.[i] ?? 1;
        combined += weight * score;
        weightTotal += weight;
      } else if (score > combined) combined = score;
    });
    if (this.options.combine === 'mean') combined /= weightTotal || 1;
    if (this.options.muteDominated) return clampScore(this.dominance(combined));
    if (this.sample <= this.muteUntilSample || timestamp < this.muteUntilTime) return clampScore(combined * this.muteFactor);
    if (combined >= this.alertThreshold) {
      if (this.options.muteSamples) this.muteUntilSample = this.sample + this.options.muteSamples;
      if (this.options.muteMs) this.muteUntilTime = timestamp + this.options.muteMs;
    }
    return clampScore(combined);
  }

  /**
   * The score, or the muted score when a score at least as high came within the mute window.
   * `recent` is a monotone queue (scores strictly decreasing), so this is O(1) amortised.
   */
  private dominance(combined: number): number {
    const horizon = this.sample - (this.options.muteSamples ?? 0);
    while (this.recent.length > 0 && this.recent[0]!.sample <= horizon) this.recent.shift();
    if (this.recent.length > 0 && this.recent[0]!.score >= combined) return combined * this.muteFactor;
    // Only reported scores mute later ones: a muted score does not extend the mute.
    while (this.recent.length > 0 && this.recent[this.recent.length - 1]!.score <= combined) this.recent.pop();
    this.recent.push({ sample: this.sample, score: combined });
    return combined;
  }
}
