import type { MetricTable } from './metric-table.js';
import { elementOf } from './metric-table.js';

/** How far one series left its normal range during the anomalous period. */
export interface SeriesDeviation {
  series: string;
  element: string;
  /** Robust z-score (vs. the normal period's median and MAD) at the peak, smoothed over 3 samples. */
  peakZ: number;
  /** Time (unix s) the series first stayed out of range (|z| ≥ threshold for 2 samples), if it did. */
  onset: number | undefined;
  normalMedian: number;
  normalSpread: number;
  /** The anomalous value at the peak. */
  peakValue: number;
  /**
   * Which way it left its range at the peak: `above`, `below`, or `missing` — the element
   * stopped reporting (see {@link deviationsByElement}); then `peakValue` is the share of
   * anomalous rows without data.
   */
  direction: 'above' | 'below' | 'missing';
}

/** One element's metric-based evidence: its most deviant series and earliest onset. */
export interface ElementDeviation {
  element: string;
  /** Largest peak z among the element's series. */
  peakZ: number;
  onset: number | undefined;
  /** 0..1: the deviation mapped through 1 − e^(−z/zScale) — how clearly abnormal (falls weighted by `decreaseWeight`). */
  abnormality: number;
  /**
   * Largest peak z among series that rose above their range or went missing: the evidence
   * that the element itself is failing or overloaded, as opposed to idle.
   */
  risingZ: number;
  series: SeriesDeviation[];
}

export interface MetricRankingOptions {
  /** |z| at or above this counts as out of range (default 3). */
  threshold?: number;
  /** z at which abnormality reaches 1 − 1/e (default 6). */
  zScale?: number;
  /** Cap on z, so one degenerate series cannot dominate (default 100). */
  maxZ?: number;
  /**
   * The normal spread is at least this share of the normal level (default 0.05): a steady
   * series (a request rate under a fixed load) has a MAD near 0, and a change of a few
   * percent in it is not an anomaly, however many MADs it is.
   */
  minRelativeSpread?: number;
  /**
   * An absolute floor on a series' normal spread, by series name (default none): the noise a
   * metric has by nature even when its normal period was flat — an idle process's CPU percent
   * reads 0 for a minute and then 1, which is not an anomaly however many MADs it is.
   */
  minSpread?: (series: string) => number;
  /**
   * A fall below the normal range weighs this much of a rise of the same z (default 0.25):
   * a failing or overloaded element shows rising errors, latency, CPU or memory, while the
   * dependencies of a failing caller only see less traffic — they fall, and are not the cause.
   */
  decreaseWeight?: number;
}

/**
 * Score every series of the anomalous period against the normal period, robustly (median
 * and MAD, so outliers in the normal period do not widen its range), and summarise per
 * element. Pure: the loop can call it with in-memory tables.
 *
 * Missing data is evidence too: an element whose series always had values in the normal
 * period and, in at least two anomalous rows in a row, mostly have none (a failed scrape: the
 * process is down or hung) gets a `missing` deviation of the largest z — a crashed service
 * has no metrics of its own to deviate with.
 */
export function deviationsByElement(normal: MetricTable, anomalous: MetricTable, options: MetricRankingOptions = {}): ElementDeviation[] {
  const threshold = options.threshold ?? 3;
  const zScale = options.zScale ?? 6;
  const maxZ = options.maxZ ?? 100;
  const minRelativeSpread = options.minRelativeSpread ?? 0.05;
  const decreaseWeight = options.decreaseWeight ?? 0.25;
  const byElement = new Map<string, SeriesDeviation[]>();
  const alwaysPresent = new Map<string, number[][]>();
  for (const [name, values] of anomalous.series) {
    const known = normal.series.get(name) ?? [];
    const reference = known.filter((v) => !Number.isNaN(v));
    if (reference.length === 0) continue; // no normal behaviour to compare against
    const floor = options.minSpread?.(name) ?? 0;
    const deviation = seriesDeviation(name, reference, values, anomalous.times, threshold, maxZ, minRelativeSpread, floor);
    const list = byElement.get(deviation.element) ?? [];
    list.push(deviation);
    byElement.set(deviation.element, list);
    if (reference.length === known.length) alwaysPresent.set(deviation.element, [...(alwaysPresent.get(deviation.element) ?? []), values]);
  }
  for (const [element, columns] of alwaysPresent) {
    const silence = missingDeviation(element, columns, anomalous.times, maxZ);
    if (silence) byElement.get(element)!.push(silence);
  }
  return [...byElement.entries()].map(([element, series]) => {
    series.sort((a, b) => b.peakZ - a.peakZ);
    const onsets = series.map((s) => s.onset).filter((t): t is number => t !== undefined);
    const peakZ = series[0]?.peakZ ?? 0;
    const risingZ = Math.max(0, ...series.filter((s) => s.direction !== 'below').map((s) => s.peakZ));
    const fallingZ = Math.max(0, ...series.filter((s) => s.direction === 'below').map((s) => s.peakZ));
    return {
      element,
      peakZ,
      onset: onsets.length > 0 ? Math.min(...onsets) : undefined,
      abnormality: 1 - Math.exp(-Math.max(risingZ, decreaseWeight * fallingZ) / zScale),
      risingZ,
      series,
    };
  });
}

/** The element stopped reporting: in ≥ 2 consecutive rows, most of its always-present series are empty. */
function missingDeviation(element: string, columns: number[][], times: number[], maxZ: number): SeriesDeviation | undefined {
  const silent = times.map((_, i) => columns.filter((values) => Number.isNaN(values[i] ?? Number.NaN)).length * 2 > columns.length);
  const start = silent.findIndex((s, i) => s && silent[i + 1] === true);
  if (start < 0) return undefined;
  const share = silent.filter(Boolean).length / silent.length;
  return { series: element, element, peakZ: maxZ, onset: times[start], normalMedian: 0, normalSpread: 0, peakValue: share, direction: 'missing' };
}

function seriesDeviation(name: string, reference: number[], values: number[], times: number[], threshold: number, maxZ: number, minRelativeSpread: number, minSpread: number): SeriesDeviation {
  const sorted = [...reference].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  let spread = 1.4826 * quantile(deviations, 0.5);
  // A constant normal period: fall back to the spread of its tails, then to a sliver of its level,
  // so that any real change is large but finite.
  if (!(spread > 0)) spread = (quantile(sorted, 0.95) - quantile(sorted, 0.05)) / 3.29;
  if (!(spread > 0)) spread = Math.max(Math.abs(median) * 0.01, 1e-9);
  spread = Math.max(spread, Math.abs(median) * minRelativeSpread, minSpread);
  const z = values.map((v) => (Number.isNaN(v) ? 0 : Math.min(Math.abs(v - median) / spread, maxZ)));
  let peakZ = 0;
  let peakIndex = 0;
  let onset: number | undefined;
  for (let i = 0; i < z.length; i++) {
    // Median of three: a single stray sample neither makes the peak nor the onset.
    const smoothed = median3(z[i - 1] ?? z[i]!, z[i]!, z[i + 1] ?? z[i]!);
    if (smoothed > peakZ) {
      peakZ = smoothed;
      peakIndex = i;
    }
    if (onset === undefined && z[i]! >= threshold && (z[i + 1] ?? z[i]!) >= threshold) onset = times[i];
  }
  const peakValue = values[peakIndex] ?? Number.NaN;
  return { series: name, element: elementOf(name), peakZ, onset, normalMedian: median, normalSpread: spread, peakValue, direction: peakValue < median ? 'below' : 'above' };
}

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}
