import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { AnalysisInputError } from '../../analyze/analysis-error.js';
import { createDetector, DEFAULT_DETECTOR_NAME, NAMED_DETECTORS, type DetectorKind } from '../../analyze/detectors/create-detector.js';
import { parseMeasurement } from '../../analyze/measurement.js';
import { parseDependencyGraph } from '../../analyze/root-cause/dependency-graph.js';
import { parseMetricTable } from '../../analyze/root-cause/metric-table.js';
import { rankRootCauses } from '../../analyze/root-cause/rank-root-causes.js';
import { parseTimestamp } from '../../analyze/timestamp.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';

export const analyzeUsage =
  'homeostat analyze detect <file.csv> [--detector NAME] [--strict] | analyze rca --normal normal.csv --anomalous anomalous.csv [--graph graph.json] [--json]';

/** What `homeostat analyze --help` adds to the usage line: the default detector and why, and what happens to untidy rows. */
export const analyzeHelp = `detect: score each row of a "timestamp,value" CSV, in file order; prints "timestamp,anomaly_score".
  --detector NAME  default ${DEFAULT_DETECTOR_NAME}: the best detector measured on real data (the NAB
                   corpus: 79.66 standard / 72.77 low-FP / 83.84 low-FN; 78.27 / 71.46 / 82.39 with the
                   threshold held out; the previous default, ensemble, scored 45.93 / 35.99 / 50.93 —
                   see BENCHMARKS.md). Its best alert threshold there was 0.378.
                   Known: ${Object.keys(NAMED_DETECTORS).join(', ')}.
  A row earlier than the one before it, or repeating its timestamp, is scored as the next sample
  (file order); a missing value (empty, NaN, nan, Inf, -Inf, NA, null) is printed with an empty
  score and not fed to the detector. How many of each goes to stderr, once.
  --strict         make a row out of time order or a missing value an error (HS_ANALYSIS_BAD_ROW).
rca: rank the elements of a metric table ("time" in unix seconds, then <element>_<metric>
  columns) by how likely each is the root cause; missing values are gaps.`;

/** `homeostat analyze`: the offline entry points to detection and root-cause ranking. */
export async function analyzeCommand(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.positionals;
  if (sub === 'detect') return detect(ctx, rest);
  if (sub === 'rca') return rca(ctx);
  throw new UsageError(`expected "detect" or "rca"${sub === undefined ? '' : `, got "${sub}"`}\nusage: ${analyzeUsage}`);
}

/** Rows of a series that were not in time order or had no value: counted, then said once. */
interface UntidyRows {
  reordered: number;
  repeated: number;
  missing: number;
}

/**
 * Stream `timestamp,value` rows in, `timestamp,anomaly_score` rows out; one line in memory at
 * a time. Real exports repeat timestamps and go back (clock steps, DST, merged files): such a
 * row is fed to the detector as the next sample, at the latest time seen so far, so every row
 * gets its score and the detector's clock never runs backwards. A missing value has no
 * anomaly score: its row is printed with an empty one, and the detector never sees it (a NaN
 * would poison its running statistics). `--strict` keeps the old contract: either is an error.
 */
async function detect(ctx: CommandContext, files: string[]): Promise<number> {
  const [file] = files;
  if (file === undefined || files.length > 1) throw new UsageError(`give exactly one CSV file\nusage: ${analyzeUsage}`);
  const name = (ctx.options.detector as string | undefined) ?? DEFAULT_DETECTOR_NAME;
  const config = NAMED_DETECTORS[name as DetectorKind];
  if (config === undefined) throw new UsageError(`unknown detector "${name}"; known: ${Object.keys(NAMED_DETECTORS).join(', ')}`);
  const strict = ctx.options.strict === true;
  const detector = createDetector(config);
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (cause) => reject(new AnalysisInputError('HS_ANALYSIS_INPUT', `cannot read ${file}: ${cause.message}`, cause)));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const badRow = (message: string): AnalysisInputError => {
    lines.close();
    stream.destroy();
    return new AnalysisInputError('HS_ANALYSIS_BAD_ROW', message);
  };
  let lineNumber = 0;
  let latest = Number.NEGATIVE_INFINITY;
  const untidy: UntidyRows = { reordered: 0, repeated: 0, missing: 0 };
  ctx.out('timestamp,anomaly_score');
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    const stamp = comma < 0 ? line : line.slice(0, comma);
    const valueText = comma < 0 ? '' : line.slice(comma + 1);
    const value = parseMeasurement(valueText);
    const time = parseTimestamp(stamp);
    if (lineNumber === 1 && (Number.isNaN(time) || value === undefined)) continue; // a header
    if (comma < 0 || value === undefined || Number.isNaN(time)) {
      throw badRow(`${file}:${lineNumber}: expected "timestamp,number", got "${line.slice(0, 80)}"`);
    }
    if (time < latest) {
      if (strict) throw badRow(`${file}:${lineNumber}: timestamp "${stamp}" is earlier than the row before (--strict: rows must be in time order)`);
      untidy.reordered++;
    } else if (time === latest) {
      untidy.repeated++;
    }
    latest = Math.max(latest, time);
    if (Number.isNaN(value)) {
      if (strict) throw badRow(`${file}:${lineNumber}: the value "${valueText.trim()}" is missing (--strict: every row needs a number)`);
      untidy.missing++;
      ctx.out(`${stamp},`);
      continue;
    }
    ctx.out(`${stamp},${round(detector.update(latest, value))}`);
  }
  const note = describeUntidyRows(untidy);
  if (note) ctx.err(`homeostat analyze: ${file}: ${note}`);
  return 0;
}

function describeUntidyRows({ reordered, repeated, missing }: UntidyRows): string | undefined {
  const rows = (n: number) => (n === 1 ? '1 row' : `${n} rows`);
  const parts: string[] = [];
  if (reordered > 0) parts.push(`${rows(reordered)} earlier than a row before ${reordered === 1 ? 'it was' : 'them were'} scored as the next sample (file order)`);
  if (repeated > 0) parts.push(`${rows(repeated)} repeating the timestamp before ${repeated === 1 ? 'it was' : 'them were'} scored as the next sample`);
  if (missing > 0) parts.push(`${rows(missing)} without a value (empty, NaN, Inf) ${missing === 1 ? 'has' : 'have'} an empty score`);
  return parts.length === 0 ? undefined : `${parts.join('; ')}. --strict makes rows out of order and missing values errors.`;
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
