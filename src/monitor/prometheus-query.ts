/** One series of an instant query's answer: its labels and its value (NaN and ±Inf kept). */
export interface QuerySeries {
  labels: Record<string, string>;
  value: number;
}

/** One series of a range query's answer: its labels and its samples, oldest first (`[ms, value]`). */
export interface RangeSeries {
  labels: Record<string, string>;
  samples: [number, number][];
}

export type QueryAnswer = { ok: true; series: QuerySeries[] } | { ok: false; error: string };
export type RangeAnswer = { ok: true; series: RangeSeries[] } | { ok: false; error: string };

/** The window of a range query: from `startMs` to `endMs` (Unix ms), one point every `stepMs`. */
export interface RangeWindow {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/**
 * Prometheus writes sample values as strings: `"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`. Anything
 * else (a number, an empty string, words) is undefined: a malformed answer, not a value.
 */
function sampleValue(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** A `[<unix seconds>, "<value>"]` pair as `[ms, value]`, or undefined when it is not one. */
function samplePair(pair: unknown): [number, number] | undefined {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || !Number.isFinite(pair[0])) return undefined;
  const value = sampleValue(pair[1]);
  return value === undefined ? undefined : [Math.round(pair[0] * 1_000), value];
}

function labelsOf(metric: unknown): Record<string, string> | undefined {
  if (metric === undefined) return {};
  if (typeof metric !== 'object' || metric === null || Array.isArray(metric)) return undefined;
  return Object.values(metric).every((value) => typeof value === 'string') ? (metric as Record<string, string>) : undefined;
}

type ApiAnswer = { ok: true; resultType: unknown; result: unknown } | { ok: false; error: string };

/**
 * GET `baseUrl` + `path` and read Prometheus's envelope. No answer within `timeoutMs`, an
 * HTTP error, `status: "error"`, a body that is not Prometheus's: `{ ok: false }` with a
 * message saying what — never an empty (healthy-looking) answer.
 */
async function apiGet(baseUrl: string, path: string, timeoutMs: number, signal?: AbortSignal): Promise<ApiAnswer> {
  const url = `${baseUrl.replace(/\/+$/, '')}${path}`;
  let body: unknown;
  try {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, error: `HTTP ${response.status}: not JSON: ${text.slice(0, 200)}` };
    }
    if (!response.ok && (body as { status?: unknown } | null)?.status !== 'error') return { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    const name = (error as Error).name;
    return { ok: false, error: name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `cannot reach ${baseUrl}: ${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}` };
  }
  const answer = (typeof body === 'object' && body !== null ? body : {}) as { status?: string; error?: string; errorType?: string; data?: { resultType?: unknown; result?: unknown } };
  if (answer.status !== 'success') return { ok: false, error: `${answer.errorType ?? 'error'}: ${answer.error ?? 'no status in the answer'}` };
  return { ok: true, resultType: answer.data?.resultType, result: answer.data?.result };
}

/**
 * An instant PromQL query against `baseUrl` (`/api/v1/query`): a vector's series, or a
 * scalar as one series without labels. Any failure (see `apiGet`), or an answer of another
 * shape — a matrix, a sample without a value, a value that is not Prometheus's text — is
 * `{ ok: false }` with a message saying what.
 *
 * @example
 * await instantQuery('http://127.0.0.1:9090', 'sum by (job) (rate(http_errors_total[1m]))', 5_000)
 * // { ok: true, series: [{ labels: { job: 'api' }, value: 0.2 }] }
 */
export async function instantQuery(baseUrl: string, query: string, timeoutMs: number, signal?: AbortSignal): Promise<QueryAnswer> {
  const answer = await apiGet(baseUrl, `/api/v1/query?query=${encodeURIComponent(query)}`, timeoutMs, signal);
  if (!answer.ok) return answer;
  const { resultType, result } = answer;
  if (resultType === 'scalar') {
    const sample = samplePair(result);
    return sample ? { ok: true, series: [{ labels: {}, value: sample[1] }] } : { ok: false, error: 'a malformed scalar' };
  }
  if (resultType !== 'vector' || !Array.isArray(result)) return { ok: false, error: `the query answers a ${typeof resultType === 'string' ? resultType : 'nothing'}, not an instant vector or a scalar` };
  const series: QuerySeries[] = [];
  for (const entry of result as { metric?: unknown; value?: unknown }[]) {
    if (!entry?.value) return { ok: false, error: 'a vector sample without a value' };
    const sample = samplePair(entry.value);
    const labels = labelsOf(entry.metric);
    if (!sample || !labels) return { ok: false, error: `a malformed vector sample: ${JSON.stringify(entry).slice(0, 200)}` };
    series.push({ labels, value: sample[1] });
  }
  return { ok: true, series };
}

/**
 * A range PromQL query against `baseUrl` (`/api/v1/query_range`): each series with its
 * samples at the steps of `window` where it had one. Failures as {@link instantQuery}; an
 * answer that is not a matrix of well-formed samples is a failure too.
 *
 * @example
 * await rangeQuery('http://127.0.0.1:9090', 'up{job="api"}', { startMs: now - 60_000, endMs: now, stepMs: 15_000 }, 5_000)
 * // { ok: true, series: [{ labels: { job: 'api', … }, samples: [[…, 1], [… , 1], …] }] }
 */
export async function rangeQuery(baseUrl: string, query: string, window: RangeWindow, timeoutMs: number, signal?: AbortSignal): Promise<RangeAnswer> {
  const params = new URLSearchParams({ query, start: String(window.startMs / 1_000), end: String(window.endMs / 1_000), step: String(window.stepMs / 1_000) });
  const answer = await apiGet(baseUrl, `/api/v1/query_range?${params.toString()}`, timeoutMs, signal);
  if (!answer.ok) return answer;
  const { resultType, result } = answer;
  if (resultType !== 'matrix' || !Array.isArray(result)) return { ok: false, error: `the range query answers a ${typeof resultType === 'string' ? resultType : 'nothing'}, not a matrix` };
  const series: RangeSeries[] = [];
  for (const entry of result as { metric?: unknown; values?: unknown }[]) {
    const labels = labelsOf(entry?.metric);
    if (!labels || !Array.isArray(entry.values)) return { ok: false, error: `a malformed matrix series: ${JSON.stringify(entry).slice(0, 200)}` };
    const samples: [number, number][] = [];
    for (const pair of entry.values) {
      const sample = samplePair(pair);
      if (!sample) return { ok: false, error: `a malformed matrix sample: ${JSON.stringify(pair).slice(0, 200)}` };
      samples.push(sample);
    }
    series.push({ labels, samples });
  }
  return { ok: true, series };
}
