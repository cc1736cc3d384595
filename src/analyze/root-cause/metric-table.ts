import { AnalysisInputError } from '../analysis-error.js';
import { parseMeasurement } from '../measurement.js';

/** A table of metrics over time: `time` (unix seconds) then one column per `<element>_<metric>` series. */
export interface MetricTable {
  /** Sample times, unix seconds. */
  times: number[];
  /** Series name → its values, aligned with `times` (NaN where a value is missing: a gap). */
  series: Map<string, number[]>;
}

/** The element a series belongs to: the part of its name before the first underscore. */
export function elementOf(seriesName: string): string {
  const cut = seriesName.indexOf('_');
  return cut < 0 ? seriesName : seriesName.slice(0, cut);
}

/**
 * Parse a metric table from CSV text. `source` names the file in errors, which carry the
 * line number: `anomalous.csv:7: column "db_cpu": "abc" is not a number`. A missing value
 * (an empty cell, `NaN`, `nan`, `Inf`, … — see {@link parseMeasurement}) is a gap, NaN: the
 * ranking skips it in the normal period and reads a run of them as an element gone silent.
 *
 * @example parseMetricTable('time,db_cpu\n0,1\n10,2\n', 'normal.csv')
 * @example parseMetricTable('when,db_cpu\n', 'x.csv') // throws HS_ANALYSIS_BAD_ROW: first column must be "time"
 */
export function parseMetricTable(text: string, source: string): MetricTable {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((cell) => cell.trim());
  if (header[0] !== 'time') {
    throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}:1: the first column must be "time", got "${header[0] ?? ''}"`);
  }
  if (header.length < 2) throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}:1: no metric columns after "time"`);
  const names = header.slice(1);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}:1: column "${duplicate}" appears twice`);
  const series = new Map<string, number[]>(names.map((name) => [name, []]));
  const times: number[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}:${n + 1}: expected ${header.length} cells, got ${cells.length}`);
    }
    const time = Number(cells[0]);
    if (cells[0]!.trim() === '' || !Number.isFinite(time)) {
      throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}:${n + 1}: time "${cells[0]}" is not a number of seconds`);
    }
    times.push(time);
    names.forEach((name, i) => {
      const cell = cells[i + 1]!.trim();
      const value = parseMeasurement(cell);
      if (value === undefined) {
        throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}:${n + 1}: column "${name}": "${cell}" is not a number (nor a missing value: empty, NaN, Inf)`);
      }
      series.get(name)!.push(value);
    });
  }
  if (times.length === 0) throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', `${source}: no data rows`);
  return { times, series };
}
