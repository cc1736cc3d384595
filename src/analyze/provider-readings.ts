/** One settled model attempt, as a provider's series read it. */
export interface ProviderAttempt {
  provider: string;
  /** `ok` or the failure kind (`rate-limited`, `server-error`, `invalid-output`, …). */
  outcome: string;
  latencyMs: number;
  finishedAt: number;
}

/** What one window of a provider's attempts says. */
export interface ProviderReading {
  attempts: number;
  /** The provider's own faults ÷ attempts: 429, 5xx, resets, first-token timeouts, stalls. */
  errorRatio: number;
  /** 429s ÷ attempts. */
  rateLimitedRatio: number;
  /** Answers that broke their contract (schema-invalid or truncated) ÷ attempts. */
  invalidOutputRatio: number;
  /** The median latency of the attempts, ms. */
  latencyP50Ms: number;
}

/** The limits of `element.degradedWhen`, latency in ms. */
export interface DegradedWhen {
  errorRatio?: number | undefined;
  rateLimitedRatio?: number | undefined;
  invalidOutputRatio?: number | undefined;
  latency?: number | undefined;
}

/**
 * The outcomes that say the provider is unwell — the same set that counts against its
 * breaker (model-errors.ts), kept here by name because analyze/ imports no model code.
 */
const PROVIDER_FAULTS = new Set(['rate-limited', 'server-error', 'connection', 'first-token-timeout', 'stalled']);
const CONTRACT_BROKEN = new Set(['invalid-output', 'truncated']);

/**
 * The reading of a set of attempts (those of one provider in one window), or undefined
 * when there are none. Outcomes that say nothing about the provider (a spent budget, a
 * missing key) count as attempts that did not fail.
 *
 * @example readProvider([{ provider: 'a', outcome: 'rate-limited', latencyMs: 3, finishedAt: 1 }]) // { attempts: 1, errorRatio: 1, rateLimitedRatio: 1, … }
 * @example readProvider([]) // undefined
 */
export function readProvider(attempts: readonly ProviderAttempt[]): ProviderReading | undefined {
  if (attempts.length === 0) return undefined;
  let faults = 0;
  let limited = 0;
  let broken = 0;
  for (const attempt of attempts) {
    if (PROVIDER_FAULTS.has(attempt.outcome)) faults++;
    if (attempt.outcome === 'rate-limited') limited++;
    if (CONTRACT_BROKEN.has(attempt.outcome)) broken++;
  }
  const latencies = attempts.map((a) => a.latencyMs).sort((a, b) => a - b);
  const middle = Math.floor(latencies.length / 2);
  const latencyP50Ms = latencies.length % 2 === 1 ? latencies[middle]! : (latencies[middle - 1]! + latencies[middle]!) / 2;
  const n = attempts.length;
  return { attempts: n, errorRatio: faults / n, rateLimitedRatio: limited / n, invalidOutputRatio: broken / n, latencyP50Ms };
}

/**
 * Which limits a reading breaches, one phrase each ("429s 6/8 = 0.75 > 0.5"); empty when
 * none is — the reading is healthy by these limits.
 */
export function breaches(reading: ProviderReading, when: DegradedWhen): string[] {
  const found: string[] = [];
  const share = (what: string, value: number, limit: number | undefined) => {
    if (limit !== undefined && value > limit) found.push(`${what} ${Math.round(value * reading.attempts)}/${reading.attempts} = ${value.toFixed(2)} > ${limit}`);
  };
  share('provider faults', reading.errorRatio, when.errorRatio);
  share('429s', reading.rateLimitedRatio, when.rateLimitedRatio);
  share('invalid or truncated answers', reading.invalidOutputRatio, when.invalidOutputRatio);
  if (when.latency !== undefined && reading.latencyP50Ms > when.latency) found.push(`median latency ${Math.round(reading.latencyP50Ms)} ms > ${when.latency} ms`);
  return found;
}
