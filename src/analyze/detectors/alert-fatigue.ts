import { clampScore, type Detector } from './detector.js';

/** Options of {@link AlertFatigueDetector}. */
export interface AlertFatigueOptions {
  /** Scores at or above this count as alerts of the wrapped detector (default 0.6). */
  alertLevel?: number;
  /** The most a score can lose, as a share of it (default 0.7): scores never fall below 1 − depth of themselves. */
  depth?: number;
  /** How fast the loss approaches `depth`, per recent alert (default 0.1). */
  rate?: number;
  /** Time constant, in samples, over which past alerts are forgotten (default 8000). */
  memory?: number;
}

/**
 * Scales a detector's scores down by how often it has alerted on this series lately:
 * score × (1 − depth + depth · e^(−rate · alerts)), where `alerts` counts the wrapped detector's
 * alerts (scores at or above `alertLevel`), each fading with time constant `memory` samples.
 *
 * Why a saturating scale rather than a fixed amount off per alert: with one threshold for many
 * series, a series that keeps surprising should need stronger evidence — but a subtraction that
 * grows without bound pushes its surprises below every calm series' ordinary scores, and which
 * of its true incidents survive then hinges on where the threshold lands. The scale keeps the
 * order of the wrapped scores within a series and never takes more than `depth` of a score, so
 * a habitual alerter's certainties still rank above its own small surprises, and a series
 * calm for long (the count has faded) alerts on its first surprise at full strength.
 *
 * Memory: two numbers, whatever the series.
 *
 * @example new AlertFatigueDetector(createDetector(NAMED_DETECTORS['contextual-value-rank']), { depth: 0.7 })
 * @example new AlertFatigueDetector(inner, { depth: 1.5 }) // throws: depth must be in [0, 1]
 */
export class AlertFatigueDetector implements Detector {
  private readonly alertLevel: number;
  private readonly depth: number;
  private readonly rate: number;
  private readonly fade: number;
  private alerts = 0;

  constructor(
    private readonly inner: Detector,
    options: AlertFatigueOptions = {},
  ) {
    this.alertLevel = options.alertLevel ?? 0.6;
    this.depth = options.depth ?? 0.7;
    this.rate = options.rate ?? 0.1;
    const memory = options.memory ?? 8000;
    if (!(this.alertLevel > 0 && this.alertLevel <= 1)) throw new RangeError('alert-fatigue: alertLevel must be in (0, 1]');
    if (!(this.depth >= 0 && this.depth <= 1)) throw new RangeError('alert-fatigue: depth must be in [0, 1]');
    if (!(this.rate >= 0 && Number.isFinite(this.rate))) throw new RangeError('alert-fatigue: rate must be a finite number ≥ 0');
    if (!(memory > 0)) throw new RangeError('alert-fatigue: memory must be > 0 samples');
    this.fade = Math.exp(-1 / memory);
  }

  update(timestamp: number, value: number): number {
    const score = clampScore(this.inner.update(timestamp, value));
    this.alerts *= this.fade;
    const scaled = score * (1 - this.depth + this.depth * Math.exp(-this.rate * this.alerts));
    if (score >= this.alertLevel) this.alerts++;
    return clampScore(scaled);
  }

  /** The faded count of recent alerts (for tests and diagnostics). */
  get recentAlerts(): number {
    return this.alerts;
  }
}
