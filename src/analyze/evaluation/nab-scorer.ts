/**
 * A scorer for the Numenta Anomaly Benchmark (NAB), written from its published rules:
 * probation, anomaly windows, the scaled sigmoid, weighted false positives, one threshold
 * per corpus and profile chosen to maximise the total, and normalisation between the null
 * detector (never fires) and a perfect one (fires at the start of every window).
 *
 * Semantics that matter for reproducing NAB's numbers, and are easy to get wrong:
 * - rows in the probation period are dropped entirely: they neither earn nor cost anything,
 *   and a window lying wholly inside probation is not counted at all;
 * - inside a window only the highest sweep score (the earliest detection) counts;
 * - the threshold sweep visits every distinct score from the highest down, a row counting as
 *   a detection when its score is at or above the threshold; among equal totals the highest
 *   threshold wins.
 */

/** NAB's cost matrix: the weights of a true positive, a false positive and a missed window. */
export interface CostProfile {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** NAB's three profiles (config/profiles.json). */
export const NAB_PROFILES: Readonly<Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', CostProfile>> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
};

/** One scored series: row timestamps (ms), the detector's score per row, and its labelled windows. */
export interface ScoredSeries {
  name: string;
  timestamps: readonly number[];
  scores: readonly number[];
  /** Inclusive [start, end] timestamps (ms) of the anomaly windows, in time order. */
  windows: readonly (readonly [number, number])[];
}

/** A row that takes part in scoring: its detector score, what detecting it is worth, and its window. */
export interface SweepPoint {
  score: number;
  /** The weighted reward (inside a window) or cost (outside) of a detection at this row. */
  value: number;
  /** Index of the window this row is in (unique across the corpus), or -1 outside windows. */
  window: number;
}

export const PROBATION_FRACTION = 0.15;

/** The number of leading rows NAB leaves unscored: min(floor(0.15 n), 0.15 × 5000). */
export function probationLength(rows: number, fraction = PROBATION_FRACTION): number {
  return Math.min(Math.floor(fraction * rows), fraction * 5000);
}

/** NAB's scaled sigmoid: 2σ(−5y) − 1, and −1 from y = 3 on (far behind a window). */
export function scaledSigmoid(position: number): number {
  if (position >= 3) return -1;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/** Resolve each window to the first and last row indices whose timestamps fall inside it. */
export function windowRowRanges(timestamps: readonly number[], windows: ScoredSeries['windows']): [number, number][] {
  const ranges: [number, number][] = [];
  let i = 0;
  for (const [start, end] of windows) {
    while (i < timestamps.length && timestamps[i]! < start) i++;
    const first = i;
    while (i < timestamps.length && timestamps[i]! <= end) i++;
    if (i > first) ranges.push([first, i - 1]);
  }
  return ranges;
}

/**
 * The scorable rows of one series with the value of detecting each. `windowBase` numbers the
 * windows so they stay distinct across a corpus; the result says how many windows it used
 * and how many of them are scorable (not wholly in probation).
 */
export function sweepPoints(
  series: ScoredSeries,
  profile: CostProfile,
  windowBase = 0,
): { points: SweepPoint[]; windowsUsed: number; scorableWindows: number } {
  const { timestamps, scores } = series;
  if (timestamps.length !== scores.length) {
    throw new RangeError(`${series.name}: ${timestamps.length} timestamps but ${scores.length} scores`);
  }
  const ranges = windowRowRanges(timestamps, series.windows);
  const probation = probationLength(timestamps.length);
  const points: SweepPoint[] = [];
  const scorable = new Set<number>();
  let next = 0;
  let current: [number, number] | undefined;
  let previous: [number, number] | undefined;
  for (let i = 0; i < timestamps.length; i++) {
    const upcoming = ranges[next];
    if (current === undefined && upcoming !== undefined && i === upcoming[0]) {
      current = upcoming;
      next++;
    }
    let value: number;
    let window = -1;
    if (current !== undefined) {
      const width = current[1] - current[0] + 1;
      value = (scaledSigmoid(-(current[1] - i + 1) / width) * profile.tpWeight) / MAX_TP;
      window = windowBase + next - 1;
    } else {
      const position = previous === undefined ? 3 : Math.abs(previous[1] - i) / (previous[1] - previous[0]);
      value = scaledSigmoid(position) * profile.fpWeight;
    }
    if (i >= probation) {
      points.push({ score: scores[i]!, value, window });
      if (window >= 0) scorable.add(window);
    }
    if (current !== undefined && i === current[1]) {
      previous = current;
      current = undefined;
    }
  }
  return { points, windowsUsed: ranges.length, scorableWindows: scorable.size };
}

/** The total score at one threshold. */
export interface ThresholdScore {
  threshold: number;
  score: number;
  truePositives: number;
  falsePositives: number;
}

/**
 * Sweep every distinct score from the highest down; return the total at each threshold,
 * starting with "nothing detected" (threshold +∞, every window missed).
 */
export function sweepThresholds(points: readonly SweepPoint[], windowCount: number, profile: CostProfile): ThresholdScore[] {
  const sorted = [...points].sort((a, b) => b.score - a.score);
  const best = new Map<number, number>();
  let falsePositiveTotal = 0;
  let windowTotal = -profile.fnWeight * windowCount;
  let truePositives = 0;
  let falsePositives = 0;
  const results: ThresholdScore[] = [{ threshold: Number.POSITIVE_INFINITY, score: windowTotal, truePositives: 0, falsePositives: 0 }];
  for (let k = 0; k < sorted.length; k++) {
    const point = sorted[k]!;
    if (point.window < 0) {
      falsePositiveTotal += point.value;
      falsePositives++;
    } else {
      truePositives++;
      const before = best.get(point.window);
      if (before === undefined) {
        windowTotal += profile.fnWeight + point.value;
        best.set(point.window, point.value);
      } else if (point.value > before) {
        windowTotal += point.value - before;
        best.set(point.window, point.value);
      }
    }
    const following = sorted[k + 1];
    if (following === undefined || following.score !== point.score) {
      results.push({ threshold: point.score, score: windowTotal + falsePositiveTotal, truePositives, falsePositives });
    }
  }
  return results;
}

/** The result of scoring a detector's output on a corpus under one profile. */
export interface CorpusScore {
  threshold: number;
  raw: number;
  nullScore: number;
  perfectScore: number;
  normalised: number;
  windows: number;
  truePositives: number;
  falsePositives: number;
}

/** Score a corpus under one profile: best threshold, raw total and normalised score (0 = null, 100 = perfect). */
export function scoreCorpus(corpus: readonly ScoredSeries[], profile: CostProfile): CorpusScore {
  const points: SweepPoint[] = [];
  let windowBase = 0;
  let windows = 0;
  for (const series of corpus) {
    const swept = sweepPoints(series, profile, windowBase);
    windowBase += swept.windowsUsed;
    windows += swept.scorableWindows;
    for (const point of swept.points) points.push(point);
  }
  let best: ThresholdScore | undefined;
  for (const candidate of sweepThresholds(points, windows, profile)) {
    if (best === undefined || candidate.score > best.score) best = candidate;
  }
  const chosen = best!;
  const nullScore = -profile.fnWeight * windows;
  const perfectScore = profile.tpWeight * windows;
  return {
    threshold: chosen.threshold,
    raw: chosen.score,
    nullScore,
    perfectScore,
    normalised: windows === 0 ? 0 : (100 * (chosen.score - nullScore)) / (perfectScore - nullScore),
    windows,
    truePositives: chosen.truePositives,
    falsePositives: chosen.falsePositives,
  };
}

/**
 * Score a corpus under one profile at a given threshold (rows scoring at or above it are
 * detections), instead of the best one. A held-out check needs this: the threshold is chosen
 * on one part of a corpus and then applied, unchanged, to the other.
 */
export function scoreCorpusAt(corpus: readonly ScoredSeries[], profile: CostProfile, threshold: number): CorpusScore {
  let windowBase = 0;
  let windows = 0;
  let total = 0;
  let truePositives = 0;
  let falsePositives = 0;
  const best = new Map<number, number>();
  for (const series of corpus) {
    const swept = sweepPoints(series, profile, windowBase);
    windowBase += swept.windowsUsed;
    windows += swept.scorableWindows;
    for (const point of swept.points) {
      if (!(point.score >= threshold)) continue;
      if (point.window < 0) {
        total += point.value;
        falsePositives++;
      } else {
        truePositives++;
        const before = best.get(point.window);
        if (before === undefined || point.value > before) best.set(point.window, point.value);
      }
    }
  }
  for (const value of best.values()) total += value;
  total -= profile.fnWeight * (windows - best.size);
  const nullScore = -profile.fnWeight * windows;
  const perfectScore = profile.tpWeight * windows;
  return {
    threshold,
    raw: total,
    nullScore,
    perfectScore,
    normalised: windows === 0 ? 0 : (100 * (total - nullScore)) / (perfectScore - nullScore),
    windows,
    truePositives,
    falsePositives,
  };
}
