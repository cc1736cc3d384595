import { parseRetryAfter } from '../resilience/retry.js';

/**
 * How long a provider asks us to wait, from its answer's headers, in the order of
 * precision: `retry-after-ms` (OpenAI), `Retry-After` (seconds or an HTTP date), then the
 * longest of the `x-ratelimit-reset-*` (OpenAI: `1s`, `6m0s`, `20ms`) and
 * `anthropic-ratelimit-*-reset` (an RFC 3339 time) headers. Undefined when none is there.
 *
 * @example retryAfterFromHeaders(new Headers({ 'retry-after': '2' }), Date.now()) // 2000
 * @example retryAfterFromHeaders(new Headers({ 'x-ratelimit-reset-tokens': '1m30s' }), Date.now()) // 90000
 */
export function retryAfterFromHeaders(headers: Headers, nowMs: number): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const retryAfter = headers.get('retry-after');
  const parsed = retryAfter === null ? undefined : parseRetryAfter(retryAfter, nowMs);
  if (parsed !== undefined) return parsed;
  let longest: number | undefined;
  headers.forEach((value, name) => {
    let wait: number | undefined;
    if (name.startsWith('x-ratelimit-reset')) wait = parseResetDuration(value);
    else if (name.startsWith('anthropic-ratelimit-') && name.endsWith('-reset')) {
      const at = Date.parse(value);
      wait = Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
    }
    if (wait !== undefined) longest = Math.max(longest ?? 0, wait);
  });
  return longest;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `6m0s`, `1.5s`, `20ms`, or plain seconds → milliseconds. */
function parseResetDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return undefined;
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNIT_MS[unit!]!, 0);
}
