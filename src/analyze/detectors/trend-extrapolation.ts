import { RingBuffer } from './statistics.js';

/** Options of {@link TrendExtrapolator}. */
export interface TrendOptions {
  /** The limit whose crossing is predicted (e.g. a memory limit in bytes). */
  limit: number;
  /** Whether the limit is approached from below (`rising`, default) or above (`falling`). */
  direction?: 'rising' | 'falling';
  /** Samples in the regression window (default 60). */
  window?: number;
  /** Minimum samples before predicting (default 10). */
  minSamples?: number;
}

/** A prediction: when the fitted trend crosses the limit, and how sure the fit is. */
export interface TrendForecast {
  /** Milliseconds from the latest sample until the limit is crossed (0 if already past). */
  timeToLimitMs: number;
  /** The absolute time of the crossing (ms). */
  crossesAt: number;
  /** Slope of the fitted line, in value units per second. */
  slopePerSecond: number;
  /** R² of the linear fit, 0..1: how much a straight line explains the recent samples. */
  fit: number;
}

/**
 * Predictive detection: a least-squares line through the recent samples, extrapolated to
 * the limit, so the loop can act before a leak reaches it ("memory limit in 12 minutes").
 * Bounded memory: the regression window only.
 *
 * @example
 * const trend = new TrendExtrapolator({ limit: 512e6 });
 * const forecast = trend.update(now, rssBytes); // → { timeToLimitMs: 720000, … } or undefined
 * @example new TrendExtrapolator({ limit: 1, window: 1 }) // throws: window must be ≥ 2
 */
export class TrendExtrapolator {
  private readonly times: RingBuffer;
  private readonly values: RingBuffer;
  private readonly minSamples: number;
  private readonly sign: number;

  constructor(private readonly options: TrendOptions) {
    const window = options.window ?? 60;
    if (window < 2) throw new RangeError('trend: window must be ≥ 2');
    this.times = new RingBuffer(window);
    this.values = new RingBuffer(window);
    this.minSamples = Math.max(2, options.minSamples ?? 10);
    this.sign = options.direction === 'falling' ? -1 : 1;
  }

  /** Add a sample; returns the forecast when the trend heads for the limit, else undefined. */
  update(timestamp: number, value: number): TrendForecast | undefined {
    this.times.push(timestamp);
    this.values.push(value);
    const n = this.times.length;
    if (n < this.minSamples) return undefined;
    const origin = this.times.at(0);
    let st = 0;
    let sv = 0;
    for (let i = 0; i < n; i++) {
      st += (this.times.at(i) - origin) / 1000;
      sv += this.values.at(i);
    }
    const meanT = st / n;
    const meanV = sv / n;
    let stt = 0;
    let stv = 0;
    let svv = 0;
    for (let i = 0; i < n; i++) {
      const dt = (this.times.at(i) - origin) / 1000 - meanT;
      const dv = this.values.at(i) - meanV;
      stt += dt * dt;
      stv += dt * dv;
      svv += dv * dv;
    }
    if (stt === 0) return undefined;
    const slope = stv / stt;
    const fit = svv === 0 ? 1 : (stv * stv) / (stt * svv);
    const now = (timestamp - origin) / 1000;
    const fittedNow = meanV + slope * (now - meanT);
    const remaining = (this.options.limit - fittedNow) * this.sign;
    if (remaining <= 0) return { timeToLimitMs: 0, crossesAt: timestamp, slopePerSecond: slope, fit };
    if (slope * this.sign <= 0) return undefined;
    const seconds = remaining / Math.abs(slope);
    return { timeToLimitMs: seconds * 1000, crossesAt: timestamp + seconds * 1000, slopePerSecond: slope, fit };
  }
}
