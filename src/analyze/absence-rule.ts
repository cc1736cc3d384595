import type { ThresholdState } from './threshold-rule.js';

/**
 * "No samples for a duration": fires once `absentMs` passed with no sample of the series it
 * watches, clears on the first sample after that. Time without samples counts from the
 * latest sample seen, or — for series that never existed (or were pruned before this rule
 * started, e.g. after homeostat restarted) — from when the rule started watching, so a
 * series that was never there fires `absentMs` after start and a restart never fires early.
 * There is no pending state: an absence shorter than `absentMs` is a normal gap between scrapes.
 *
 * @example
 * const rule = new AbsenceRule(60_000, startedAt);
 * rule.update(now, latestSampleAt) // 'fired' after a minute without samples, 'cleared' at the next one
 */
export class AbsenceRule {
  state: ThresholdState = 'ok';
  /** The latest sample seen, or the start when there was none. */
  lastSeenAt: number;

  constructor(
    readonly absentMs: number,
    startedAt: number,
  ) {
    this.lastSeenAt = startedAt;
  }

  /** `latestSampleAt`: the newest sample of any watched series now (undefined: none held). */
  update(now: number, latestSampleAt: number | undefined): 'fired' | 'cleared' | undefined {
    const fresh = latestSampleAt !== undefined && latestSampleAt > this.lastSeenAt;
    if (fresh) this.lastSeenAt = latestSampleAt;
    if (this.state === 'firing') {
      if (!fresh) return undefined;
      this.state = 'ok';
      return 'cleared';
    }
    if (now - this.lastSeenAt < this.absentMs) return undefined;
    this.state = 'firing';
    return 'fired';
  }
}
