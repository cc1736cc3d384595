import { TrendExtrapolator, type TrendForecast, type TrendOptions } from './detectors/trend-extrapolation.js';
import type { ThresholdState } from './threshold-rule.js';

/** Options of {@link TrendRule}. */
export interface TrendRuleOptions extends TrendOptions {
  /** Raise when the limit is forecast to be crossed within this long (ms). */
  withinMs: number;
  /** The fitted line must explain at least this much of the recent samples (R², default 0.6). */
  minFit?: number;
  /** Consecutive samples needed either way (default 2). */
  minSamplesToChange?: number;
}

/**
 * Predictive symptom: a {@link TrendExtrapolator} over the series raises it when the limit
 * is forecast within `withinMs` (a leak reaching `maxMemory` in N minutes), so a policy can
 * act before the failure; it clears once the forecast is more than 1.5 × `withinMs` away
 * (or the trend stopped). Two consecutive samples are needed either way.
 *
 * @example
 * const rule = new TrendRule({ limit: 200e6, withinMs: 600_000 });
 * rule.update(now, rss) // 'fired' when 200 MB is less than 10 minutes away; rule.forecast says when
 */
export class TrendRule {
  state: ThresholdState = 'ok';
  forecast: TrendForecast | undefined;
  private readonly trend: TrendExtrapolator;
  private count = 0;

  constructor(private readonly options: TrendRuleOptions) {
    this.trend = new TrendExtrapolator(options);
  }

  get limit(): number {
    return this.options.limit;
  }

  update(at: number, value: number | undefined): 'fired' | 'cleared' | undefined {
    if (value === undefined || !Number.isFinite(value)) return undefined;
    const forecast = this.trend.update(at, value);
    this.forecast = forecast;
    const need = Math.max(1, this.options.minSamplesToChange ?? 2);
    const near = forecast !== undefined && forecast.timeToLimitMs <= this.options.withinMs && (forecast.fit >= (this.options.minFit ?? 0.6) || forecast.timeToLimitMs === 0);
    const far = forecast === undefined || forecast.timeToLimitMs > this.options.withinMs * 1.5;
    if (this.state !== 'firing') {
      if (!near) {
        this.state = 'ok';
        this.count = 0;
        return undefined;
      }
      this.state = 'pending';
      if (++this.count < need) return undefined;
      this.state = 'firing';
      this.count = 0;
      return 'fired';
    }
    if (!far) {
      this.count = 0;
      return undefined;
    }
    if (++this.count < need) return undefined;
    this.state = 'ok';
    this.count = 0;
    return 'cleared';
  }
}
