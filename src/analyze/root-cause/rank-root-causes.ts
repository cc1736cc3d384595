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
}

/**
 * Rank the elements that may have caused an anomaly: metric-based (which element's metrics
 * left their normal range most, and earliest), then — when a dependency graph is given —
 * propagation: an element whose own dependency is unhealthy (and went wrong no later) is
 * probably a victim and is discounted; one whose dependents are unhealthy too gains,
 * because it explains their symptoms.
 *
 * @example rankRootCauses(normalTable, anomalousTable, new Map([['api', ['db']], ['db', []]]))
 * @example rankRootCauses(normalTable, emptyTable) // → [] (nothing to compare)
 */
export function rankRootCauses(normal: MetricTable, anomalous: MetricTable, graph?: DependencyGraph, options: RankOptions = {}): RootCauseCandidate[] {
  const unhealthyAt = options.unhealthyAt ?? 0.4;
  const deviations = deviationsByElement(normal, anomalous, options);
  const byElement = new Map(deviations.map((d) => [d.element, d]));
  const onsets = deviations.map((d) => d.onset).filter((t): t is number => t !== undefined);
  const first = onsets.length > 0 ? Math.min(...onsets) : 0;
  const last = onsets.length > 0 ? Math.max(...onsets) : 0;
  const earliness = (d: ElementDeviation): number => (d.onset === undefined ? 0 : last > first ? 1 - (d.onset - first) / (last - first) : 1);

  const candidates = deviations.map((d): RootCauseCandidate => {
    const evidence = metricEvidence(d);
    let score = d.abnormality * (0.8 + 0.2 * earliness(d));
    if (graph !== undefined && graph.has(d.element)) {
      let explainedBy: ElementDeviation | undefined;
      for (const name of transitiveDependencies(graph, d.element)) {
        const dependency = byElement.get(name);
        if (dependency === undefined || dependency.abnormality < unhealthyAt) continue;
        const noLater = dependency.onset === undefined || d.onset === undefined || dependency.onset <= d.onset;
        if (noLater && (explainedBy === undefined || dependency.abnormality > explainedBy.abnormality)) explainedBy = dependency;
      }
      const dependents = [...transitiveDependents(graph, d.element)];
      const unhealthyDependents = dependents.filter((name) => (byElement.get(name)?.abnormality ?? 0) >= unhealthyAt);
      if (explainedBy !== undefined) {
        score *= 1 - 0.7 * explainedBy.abnormality;
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

function metricEvidence(d: ElementDeviation): string[] {
  const shown = d.series.filter((s) => s.peakZ >= 3).slice(0, 3);
  if (shown.length === 0) return [`metrics stayed within their normal range (largest robust z ${d.peakZ.toFixed(1)})`];
  return shown.map(
    (s) =>
      `${s.series} left its normal range${s.onset !== undefined ? ` at t=${s.onset}` : ''}: peak ${round(s.peakValue)} vs normal ${round(s.normalMedian)} ± ${round(s.normalSpread)} (robust z ${s.peakZ.toFixed(1)})`,
  );
}

function round(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

function formatDelta(seconds: number): string {
  return seconds === 0 ? 'the same time' : seconds < 0 ? `${-seconds}s earlier` : `${seconds}s later`;
}
