import { transitiveDependencies, transitiveDependents, type DependencyGraph } from './dependency-graph.js';
import { deviationsByElement, type ElementDeviation, type MetricRankingOptions } from './metric-ranking.js';
import type { MetricTable } from './metric-table.js';

/** A ranked root-cause candidate with the evidence behind its place. */
export interface RootCauseCandidate {
  element: string;
  /** Ranking score (higher = more likely the cause). */
  score: number;
  /** The candidate's share of the total score, 0..1. */
  confidence: number;
  /** 0..1: how clearly its own metrics left their normal range. */
  abnormality: number;
  /** When its first metric left the normal range (unix s), if one did. */
  onset: number | undefined;
  evidence: string[];
}

export interface RankOptions extends MetricRankingOptions {
  /** Abnormality at or above which an element counts as unhealthy for propagation (default 0.4). */
  unhealthyAt?: number;
  /**
   * Evidence from outside the metric tables (the loop's symptoms: a crash, a failing probe),
   * per element: its abnormality counts as at least this, with its own evidence lines, and
   * its onset (unix s, when the symptom was seen) as the element's onset if earlier.
   */
  extra?: ReadonlyMap<string, { abnormality: number; evidence: string[]; onset?: number }>;
  /**
   * Seconds a dependency may go wrong *after* its dependent and still explain it, when it
   * is at least as abnormal (default 0): symptoms are detected late — a probe needs several
   * failures — so the order of detection is not always the order of the fault.
   */
  onsetTolerance?: number;
}

/**
 * Rank the elements that may have caused an anomaly: metric-based (which element's metrics
 * left their normal range most, and earliest), then — when a dependency graph is given —
 * propagation: an element whose own dependency is unhealthy (and went wrong no later) is
 * probably a victim and is discounted; one whose dependents are unhealthy too gains,
 * because it explains their symptoms.
 *
 * Only rising evidence (a series above its range, or the element gone silent) makes an
 * element unhealthy for propagation: a dependency that merely sees less traffic because its
 * caller fails is idle, not failing, and explains nothing. And a dependency explains a
 * dependent in proportion to how their evidence compares ({@link explanation}): one barely
 * out of range does not explain a dependent far out of it.
 *
 * @example rankRootCauses(normalTable, anomalousTable, new Map([['api', ['db']], ['db', []]]))
 * @example rankRootCauses(normalTable, emptyTable) // → [] (nothing to compare)
 */
export function rankRootCauses(normal: MetricTable, anomalous: MetricTable, graph?: DependencyGraph, options: RankOptions = {}): RootCauseCandidate[] {
  const unhealthyAt = options.unhealthyAt ?? 0.4;
  const zScale = options.zScale ?? 6;
  const deviations = withExtraEvidence(deviationsByElement(normal, anomalous, options), options.extra, zScale, options.maxZ ?? 100);
  const explains = (cause: ElementDeviation | undefined, effect: ElementDeviation) => (cause === undefined ? 0 : explanation(cause, effect, zScale));
  // Onsets are known to a sample at best (and a rate lags its cause by up to one): a dependent
  // first seen out of range one sample before its dependency may still be its victim (1.5
  // samples: scrape times jitter).
  const step = 1.5 * sampleStep(anomalous.times);
  /** A cause goes wrong no later than its effect (within a sample, or `onsetTolerance` when it is at least as abnormal). */
  const noLater = (cause: ElementDeviation, effect: ElementDeviation) => {
    const slack = Math.max(step, cause.abnormality >= effect.abnormality ? (options.onsetTolerance ?? 0) : 0);
    return cause.onset === undefined || effect.onset === undefined || cause.onset <= effect.onset + slack;
  };
  const unhealthy = (d: ElementDeviation | undefined) => d !== undefined && 1 - Math.exp(-d.risingZ / zScale) >= unhealthyAt;
  const byElement = new Map(deviations.map((d) => [d.element, d]));
  const onsets = deviations.map((d) => d.onset).filter((t): t is number => t !== undefined);
  const first = onsets.length > 0 ? Math.min(...onsets) : 0;
  const last = onsets.length > 0 ? Math.max(...onsets) : 0;
  const earliness = (d: ElementDeviation): number => (d.onset === undefined ? 0 : last > first ? 1 - (d.onset - first) / (last - first) : 1);

  const candidates = deviations.map((d): RootCauseCandidate => {
    const evidence = [...(options.extra?.get(d.element)?.evidence ?? []), ...(d.series.length > 0 || !options.extra?.has(d.element) ? metricEvidence(d) : [])];
    let score = d.abnormality * (0.8 + 0.2 * earliness(d));
    if (graph !== undefined && graph.has(d.element)) {
      let explainedBy: ElementDeviation | undefined;
      let strength = 0;
      for (const name of transitiveDependencies(graph, d.element)) {
        const dependency = byElement.get(name);
        if (dependency === undefined || !unhealthy(dependency)) continue;
        const how = explains(dependency, d);
        if (noLater(dependency, d) && how >= unhealthyAt && how > strength) {
          explainedBy = dependency;
          strength = how;
        }
      }
      const dependents = [...transitiveDependents(graph, d.element)];
      const unhealthyDependents = dependents.filter((name) => {
        const dependent = byElement.get(name);
        return dependent !== undefined && unhealthy(dependent) && noLater(d, dependent) && explains(d, dependent) >= unhealthyAt;
      });
      if (explainedBy !== undefined) {
        score *= 1 - 0.7 * strength;
        evidence.push(`depends on ${explainedBy.element}, which is unhealthy too${explainedBy.onset !== undefined && d.onset !== undefined ? ` (from ${formatDelta(explainedBy.onset - d.onset)} relative to it)` : ''}: likely a victim`);
      }
      if (unhealthyDependents.length > 0) {
        score *= 1 + 0.5 * (unhealthyDependents.length / dependents.length);
        evidence.push(`explains ${unhealthyDependents.length} of its ${dependents.length} dependents' symptoms (${unhealthyDependents.join(', ')})`);
      }
    }
    return { element: d.element, score, confidence: 0, abnormality: d.abnormality, onset: d.onset, evidence };
  });
  const total = candidates.reduce((sum, c) => sum + c.score, 0);
  for (const c of candidates) c.confidence = total > 0 ? c.score / total : 0;
  return candidates.sort((a, b) => b.score - a.score || (a.onset ?? Infinity) - (b.onset ?? Infinity) || a.element.localeCompare(b.element));
}

/**
 * How well `cause`'s trouble explains `effect`'s, 0..1: the cause's rising abnormality,
 * scaled down when the effect is much further out of range than the cause (a dependency
 * whose latency is 5 MADs up does not explain a dependent whose errors are 100 up). An effect
 * with no rising evidence (only falls) is explained by any unhealthy dependency.
 */
export function explanation(cause: ElementDeviation, effect: ElementDeviation, zScale = 6): number {
  const rising = 1 - Math.exp(-cause.risingZ / zScale);
  return effect.risingZ > 0 ? rising * Math.min(1, cause.risingZ / effect.risingZ) : rising;
}

/**
 * Elements with extra evidence get at least its abnormality (as rising evidence: a symptom is
 * trouble, not idleness); elements with only that evidence join the ranking.
 */
function withExtraEvidence(deviations: ElementDeviation[], extra: RankOptions['extra'], zScale: number, maxZ: number): ElementDeviation[] {
  if (!extra) return deviations;
  const earliest = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  const asZ = (abnormality: number) => Math.min(maxZ, -zScale * Math.log(Math.max(1 - abnormality, 1e-12)));
  const merged = deviations.map((d) => {
    const more = extra.get(d.element);
    return more ? { ...d, abnormality: Math.max(d.abnormality, more.abnormality), risingZ: Math.max(d.risingZ, asZ(more.abnormality)), onset: earliest(d.onset, more.onset) } : d;
  });
  for (const [element, more] of extra) {
    if (!merged.some((d) => d.element === element)) merged.push({ element, peakZ: 0, onset: more.onset, abnormality: more.abnormality, risingZ: asZ(more.abnormality), series: [] });
  }
  return merged;
}

/** The median time between consecutive rows (0 with fewer than two). */
function sampleStep(times: readonly number[]): number {
  const steps = times
    .slice(1)
    .map((t, i) => t - times[i]!)
    .sort((a, b) => a - b);
  return steps.length === 0 ? 0 : steps[Math.floor(steps.length / 2)]!;
}

function metricEvidence(d: ElementDeviation): string[] {
  const shown = d.series.filter((s) => s.peakZ >= 3).slice(0, 3);
  if (shown.length === 0) return [`metrics stayed within their normal range (largest robust z ${d.peakZ.toFixed(1)})`];
  return shown.map((s) =>
    s.direction === 'missing'
      ? `${s.element} stopped reporting${s.onset !== undefined ? ` at t=${s.onset}` : ''}: no data in ${Math.round(s.peakValue * 100)}% of the anomalous samples (down or not answering scrapes)`
      : `${s.series} left its normal range${s.onset !== undefined ? ` at t=${s.onset}` : ''}${s.direction === 'below' ? ', below it' : ''}: peak ${round(s.peakValue)} vs normal ${round(s.normalMedian)} ± ${round(s.normalSpread)} (robust z ${s.peakZ.toFixed(1)})`,
  );
}

function round(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

function formatDelta(seconds: number): string {
  const rounded = Number(Math.abs(seconds).toFixed(1));
  return rounded === 0 ? 'the same time' : seconds < 0 ? `${rounded}s earlier` : `${rounded}s later`;
}
