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
}

/** One element's metric-based evidence: its most deviant series and earliest onset. */
export interface ElementDeviation {
  element: string;
  /** Largest peak z among the element's series. */
  peakZ: number;
  onset: number | undefined;
  /** 0..1: the deviation mapped through 1 − e^(−z/zScale) — how clearly abnormal. */
  abnormality: number;
  series: SeriesDeviation[];
}

export interface MetricRankingOptions {
  /** |z| at or above this counts as out of range (default 3). */
  threshold?: number;
  /** z at which abnormality reaches 1 − 1/e (default 6). */
  zScale?: number;
  /** Cap on z, so one degenerate series cannot dominate (default 100). */
  maxZ?: number;
}

/**
 * Score every series of the anomalous period against the normal period, robustly (median
 * and MAD, so outliers in the normal period do not widen its range), and summarise per
 * element. Pure: the loop can call it with in-memory tables.
 */
export function deviationsByElement(normal: MetricTable, anomalous: MetricTable, options: MetricRankingOptions = {}): ElementDeviation[] {
  const threshold = options.threshold ?? 3;
  const zScale = options.zScale ?? 6;
  const maxZ = options.maxZ ?? 100;
  const byElement = new Map<string, SeriesDeviation[]>();
  for (const [name, values] of anomalous.series) {
    const reference = (normal.series.get(name) ?? []).filter((v) => !Number.isNaN(v));
    if (reference.length === 0) continue; // no normal behaviour to compare against
    const deviation = seriesDeviation(name, reference, values, anomalous.times, threshold, maxZ);
    const list = byElement.get(deviation.element) ?? [];
    list.push(deviation);
    byElement.set(deviation.element, list);
  }
  return [...byElement.entries()].map(([element, series]) => {
    series.sort((a, b) => b.peakZ - a.peakZ);
    const onsets = series.map((s) => s.onset).filter((t): t is number => t !== undefined);
    const peakZ = series[0]?.peakZ ?? 0;
    return {
      element,
      peakZ,
      onset: onsets.length > 0 ? Math.min(...onsets) : undefined,
      abnormality: 1 - Math.exp(-peakZ / zScale),
      series,
    };
  });
}

function seriesDeviation(name: string, reference: number[], values: number[], times: number[], threshold: number, maxZ: number): SeriesDeviation {
  const sorted = [...reference].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  let spread = 1.4826 * quantile(deviations, 0.5);
  // A constant normal period: fall back to the spread of its tails, then to a sliver of its level,
  // so that any real change is large but finite.
  if (!(spread > 0)) spread = (quantile(sorted, 0.95) - quantile(sorted, 0.05)) / 3.29;
  if (!(spread > 0)) spread = Math.max(Math.abs(median) * 0.01, 1e-9);
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
  return { series: name, element: elementOf(name), peakZ, onset, normalMedian: median, normalSpread: spread, peakValue: values[peakIndex] ?? Number.NaN };
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
