import type { SymptomRuleConfig } from '../config/schema/symptom-rules.js';
import type { SeriesId, TimeSeriesStore } from '../monitor/time-series.js';

/** What one series reads for a rule: its latest value or, for `aggregate: rate`, its per-second increase. */
export function seriesReading(series: TimeSeriesStore, key: string, rule: Pick<SymptomRuleConfig, 'aggregate' | 'window'>, now: number): number | undefined {
  if (rule.aggregate === 'rate') return series.rate(key, rule.window, now);
  return series.latest(key)?.value;
}

/** One instance's ratio reading: the value (undefined: no value) and the series behind it. */
export interface RatioReading {
  instance: string | undefined;
  value: number | undefined;
  numerator: number;
  denominator: number | undefined;
}

/**
 * A `ratio` rule's readings, one per instance of the denominator: (sum of the rule's series)
 * ÷ (sum of the denominator's series), each series read by {@link seriesReading}. Summing
 * lets `http_requests_total{code="500"}` and `{code="503"}` be one numerator. No numerator
 * series at all reads 0 (an error counter often appears only with the first error); a
 * denominator that is zero, missing or not yet readable (one sample of a rate) is no value,
 * so the rule holds its state rather than reading an infinity or a false "healthy" 0.
 */
export function ratioReadings(series: TimeSeriesStore, rule: SymptomRuleConfig & { metric: string }, service: string, now: number): RatioReading[] {
  const ratio = rule.ratio!;
  const sums = (ids: SeriesId[]): Map<string, number | undefined> => {
    const byInstance = new Map<string, number | undefined>();
    for (const id of ids) {
      const instance = id.labels.instance ?? '';
      const reading = seriesReading(series, id.key, rule, now);
      const sofar = byInstance.get(instance);
      byInstance.set(instance, reading === undefined || Number.isNaN(reading) ? sofar : (sofar ?? 0) + reading);
    }
    return byInstance;
  };
  const numerators = sums(series.find(rule.metric, { ...rule.labels, service }));
  const readings: RatioReading[] = [];
  for (const [instance, denominator] of sums(series.find(ratio.metric, { ...ratio.labels, service }))) {
    const numeratorSeen = numerators.has(instance);
    const numerator = numerators.get(instance);
    const value = denominator === undefined || denominator === 0 || (numeratorSeen && numerator === undefined) ? undefined : (numerator ?? 0) / denominator;
    readings.push({ instance: instance === '' ? undefined : instance, value, numerator: numerator ?? 0, denominator });
  }
  return readings;
}
