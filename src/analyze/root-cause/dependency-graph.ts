import { AnalysisInputError } from '../analysis-error.js';

/** Element → the elements it depends on (as `dependsOn` in homeostat.yaml). */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/**
 * Read a dependency graph from JSON: either `{ "api": ["db", "cache"], … }` (each element's
 * dependencies) or `{ "edges": [["api", "db"], …] }` (the first depends on the second).
 *
 * @example parseDependencyGraph('{"api":["db"]}', 'graph.json').get('api') // → ['db']
 * @example parseDependencyGraph('[1]', 'graph.json') // throws HS_ANALYSIS_BAD_ROW
 */
export function parseDependencyGraph(text: string, source: string): DependencyGraph {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}: not valid JSON: ${(cause as Error).message}`, cause);
  }
  const graph = new Map<string, string[]>();
  const add = (from: unknown, to: unknown, where: string): void => {
    if (typeof from !== 'string' || typeof to !== 'string') {
      throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}: ${where}: element names must be strings`);
    }
    const list = graph.get(from) ?? [];
    if (!list.includes(to)) list.push(to);
    graph.set(from, list);
    if (!graph.has(to)) graph.set(to, []);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}: expected an object of element → dependencies, or { "edges": [[from, to], …] }`);
  }
  const record = raw as Record<string, unknown>;
  if (Array.isArray(record.edges)) {
    record.edges.forEach((edge, i) => {
      if (!Array.isArray(edge) || edge.length !== 2) throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}: edges[${i}] must be [from, to]`);
      add(edge[0], edge[1], `edges[${i}]`);
    });
    return graph;
  }
  for (const [element, dependencies] of Object.entries(record)) {
    if (!Array.isArray(dependencies)) throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}: "${element}" must list its dependencies as an array`);
    if (!graph.has(element)) graph.set(element, []);
    dependencies.forEach((dependency, i) => add(element, dependency, `${element}[${i}]`));
  }
  return graph;
}

/** Everything `element` depends on, directly or through others (cycles are tolerated). */
export function transitiveDependencies(graph: DependencyGraph, element: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.get(element) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === element || seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.get(next) ?? []));
  }
  return seen;
}

/** Everything that depends on `element`, directly or through others. */
export function transitiveDependents(graph: DependencyGraph, element: string): Set<string> {
  const reverse = new Map<string, string[]>();
  for (const [from, targets] of graph) for (const to of targets) reverse.set(to, [...(reverse.get(to) ?? []), from]);
  return transitiveDependencies(reverse, element);
}
