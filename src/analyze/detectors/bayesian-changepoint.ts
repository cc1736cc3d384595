import { clampScore, type Detector } from './detector.js';

/** Options of {@link BayesianChangepointDetector}. */
export interface BayesianChangepointOptions {
  /** Expected run length between changepoints, in samples (hazard = 1 / this; default 250). */
  expectedRunLength?: number;
  /** Longest run length tracked; longer runs are merged into the last one (default 200). */
  maxRunLength?: number;
  /** Smoothing of the running mean/σ that standardises the input (default 0.01). */
  scaleAlpha?: number;
  /** Samples before scoring (default 30). */
  warmup?: number;
}

/**
 * Online Bayesian changepoint detection (Adams & MacKay 2007) with a normal model of
 * unknown mean and variance (normal-gamma prior, Student-t predictive), over standardised
 * input so the prior fits any scale. The run-length distribution is truncated at
 * `maxRunLength`, which bounds memory and time per sample.
 *
 * The score is how surprising the sample is to the established runs: 1 − the posterior
 * probability that the run is still long (≥ 5 samples), so a changepoint scores near 1 on
 * the sample that starts it.
 *
 * @example new BayesianChangepointDetector({ expectedRunLength: 500 })
 * @example new BayesianChangepointDetector({ maxRunLength: 0 }) // throws
 */
export class BayesianChangepointDetector implements Detector {
  private readonly hazard: number;
  private readonly maxRun: number;
  private readonly scaleAlpha: number;
  private readonly warmup: number;
  // Per run length r: posterior probability and normal-gamma parameters.
  private probabilities: Float64Array;
  private mu: Float64Array;
  private kappa: Float64Array;
  private alpha: Float64Array;
  private beta: Float64Array;
  private runs = 1;
  private mean = 0;
  private variance = 0;
  private seen = 0;

  constructor(options: BayesianChangepointOptions = {}) {
    this.hazard = 1 / (options.expectedRunLength ?? 250);
    this.maxRun = options.maxRunLength ?? 200;
    if (!Number.isInteger(this.maxRun) || this.maxRun < 1) throw new RangeError(`bocpd: maxRunLength must be a positive integer, got ${this.maxRun}`);
    this.scaleAlpha = options.scaleAlpha ?? 0.01;
    this.warmup = options.warmup ?? 30;
    const size = this.maxRun + 1;
    this.probabilities = new Float64Array(size);
    this.mu = new Float64Array(size);
    this.kappa = new Float64Array(size);
    this.alpha = new Float64Array(size);
    this.beta = new Float64Array(size);
    this.probabilities[0] = 1;
    this.resetPrior(0);
  }

  update(_timestamp: number, value: number): number {
    this.seen++;
    if (this.seen === 1) this.mean = value;
    const sd = Math.sqrt(this.variance);
    const x = (value - this.mean) / Math.max(sd, 1e-6 * (Math.abs(this.mean) + 1e-9));
    const deviation = value - this.mean;
    const increment = this.scaleAlpha * deviation;
    this.mean += increment;
    this.variance = (1 - this.scaleAlpha) * (this.variance + deviation * increment);
    if (this.seen <= 2) return 0;
    const clipped = Math.max(-50, Math.min(50, x));

    // Predictive likelihood of x under each run length, then the growth/changepoint step.
    const next = new Float64Array(this.maxRun + 1);
    let changepoint = 0;
    let total = 0;
    for (let r = 0; r < this.runs; r++) {
      const likelihood = this.studentT(r, clipped);
      const mass = this.probabilities[r]! * likelihood;
      changepoint += mass * this.hazard;
      const grown = Math.min(r + 1, this.maxRun);
      next[grown] = next[grown]! + mass * (1 - this.hazard);
    }
    next[0] = changepoint;
    for (let r = 0; r <= this.maxRun; r++) total += next[r]!;
    const longBefore = this.longRunMass(this.probabilities);
    if (!(total > 0) || !Number.isFinite(total)) {
      this.restart();
      return this.seen > this.warmup ? 1 : 0;
    }
    for (let r = 0; r <= this.maxRun; r++) next[r] = next[r]! / total;
    const newRuns = Math.min(this.runs + 1, this.maxRun + 1);
    // Update sufficient statistics (shift by one run length; r = 0 restarts from the prior).
    for (let r = newRuns - 1; r >= 1; r--) {
      const from = Math.min(r - 1, this.maxRun - 1);
      const mu = this.mu[from]!;
      const kappa = this.kappa[from]!;
      this.mu[r] = (kappa * mu + clipped) / (kappa + 1);
      this.kappa[r] = kappa + 1;
      this.alpha[r] = this.alpha[from]! + 0.5;
      this.beta[r] = this.beta[from]! + (kappa * (clipped - mu) ** 2) / (2 * (kappa + 1));
    }
    this.resetPrior(0);
    this.probabilities = next;
    this.runs = newRuns;
    if (this.seen <= this.warmup) return 0;
    // Long runs that lost their mass to short ones: a fresh changepoint.
    const longAfter = this.longRunMass(next);
    return clampScore(longBefore - longAfter);
  }

  private longRunMass(probabilities: Float64Array): number {
    let mass = 0;
    for (let r = 5; r < probabilities.length; r++) mass += probabilities[r]!;
    return mass;
  }

  private studentT(r: number, x: number): number {
    const alpha = this.alpha[r]!;
    const kappa = this.kappa[r]!;
    const scale2 = (this.beta[r]! * (kappa + 1)) / (alpha * kappa);
    const nu = 2 * alpha;
    const z = ((x - this.mu[r]!) * (x - this.mu[r]!)) / (nu * scale2);
    const logDensity = logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI * scale2) - ((nu + 1) / 2) * Math.log1p(z);
    return Math.exp(logDensity);
  }

  private resetPrior(r: number): void {
    this.mu[r] = 0;
    this.kappa[r] = 1;
    this.alpha[r] = 1;
    this.beta[r] = 1;
  }

  private restart(): void {
    this.probabilities.fill(0);
    this.probabilities[0] = 1;
    this.runs = 1;
    this.resetPrior(0);
  }
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (shifted + i);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}
