import type { DependencyGraph } from './root-cause/dependency-graph.js';
import type { MetricTable } from './root-cause/metric-table.js';
import { rankRootCauses } from './root-cause/rank-root-causes.js';
import { describeSymptom, type Diagnosis, type DiagnosisCandidate, type FaultClassification, type Symptom } from './symptom.js';

/** A config version applied before the incident: a candidate cause for the services it changed. */
export interface ConfigChangeEvidence {
  version: number;
  previous: number;
  /** When it was applied (ms). */
  at: number;
  /** The services whose spec it changed (restarted, added or removed). */
  services: string[];
  source: string;
}

export interface IncidentDiagnosisInput {
  /** Every symptom of the incident so far (any order). */
  symptoms: Symptom[];
  /** The elements considered: the incident's `dependsOn` component (at least its symptoms' elements). */
  scope: string[];
  /** Service → the services it depends on. */
  graph: DependencyGraph;
  /**
   * Metric history, series named `<alias>_<series>` with the alias from {@link elementAlias}
   * (service names may contain underscores; the ranking cuts at the first one).
   */
  metrics?: { normal: MetricTable; anomalous: MetricTable };
  configChanges?: ConfigChangeEvidence[];
  /** A config change this long before the onset (ms) is a candidate (default 10 min). */
  configWindowMs?: number;
  classification?: { classification: FaultClassification; reason: string };
  /** A floor on each series' normal spread, by series name (see `MetricRankingOptions.minSpread`). */
  minSpread?: (series: string) => number;
}

/** Symptoms that are an element's own failure (it stopped, hung or ran out of memory), not an effect it passes on. */
const FAIL_STOP = new Set(['process-crashed', 'liveness-failing', 'crash-looping', 'spawn-failed', 'resource-breach']);

/** How strongly a symptom says its own element is the cause: its own failing probe or crash most. */
export function symptomStrength(symptom: Symptom): number {
  if (FAIL_STOP.has(symptom.name)) return 1;
  if (symptom.name === 'readiness-failing') return 0.8;
  return 0.7;
}

/** The alias of `service` in the metric tables given to {@link diagnoseIncident}: `e<index in scope>`. */
export function elementAlias(scope: readonly string[], service: string): string {
  return `e${scope.indexOf(service)}`;
}

/**
 * The loop's diagnosis of one incident: every element of its scope ranked with
 * {@link rankRootCauses} — its metrics against their normal period, its own symptoms as
 * evidence (a crash or failing probe counts most), propagation over `dependsOn` (an
 * unhealthy dependency explains its dependents) — then config versions applied shortly
 * before the onset as candidates of their own, ahead of the element they changed.
 *
 * @example diagnoseIncident({ symptoms: [apiErrors, dependencyDown], scope: ['api', 'dependency'], graph: new Map([['api', ['dependency']]]) }).candidates[0].element // 'dependency'
 * @example diagnoseIncident({ symptoms: [], scope: [], graph: new Map() }).cause // 'unknown'
 */
export function diagnoseIncident(input: IncidentDiagnosisInput): Diagnosis & { candidates: DiagnosisCandidate[] } {
  const scope = [...new Set([...input.scope, ...input.symptoms.map((s) => s.element)])];
  if (input.symptoms.length === 0) return { cause: 'unknown', confidence: 0, evidence: ['no symptoms'], candidates: [] };
  const alias = (service: string) => elementAlias(scope, service);
  const byAlias = new Map(scope.map((service) => [alias(service), service]));
  const aliasedGraph = new Map<string, string[]>();
  for (const service of scope) aliasedGraph.set(alias(service), (input.graph.get(service) ?? []).filter((d) => scope.includes(d)).map(alias));

  const own = new Map<string, Symptom[]>();
  for (const symptom of [...input.symptoms].sort((a, b) => a.at - b.at)) own.set(symptom.element, [...(own.get(symptom.element) ?? []), symptom]);
  const extra = new Map<string, { abnormality: number; evidence: string[]; onset: number }>();
  for (const [element, symptoms] of own) {
    // One line per symptom name and replica: a rule that fired three times is one piece of evidence.
    const grouped = new Map<string, Symptom[]>();
    for (const symptom of symptoms) {
      const key = `${symptom.name}|${symptom.instance ?? ''}`;
      grouped.set(key, [...(grouped.get(key) ?? []), symptom]);
    }
    const evidence = [...grouped.values()].slice(0, 3).map((same) => `its own symptom${same.length > 1 ? ` (${same.length}×)` : ''}: ${describeSymptom(same[0]!)}`);
    extra.set(alias(element), { abnormality: Math.max(...symptoms.map(symptomStrength)), evidence, onset: symptoms[0]!.at / 1_000 });
  }
  const empty: MetricTable = { times: [], series: new Map() };
  const ranked = rankRootCauses(input.metrics?.normal ?? empty, input.metrics?.anomalous ?? empty, aliasedGraph, { extra, onsetTolerance: 10, ...(input.minSpread ? { minSpread: input.minSpread } : {}) });
  const candidates: DiagnosisCandidate[] = ranked
    .filter((c) => c.score > 0 && byAlias.has(c.element))
    .map((c) => {
      const element = byAlias.get(c.element)!;
      return { element, kind: 'element' as const, score: c.score, confidence: 0, evidence: c.evidence.map((line) => unalias(line, byAlias)) };
    });

  const onset = Math.min(...input.symptoms.map((s) => s.at));
  const windowMs = input.configWindowMs ?? 600_000;
  for (const change of input.configChanges ?? []) {
    const ago = onset - change.at;
    if (ago < 0 || ago > windowMs) continue;
    for (const service of change.services) {
      const changed = candidates.find((c) => c.kind === 'element' && c.element === service);
      if (!changed) continue; // a healthy service's config change explains nothing
      candidates.push({
        element: service,
        kind: 'config',
        version: change.version,
        score: changed.score * (1.1 + 0.3 * (1 - ago / windowMs)),
        confidence: 0,
        evidence: [
          `config version ${change.version} changed ${service} ${(ago / 1_000).toFixed(1)} s before the first symptom (from v${change.previous}; ${change.source})`,
          `${service}'s trouble began after it: ${changed.evidence[0] ?? 'its metrics left their normal range'}`,
        ],
      });
    }
  }
  const total = candidates.reduce((sum, c) => sum + c.score, 0);
  for (const c of candidates) c.confidence = total > 0 ? c.score / total : 0;
  candidates.sort((a, b) => b.score - a.score || (a.kind === 'config' ? -1 : 1));
  const top = candidates[0];
  if (!top) return { cause: 'unknown', confidence: 0, evidence: ['no element stood out'], candidates };
  const topSymptoms = own.get(top.element) ?? [];
  const cause = top.kind === 'config' ? 'config-change' : (topSymptoms.find((s) => FAIL_STOP.has(s.name)) ?? topSymptoms[0])?.name ?? 'metric-anomaly';
  const label = top.kind === 'config' ? `config version ${top.version} of ${top.element}` : top.element;
  return {
    cause,
    confidence: top.confidence,
    evidence: [`root cause: ${label}`, ...top.evidence, ...(input.classification ? [`${input.classification.classification}: ${input.classification.reason}`] : [])],
    candidates,
    ...(input.classification ? { classification: input.classification.classification } : {}),
  };
}

/** Evidence lines name elements by alias (`e2_api_errors_total`): give them their names back. */
function unalias(line: string, byAlias: ReadonlyMap<string, string>): string {
  return line.replace(/\be(\d+)(_|\b)/g, (whole: string, _index: string, sep: string) => {
    const name = byAlias.get(whole.slice(0, whole.length - sep.length));
    return name === undefined ? whole : `${name}${sep === '_' ? ':' : sep}`;
  });
}
