import { HomeostatError } from '../errors/homeostat-error.js';

/** Text 0.0.4's types and OpenMetrics' (`unknown` is OpenMetrics' name for `untyped`). */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown' | 'untyped';

/** Which exposition a body is: it decides what a timestamp means (ms in text 0.0.4, seconds in OpenMetrics). */
export type ExpositionFormat = 'text' | 'openmetrics';

/** The format a scrape's `Content-Type` names: `application/openmetrics-text` is OpenMetrics, anything else text 0.0.4. */
export function formatOfContentType(contentType: string | null | undefined): ExpositionFormat {
  return contentType && /^\s*application\/openmetrics-text\b/i.test(contentType) ? 'openmetrics' : 'text';
}

/** A line the lenient parser left out, and why (1-based `line`, the text cut to 200 characters). */
export interface SkippedLine {
  line: number;
  reason: string;
  text: string;
}

/** An OpenMetrics exemplar: `# {trace_id="…"} 0.67 1700000000.5` after a sample. */
export interface Exemplar {
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when given. */
  timestamp?: number;
}

/** One sample line: `name{labels} value [timestamp]`. */
export interface MetricSample {
  /** The sample's own name (`http_request_duration_seconds_bucket`). */
  name: string;
  labels: Record<string, string>;
  /** May be NaN, +Inf or -Inf. */
  value: number;
  /** Milliseconds since the epoch, when the exposition gave one. */
  timestamp?: number;
  exemplar?: Exemplar;
}

/** A metric family: the samples of one `# TYPE`, histogram buckets and summary quantiles included. */
export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  /** OpenMetrics' `# UNIT` (`seconds`, `bytes`), when given. */
  unit?: string;
  samples: MetricSample[];
}

/** The exposition could not be parsed; `line` is 1-based. */
export class MetricsParseError extends HomeostatError {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super('HS_METRICS_PARSE', `metrics line ${line}: ${detail}`, { retryable: false });
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown', 'untyped']);
/** The sample-name suffixes each type's samples may carry (a stateset's and a gauge's are the family name itself). */
const SUFFIXES: Partial<Record<MetricType, string[]>> = {
  counter: ['_total', '_created'],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['_sum', '_count', '_created'],
  info: ['_info'],
};

/**
 * Parse the Prometheus text exposition format (0.0.4) or OpenMetrics 1.0: `# HELP`,
 * `# TYPE`, `# UNIT` and `# EOF` lines, samples with escaped label values, optional
 * timestamps (integer ms in text, seconds with decimals in OpenMetrics; both stored as ms),
 * exemplars, `NaN` and `±Inf`. Samples are grouped under their family by the suffixes of
 * its type (`_total`/`_created` of a counter, `_bucket`/`_sum`/`_count` of a histogram,
 * `_gsum`/`_gcount` of a gauge histogram, `_info` of an info); samples without a `# TYPE`
 * are `untyped` families of their own. Strict: the first bad line throws. Written here
 * rather than taken as a dependency: it is small, and the loop scrapes on its hot path.
 *
 * @example
 * parsePrometheusText('# TYPE up gauge\nup{job="api"} 1\n')
 * // [{ name: 'up', type: 'gauge', help: '', samples: [{ name: 'up', labels: { job: 'api' }, value: 1 }] }]
 * @example
 * parsePrometheusText('up{job="api} 1') // throws HS_METRICS_PARSE: "metrics line 1: unterminated label value"
 */
export function parsePrometheusText(text: string, format: ExpositionFormat = 'text'): MetricFamily[] {
  const parser = new PrometheusTextParser(format, false);
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

/** What a lenient parse gives: the families, and every line it left out. */
export interface ParsedExposition {
  families: MetricFamily[];
  /** At most the first 100 lines left out; `skippedCount` counts them all. */
  skipped: SkippedLine[];
  skippedCount: number;
}

/**
 * {@link parsePrometheusText} for text from outside, lenient: a bad line is skipped and
 * reported (line number, reason, text) rather than failing the rest, since each line stands
 * alone. Gives the event loop back every
 * `sliceLines` lines (a large exposition would otherwise hold every timer, probe and
 * request for as long as it parses), and stops with {@link TooManySamplesError} at the
 * first sample past `maxSamples` instead of building families it will refuse.
 *
 * @example
 * await parsePrometheusTextInSlices(text, { maxSamples: 2_000 }) // { families: the same as parsePrometheusText(text), skipped: [] }
 * @example
 * await parsePrometheusTextInSlices('a 1\nb{ 2\n', { maxSamples: 10 }) // skipped: [{ line: 2, reason: 'expected a label name at column 3', text: 'b{ 2' }]
 */
export async function parsePrometheusTextInSlices(text: string, options: { maxSamples: number; sliceLines?: number; format?: ExpositionFormat }): Promise<ParsedExposition> {
  const parser = new PrometheusTextParser(options.format ?? 'text', true);
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
  return { families: parser.families(), skipped: parser.skipped, skippedCount: parser.skippedCount };
}

/** Lines kept in a skipped-line report at most: a body of garbage is reported, not copied. */
const MAX_SKIPPED_REPORTED = 100;

/** The parser's state across lines: fed one line at a time, families at the end. */
class PrometheusTextParser {
  private readonly byName = new Map<string, MetricFamily>();
  samples = 0;
  readonly skipped: SkippedLine[] = [];
  /** Lines skipped, those past the report's cap included. */
  skippedCount = 0;
  private ended = false;

  constructor(
    private readonly format: ExpositionFormat,
    private readonly lenient: boolean,
  ) {}

  line(raw: string, lineNo: number): void {
    if (!this.lenient) return this.parseLine(raw, lineNo);
    try {
      this.parseLine(raw, lineNo);
    } catch (error) {
      if (!(error instanceof MetricsParseError)) throw error;
      this.skippedCount++;
      if (this.skipped.length < MAX_SKIPPED_REPORTED) this.skipped.push({ line: lineNo, reason: error.detail, text: raw.slice(0, 200) });
    }
  }

  private parseLine(raw: string, lineNo: number): void {
    const trimmed = raw.replace(/\r$/, '').trim();
    if (trimmed === '') return;
    if (this.ended) throw new MetricsParseError(lineNo, 'text after # EOF');
    if (trimmed.startsWith('#')) {
      if (/^#\s*EOF$/.test(trimmed)) {
        this.ended = true;
        return;
      }
      const match = /^#\s*(HELP|TYPE|UNIT)\s+(\S+)(?:\s+(.*))?$/.exec(trimmed);
      if (!match) return; // an ordinary comment
      const [, keyword, name, rest = ''] = match;
      if (!NAME.test(name!) || NAME.exec(name!)![0] !== name) throw new MetricsParseError(lineNo, `invalid metric name "${name}" in # ${keyword}`);
      if (keyword === 'HELP') {
        this.family(name!).help = unescapeHelp(rest);
      } else if (keyword === 'UNIT') {
        this.family(name!).unit = rest.trim();
      } else {
        const type = rest.trim() as MetricType;
        if (!TYPES.has(type)) throw new MetricsParseError(lineNo, `unknown metric type "${rest.trim()}" for ${name} (expected counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown or untyped)`);
        const target = this.family(name!);
        if (target.samples.length > 0) throw new MetricsParseError(lineNo, `# TYPE for ${name} comes after its samples`);
        target.type = type;
      }
      return;
    }
    const sample = parseSample(trimmed, lineNo, this.format);
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

/** The family a sample belongs to: `x_bucket` of a histogram `x`, `x_total` of a counter `x`, and so on by type. */
function familyOf(sampleName: string, families: Map<string, MetricFamily>): string {
  if (families.has(sampleName)) return sampleName;
  for (const suffix of ['_bucket', '_sum', '_count', '_created', '_total', '_gsum', '_gcount', '_info']) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type !== undefined && SUFFIXES[type]?.includes(suffix)) return base;
  }
  return sampleName;
}

function parseSample(line: string, lineNo: number, format: ExpositionFormat): MetricSample {
  const nameMatch = NAME.exec(line);
  if (!nameMatch) throw new MetricsParseError(lineNo, `expected a metric name, got "${line.slice(0, 40)}"`);
  const name = nameMatch[0];
  let pos = name.length;
  let labels: Record<string, string> = {};
  if (line[pos] === '{') [labels, pos] = parseLabels(line, pos, lineNo);
  // An exemplar follows the sample after ` # `; label values before it are already consumed, so a `#` there is not in one.
  let body = line.slice(pos);
  let exemplarText: string | undefined;
  const hash = body.indexOf('#');
  if (hash !== -1) {
    exemplarText = body.slice(hash + 1).trim();
    body = body.slice(0, hash);
  }
  const rest = body.trim().split(/\s+/);
  if (rest.length === 0 || rest[0] === '') throw new MetricsParseError(lineNo, `sample ${name} has no value`);
  if (rest.length > 2) throw new MetricsParseError(lineNo, `unexpected text after the sample of ${name}: "${rest.slice(2).join(' ')}"`);
  const value = parseValue(rest[0]!);
  if (value === undefined) throw new MetricsParseError(lineNo, `invalid value "${rest[0]}" for ${name}`);
  const sample: MetricSample = { name, labels, value };
  if (rest[1] !== undefined) sample.timestamp = parseTimestamp(rest[1], format, lineNo, name);
  if (exemplarText !== undefined) sample.exemplar = parseExemplar(exemplarText, lineNo, name);
  return sample;
}

/** `{a="b",…}` from `line[pos]` (the `{`): the labels and the position after `}`. */
function parseLabels(line: string, start: number, lineNo: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let pos = start + 1;
  for (;;) {
    pos = skipSpaces(line, pos);
    if (line[pos] === '}') return [labels, pos + 1];
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

/** A timestamp as ms: integer ms in text 0.0.4, seconds (decimals allowed) in OpenMetrics. */
function parseTimestamp(text: string, format: ExpositionFormat, lineNo: number, name: string): number {
  if (format === 'openmetrics') {
    const seconds = parseValue(text);
    if (seconds === undefined || !Number.isFinite(seconds)) throw new MetricsParseError(lineNo, `invalid timestamp "${text}" for ${name} (expected seconds since the epoch)`);
    return Math.round(seconds * 1_000);
  }
  if (!/^-?\d+$/.test(text)) throw new MetricsParseError(lineNo, `invalid timestamp "${text}" for ${name} (expected integer milliseconds)`);
  return Number(text);
}

/** The text after a sample's `#`: `{labels} value [timestamp]`, timestamps in seconds (exemplars are OpenMetrics only). */
function parseExemplar(text: string, lineNo: number, name: string): Exemplar {
  if (text[0] !== '{') throw new MetricsParseError(lineNo, `expected an exemplar "{labels} value" after "#" in the sample of ${name}`);
  const [labels, pos] = parseLabels(text, 0, lineNo);
  const rest = text.slice(pos).trim().split(/\s+/);
  const value = rest[0] ? parseValue(rest[0]) : undefined;
  if (value === undefined || rest.length > 2) throw new MetricsParseError(lineNo, `invalid exemplar value "${text.slice(pos).trim()}" for ${name}`);
  const exemplar: Exemplar = { labels, value };
  if (rest[1] !== undefined) exemplar.timestamp = parseTimestamp(rest[1], 'openmetrics', lineNo, name);
  return exemplar;
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
