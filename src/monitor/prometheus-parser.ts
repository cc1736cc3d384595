import { HomeostatError } from '../errors/homeostat-error.js';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One sample line: `name{labels} value [timestamp]`. */
export interface MetricSample {
  /** The sample's own name (`http_request_duration_seconds_bucket`). */
  name: string;
  labels: Record<string, string>;
  /** May be NaN, +Inf or -Inf. */
  value: number;
  /** Milliseconds since the epoch, when the exposition gave one. */
  timestamp?: number;
}

/** A metric family: the samples of one `# TYPE`, histogram buckets and summary quantiles included. */
export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: MetricSample[];
}

/** The exposition could not be parsed; `line` is 1-based. */
export class MetricsParseError extends HomeostatError {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super('HS_METRICS_PARSE', `metrics line ${line}: ${detail}`, { retryable: false });
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * Parse the Prometheus text exposition format (0.0.4): `# HELP` and `# TYPE` lines,
 * samples with escaped label values, optional timestamps, `NaN` and `±Inf`. Histogram
 * (`_bucket`, `_sum`, `_count`) and summary (`_sum`, `_count`, quantiles) samples are
 * grouped under their family; samples without a `# TYPE` are `untyped` families of
 * their own. Written here rather than taken as a dependency: it is small, and the
 * loop scrapes on its hot path.
 *
 * @example
 * parsePrometheusText('# TYPE up gauge\nup{job="api"} 1\n')
 * // [{ name: 'up', type: 'gauge', help: '', samples: [{ name: 'up', labels: { job: 'api' }, value: 1 }] }]
 * @example
 * parsePrometheusText('up{job="api} 1') // throws HS_METRICS_PARSE: "metrics line 1: unterminated label value"
 */
export function parsePrometheusText(text: string): MetricFamily[] {
  const parser = new PrometheusTextParser();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) parser.line(lines[index]!, index + 1);
  return parser.families();
}

/** An exposition has more samples than its scrape target may send (`monitor.scrape[].maxSeries`). */
export class TooManySamplesError extends HomeostatError {
  constructor(readonly limit: number) {
    super('HS_METRICS_LIMIT', `the exposition has more than ${limit} samples (monitor.scrape[].maxSeries); nothing of it was stored`, { retryable: false });
  }
}

/**
 * {@link parsePrometheusText} for text from outside: gives the event loop back every
 * `sliceLines` lines (a large exposition would otherwise hold every timer, probe and
 * request for as long as it parses), and stops with {@link TooManySamplesError} at the
 * first sample past `maxSamples` instead of building families it will refuse.
 *
 * @example
 * await parsePrometheusTextInSlices(text, { maxSamples: 2_000 }) // the same families as parsePrometheusText(text)
 */
export async function parsePrometheusTextInSlices(text: string, options: { maxSamples: number; sliceLines?: number }): Promise<MetricFamily[]> {
  const parser = new PrometheusTextParser();
  const slice = options.sliceLines ?? 500;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    parser.line(text.slice(start, end), lineNo);
    if (parser.samples > options.maxSamples) throw new TooManySamplesError(options.maxSamples);
    start = end + 1;
    if (lineNo % slice === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return parser.families();
}

/** The parser's state across lines: fed one line at a time, families at the end. */
class PrometheusTextParser {
  private readonly byName = new Map<string, MetricFamily>();
  samples = 0;

  line(raw: string, lineNo: number): void {
    const trimmed = raw.replace(/\r$/, '').trim();
    if (trimmed === '') return;
    if (trimmed.startsWith('#')) {
      const match = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(trimmed);
      if (!match) return; // an ordinary comment
      const [, keyword, name, rest = ''] = match;
      if (!NAME.test(name!) || NAME.exec(name!)![0] !== name) throw new MetricsParseError(lineNo, `invalid metric name "${name}" in # ${keyword}`);
      if (keyword === 'HELP') {
        this.family(name!).help = unescapeHelp(rest);
      } else {
        const type = rest.trim() as MetricType;
        if (!TYPES.has(type)) throw new MetricsParseError(lineNo, `unknown metric type "${rest.trim()}" for ${name} (expected counter, gauge, histogram, summary or untyped)`);
        const target = this.family(name!);
        if (target.samples.length > 0) throw new MetricsParseError(lineNo, `# TYPE for ${name} comes after its samples`);
        target.type = type;
      }
      return;
    }
    const sample = parseSample(trimmed, lineNo);
    this.family(familyOf(sample.name, this.byName)).samples.push(sample);
    this.samples++;
  }

  families(): MetricFamily[] {
    return [...this.byName.values()].filter((f) => f.samples.length > 0 || f.help !== '' || f.type !== 'untyped');
  }

  private family(name: string): MetricFamily {
    let found = this.byName.get(name);
    if (!found) {
      found = { name, type: 'untyped', help: '', samples: [] };
      this.byName.set(name, found);
    }
    return found;
  }
}

/** The family a sample belongs to: `x_bucket` of a histogram `x`, `x_sum`/`x_count` of a histogram or summary. */
function familyOf(sampleName: string, families: Map<string, MetricFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count', '_created']) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return sampleName;
}

function parseSample(line: string, lineNo: number): MetricSample {
  const nameMatch = NAME.exec(line);
  if (!nameMatch) throw new MetricsParseError(lineNo, `expected a metric name, got "${line.slice(0, 40)}"`);
  const name = nameMatch[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      pos = skipSpaces(line, pos);
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const labelMatch = LABEL_NAME.exec(line.slice(pos));
      if (!labelMatch) throw new MetricsParseError(lineNo, `expected a label name at column ${pos + 1}`);
      const labelName = labelMatch[0];
      pos = skipSpaces(line, pos + labelName.length);
      if (line[pos] !== '=') throw new MetricsParseError(lineNo, `expected "=" after label ${labelName}`);
      pos = skipSpaces(line, pos + 1);
      if (line[pos] !== '"') throw new MetricsParseError(lineNo, `expected a quoted value for label ${labelName}`);
      pos++;
      let value = '';
      for (;;) {
        const ch = line[pos];
        if (ch === undefined) throw new MetricsParseError(lineNo, 'unterminated label value');
        if (ch === '"') break;
        if (ch === '\\') {
          const next = line[pos + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else throw new MetricsParseError(lineNo, `invalid escape "\\${next ?? ''}" in label ${labelName}`);
          pos += 2;
          continue;
        }
        value += ch;
        pos++;
      }
      pos++;
      if (Object.hasOwn(labels, labelName)) throw new MetricsParseError(lineNo, `label ${labelName} appears twice`);
      labels[labelName] = value;
      pos = skipSpaces(line, pos);
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new MetricsParseError(lineNo, `expected "," or "}" after label ${labelName}`);
    }
  }
  const rest = line.slice(pos).trim().split(/\s+/);
  if (rest.length === 0 || rest[0] === '') throw new MetricsParseError(lineNo, `sample ${name} has no value`);
  if (rest.length > 2) throw new MetricsParseError(lineNo, `unexpected text after the sample of ${name}: "${rest.slice(2).join(' ')}"`);
  const value = parseValue(rest[0]!);
  if (value === undefined) throw new MetricsParseError(lineNo, `invalid value "${rest[0]}" for ${name}`);
  const sample: MetricSample = { name, labels, value };
  if (rest[1] !== undefined) {
    if (!/^-?\d+$/.test(rest[1])) throw new MetricsParseError(lineNo, `invalid timestamp "${rest[1]}" for ${name} (expected integer milliseconds)`);
    sample.timestamp = Number(rest[1]);
  }
  return sample;
}

function parseValue(text: string): number | undefined {
  switch (text) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_m, ch: string) => (ch === 'n' ? '\n' : '\\'));
}

function skipSpaces(line: string, pos: number): number {
  while (line[pos] === ' ' || line[pos] === '\t') pos++;
  return pos;
}
