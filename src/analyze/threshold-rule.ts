/** Options of {@link ThresholdRule}: one of `above` (with `clearBelow`) or `below` (with `clearAbove`). */
export type ThresholdRuleOptions =
  | {
      above: number;
      /** Hysteresis: once firing, it clears only at or below this (default `above`). */
      clearBelow?: number;
      below?: undefined;
      clearAbove?: undefined;
      /** The value must stay past the threshold this long before the rule fires (default 0). */
      forMs?: number;
    }
  | {
      below: number;
      /** Hysteresis: once firing, it clears only at or above this (default `below`). */
      clearAbove?: number;
      above?: undefined;
      clearBelow?: undefined;
      forMs?: number;
    };

export type ThresholdState = 'ok' | 'pending' | 'firing';

/**
 * Threshold detection with hysteresis and a minimum duration — the simple detector that
 * closes the loop (issue 6 adds statistical ones). Feed it readings in time order;
 * `update` returns `fired` once when it starts firing and `cleared` once when it stops.
 * A `below` rule is an `above` rule on the negated value, so both share one state machine.
 * A missing or NaN reading (no value: a zero denominator, one sample of a rate) changes nothing.
 *
 * @example
 * const rule = new ThresholdRule({ above: 0.5, clearBelow: 0.2, forMs: 2_000 });
 * rule.update(0, 0.9); rule.update(2_000, 0.9) // 'fired'
 * @example
 * rule.update(3_000, 0.4) // undefined: still firing until ≤ 0.2
 * @example
 * new ThresholdRule({ below: 1, clearAbove: 3 }).update(0, 0) // 'fired'
 */
export class ThresholdRule {
  state: ThresholdState = 'ok';
  private pendingSince = 0;
  /** +1 for `above`, −1 for `below`: the comparisons run on `sign × value`. */
  private readonly sign: 1 | -1;
  private readonly raiseOver: number;
  private readonly clearAtOrUnder: number;
  private readonly forMs: number;

  constructor(options: ThresholdRuleOptions) {
    if (options.below !== undefined) {
      this.sign = -1;
      this.raiseOver = -options.below;
      this.clearAtOrUnder = -(options.clearAbove ?? options.below);
    } else {
      this.sign = 1;
      this.raiseOver = options.above;
      this.clearAtOrUnder = options.clearBelow ?? options.above;
    }
    this.forMs = options.forMs ?? 0;
  }

  update(at: number, reading: number | undefined): 'fired' | 'cleared' | undefined {
    if (reading === undefined || Number.isNaN(reading)) return undefined;
    const value = this.sign * reading;
    switch (this.state) {
      case 'ok':
        if (value <= this.raiseOver) return undefined;
        this.state = 'pending';
        this.pendingSince = at;
        return this.update(at, reading);
      case 'pending':
        if (value <= this.raiseOver) {
          this.state = 'ok';
          return undefined;
        }
        if (at - this.pendingSince < this.forMs) return undefined;
        this.state = 'firing';
        return 'fired';
      case 'firing':
        if (value > this.clearAtOrUnder) return undefined;
        this.state = 'ok';
        return 'cleared';
    }
  }
}
