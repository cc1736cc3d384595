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
    if (this.sample <= this.muteUntilSample || timestamp < this.muteUntilTime) return clampScore(combined * this.muteFactor);
    if (combined >= this.alertThreshold) {
      if (this.options.muteSamples) this.muteUntilSample = this.sample + this.options.muteSamples;
      if (this.options.muteMs) this.muteUntilTime = timestamp + this.options.muteMs;
    }
    return clampScore(combined);
  }
}
