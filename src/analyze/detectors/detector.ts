/**
 * A streaming anomaly detector: it sees one sample at a time, in time order, and returns an
 * anomaly score in [0, 1] for it. Implementations keep bounded memory, never look ahead and
 * never assume the series' range; the loop turns scores into symptoms (with hysteresis and a
 * minimum duration), so a detector only has to rank how unusual each sample is.
 *
 * @example
 * const detector = createDetector({ kind: 'ewma', alpha: 0.05 });
 * for (const [t, v] of samples) if (detector.update(t, v) > 0.99) alert(t);
 * @example
 * // A plain function can stand in for a detector:
 * const always = detectorFromFunction(() => 0);
 */
export interface Detector {
  /** Feed one sample (timestamp in ms, value) and get its anomaly score in [0, 1]. */
  update(timestamp: number, value: number): number;
}

/** Adapt a function `(timestamp, value) => score` to the `Detector` interface. */
export function detectorFromFunction(fn: (timestamp: number, value: number) => number): Detector {
  return { update: fn };
}

/** Clamp to [0, 1]; NaN (a degenerate computation) reads as "not anomalous". */
export function clampScore(score: number): number {
  if (Number.isNaN(score)) return 0;
  return score < 0 ? 0 : score > 1 ? 1 : score;
}
