export { parseMetricTable, elementOf, type MetricTable } from './metric-table.js';
export { deviationsByElement, type ElementDeviation, type SeriesDeviation, type MetricRankingOptions } from './metric-ranking.js';
export { parseDependencyGraph, transitiveDependencies, transitiveDependents, type DependencyGraph } from './dependency-graph.js';
export { rankRootCauses, type RootCauseCandidate, type RankOptions } from './rank-root-causes.js';
