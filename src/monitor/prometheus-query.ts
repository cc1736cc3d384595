/** One series of an instant query's answer: its labels and its value (NaN and ±Inf kept). */
export interface QuerySeries {
  labels: Record<string, string>;
  value: number;
}

export type QueryAnswer = { ok: true; series: QuerySeries[] } | { ok: false; error: string };

/** Prometheus writes sample values as strings: `"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/**
 * An instant PromQL query against `baseUrl` (`/api/v1/query`): a vector's series, or a
 * scalar as one series without labels. Anything else — no answer within `timeoutMs`, an
 * HTTP error, `status: "error"`, a body that is not Prometheus's — is `{ ok: false }` with
 * a message saying what, never an empty (healthy-looking) answer.
 *
 * @example
 * await instantQuery('http://127.0.0.1:9090', 'sum by (job) (rate(http_errors_total[1m]))', 5_000)
 * // { ok: true, series: [{ labels: { job: 'api' }, value: 0.2 }] }
 */
export async function instantQuery(baseUrl: string, query: string, timeoutMs: number, signal?: AbortSignal): Promise<QueryAnswer> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  let body: unknown;
  try {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, error: `HTTP ${response.status}: not JSON: ${text.slice(0, 200)}` };
    }
    if (!response.ok && (body as { status?: unknown }).status !== 'error') return { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    const name = (error as Error).name;
    return { ok: false, error: name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `cannot reach ${baseUrl}: ${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}` };
  }
  const answer = body as { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: unknown } };
  if (answer.status !== 'success') return { ok: false, error: `${answer.errorType ?? 'error'}: ${answer.error ?? 'no status in the answer'}` };
  const { resultType, result } = answer.data ?? {};
  if (resultType === 'scalar' && Array.isArray(result)) return { ok: true, series: [{ labels: {}, value: sampleValue(String(result[1])) }] };
  if (resultType !== 'vector' || !Array.isArray(result)) return { ok: false, error: `the query answers a ${resultType ?? 'nothing'}, not an instant vector or a scalar` };
  const series: QuerySeries[] = [];
  for (const entry of result as { metric?: Record<string, string>; value?: [number, string] }[]) {
    if (!entry.value) return { ok: false, error: 'a vector sample without a value' };
    series.push({ labels: entry.metric ?? {}, value: sampleValue(String(entry.value[1])) });
  }
  return { ok: true, series };
}
