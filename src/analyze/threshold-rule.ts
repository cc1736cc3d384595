/** Options of {@link ThresholdRule}. */
export interface ThresholdRuleOptions {
  above: number;
  /** Hysteresis: once firing, it clears only at or below this (default `above`). */
  clearBelow?: number;
  /** The value must stay above for this long before the rule fires (default 0). */
  forMs?: number;
}

export type ThresholdState = 'ok' | 'pending' | 'firing';

/**
 * Threshold detection with hysteresis and a minimum duration — the simple detector that
 * closes the loop (issue 6 adds statistical ones). Feed it readings in time order;
 * `update` returns `fired` once when it starts firing and `cleared` once when it stops.
 *
 * @example
 * const rule = new ThresholdRule({ above: 0.5, clearBelow: 0.2, forMs: 2_000 });
 * rule.update(0, 0.9); rule.update(2_000, 0.9) // 'fired'
 * @example
 * rule.update(3_000, 0.4) // undefined: still firing until ≤ 0.2
 */
export class ThresholdRule {
  state: ThresholdState = 'ok';
  private pendingSince = 0;
  private readonly clearBelow: number;
  private readonly forMs: number;

  constructor(private readonly options: ThresholdRuleOptions) {
    this.clearBelow = options.clearBelow ?? options.above;
    this.forMs = options.forMs ?? 0;
  }

  update(at: number, value: number | undefined): 'fired' | 'cleared' | undefined {
    if (value === undefined || Number.isNaN(value)) return undefined;
    switch (this.state) {
      case 'ok':
        if (value <= this.options.above) return undefined;
        this.state = 'pending';
        this.pendingSince = at;
        return this.update(at, value);
      case 'pending':
        if (value <= this.options.above) {
          this.state = 'ok';
          return undefined;
        }
        if (at - this.pendingSince < this.forMs) return undefined;
        this.state = 'firing';
        return 'fired';
      case 'firing':
        if (value > this.clearBelow) return undefined;
        this.state = 'ok';
        return 'cleared';
    }
  }
}
