import { clampScore, type Detector } from './detector.js';

/** Options of {@link AlertRateDiscountDetector}. */
export interface AlertRateDiscountOptions {
  /** Scores at or above this count as alerts of the wrapped detector (default 0.6). */
  alertLevel?: number;
  /** Samples over which alerts are counted (default 4000). */
  horizon?: number;
  /** Subtracted from a score per alert within the horizon before it (default 0.02). */
  discount?: number;
}

/**
 * Lowers a detector's scores by how often it has alerted recently on this series: each alert
 * (a score at or above `alertLevel`) in the last `horizon` samples takes `discount` off later
 * scores. A series that keeps producing surprising values — bursty traffic, a noisy CPU — thus
 * needs ever stronger evidence to alert again, while a series that was calm for a long time
 * alerts on its first surprise at full strength; with one threshold for many series, this
 * ranks a rare surprise above a habitual one.
 *
 * Memory: the sample numbers of at most `horizon` alerts (in practice far fewer behind a mute).
 *
 * @example new AlertRateDiscountDetector(createDetector(NAMED_DETECTORS.contextual), { discount: 0.02 })
 * @example new AlertRateDiscountDetector(inner, { horizon: 0 }) // throws: horizon must be an integer ≥ 1
 */
export class AlertRateDiscountDetector implements Detector {
  private readonly alertLevel: number;
  private readonly horizon: number;
  private readonly discount: number;
  /** Sample numbers of the recent alerts, oldest first; a ring of at most `horizon`. */
  private readonly alerts: number[] = [];
  private oldest = 0;
  private sample = 0;

  constructor(
    private readonly inner: Detector,
    options: AlertRateDiscountOptions = {},
  ) {
    this.alertLevel = options.alertLevel ?? 0.6;
    this.horizon = options.horizon ?? 4000;
    this.discount = options.discount ?? 0.02;
    if (!(this.alertLevel > 0 && this.alertLevel <= 1)) throw new RangeError('alert-rate-discount: alertLevel must be in (0, 1]');
    if (!Number.isInteger(this.horizon) || this.horizon < 1) throw new RangeError('alert-rate-discount: horizon must be an integer ≥ 1');
    if (!(this.discount >= 0)) throw new RangeError('alert-rate-discount: discount must be ≥ 0');
  }

  update(timestamp: number, value: number): number {
    const score = clampScore(this.inner.update(timestamp, value));
    this.sample++;
    while (this.oldest < this.alerts.length && this.alerts[this.oldest]! <= this.sample - this.horizon) this.oldest++;
    // Compact now and then, so the array never outgrows the horizon's worth of alerts.
    if (this.oldest > 64 && this.oldest * 2 > this.alerts.length) {
      this.alerts.splice(0, this.oldest);
      this.oldest = 0;
    }
    const recent = this.alerts.length - this.oldest;
    if (score >= this.alertLevel) this.alerts.push(this.sample);
    return clampScore(score - this.discount * recent);
  }

  /** Alerts currently counted (for tests and diagnostics). */
  get recentAlerts(): number {
    return this.alerts.length - this.oldest;
  }
}
