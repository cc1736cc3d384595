import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { AnalysisInputError } from '../../analyze/analysis-error.js';
import { createDetector, NAMED_DETECTORS, type DetectorKind } from '../../analyze/detectors/create-detector.js';
import { parseDependencyGraph } from '../../analyze/root-cause/dependency-graph.js';
import { parseMetricTable } from '../../analyze/root-cause/metric-table.js';
import { rankRootCauses } from '../../analyze/root-cause/rank-root-causes.js';
import { parseTimestamp } from '../../analyze/timestamp.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';

export const analyzeUsage =
  'homeostat analyze detect <file.csv> [--detector NAME] | analyze rca --normal normal.csv --anomalous anomalous.csv [--graph graph.json] [--json]';

/** `homeostat analyze`: the offline entry points to detection and root-cause ranking. */
export async function analyzeCommand(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.positionals;
  if (sub === 'detect') return detect(ctx, rest);
  if (sub === 'rca') return rca(ctx);
  throw new UsageError(`expected "detect" or "rca"${sub === undefined ? '' : `, got "${sub}"`}\nusage: ${analyzeUsage}`);
}

/** Stream `timestamp,value` rows in, `timestamp,anomaly_score` rows out; one line in memory at a time. */
async function detect(ctx: CommandContext, files: string[]): Promise<number> {
  const [file] = files;
  if (file === undefined || files.length > 1) throw new UsageError(`give exactly one CSV file\nusage: ${analyzeUsage}`);
  const name = (ctx.options.detector as string | undefined) ?? 'ensemble';
  const config = NAMED_DETECTORS[name as DetectorKind];
  if (config === undefined) throw new UsageError(`unknown detector "${name}"; known: ${Object.keys(NAMED_DETECTORS).join(', ')}`);
  const detector = createDetector(config);
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (cause) => reject(new AnalysisInputError('HS_ANALYSIS_INPUT', `cannot read ${file}: ${cause.message}`, cause)));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  let previous = Number.NEGATIVE_INFINITY;
  ctx.out('timestamp,anomaly_score');
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    const stamp = comma < 0 ? line : line.slice(0, comma);
    const valueText = comma < 0 ? '' : line.slice(comma + 1).trim();
    const value = Number(valueText);
    const time = parseTimestamp(stamp);
    if (lineNumber === 1 && (Number.isNaN(time) || valueText === '' || !Number.isFinite(value))) continue; // a header
    if (comma < 0 || valueText === '' || !Number.isFinite(value) || Number.isNaN(time)) {
      lines.close();
      stream.destroy();
      throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${file}:${lineNumber}: expected "timestamp,number", got "${line.slice(0, 80)}"`);
    }
    if (time < previous) {
      lines.close();
      stream.destroy();
      throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${file}:${lineNumber}: timestamp "${stamp}" is earlier than the row before (rows must be in time order)`);
    }
    previous = time;
    ctx.out(`${stamp},${round(detector.update(time, value))}`);
  }
  return 0;
}

async function rca(ctx: CommandContext): Promise<number> {
  const normalPath = ctx.options.normal as string | undefined;
  const anomalousPath = ctx.options.anomalous as string | undefined;
  if (normalPath === undefined || anomalousPath === undefined) throw new UsageError(`--normal and --anomalous are required\nusage: ${analyzeUsage}`);
  const normal = parseMetricTable(await readText(normalPath), normalPath);
  const anomalous = parseMetricTable(await readText(anomalousPath), anomalousPath);
  const graphPath = ctx.options.graph as string | undefined;
  const graph = graphPath === undefined ? undefined : parseDependencyGraph(await readText(graphPath), graphPath);
  const ranking = rankRootCauses(normal, anomalous, graph);
  if (ctx.options.json) {
    ctx.out(JSON.stringify(ranking, null, 2));
    return 0;
  }
  if (ranking.length === 0) {
    ctx.out('no series appear in both tables: nothing to rank');
    return 0;
  }
  ranking.forEach((candidate, i) => {
    ctx.out(`${i + 1}. ${candidate.element}  score ${candidate.score.toFixed(3)}  confidence ${(candidate.confidence * 100).toFixed(0)}%`);
    for (const line of candidate.evidence) ctx.out(`     - ${line}`);
  });
  return 0;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new AnalysisInputError('HS_ANALYSIS_INPUT', `cannot read ${path}: ${(cause as Error).message}`, cause);
  }
}

function round(score: number): string {
  // Enough digits to keep the ranking of scores close to 1 (e.g. 0.99999987).
  return Number(score.toPrecision(10)).toString();
}
