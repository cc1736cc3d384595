import { traceHeaders } from '../telemetry/tracing.js';
import { randomUUID } from 'node:crypto';
import { redactText } from '../knowledge/redact.js';
import { DELIVERY_HEADER, signatureHeaders } from './webhook-signature.js';

/** One POST's options: extra headers (a signature, a `traceparent`) are merged over the JSON content type. */
export interface PostOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** One POST's answer. `ok`: a 2xx. The URL is redacted in `detail`. */
export interface PostResult {
  ok: boolean;
  detail: string;
  /** The HTTP status; absent when no answer came (network error, timeout, abort). */
  status?: number;
  /** The answer's `Retry-After` header, as sent. */
  retryAfter?: string;
}

/**
 * POST `json` (already serialised: a signature covers these exact bytes) once; any answer
 * but 2xx (a redirect too), a timeout or a network error is `ok: false`.
 * @example await postJson('https://hooks.example.com/x', '{"a":1}', { timeoutMs: 5_000 }) // { ok: true, status: 200, detail: 'POST https://hooks.example.com/x → HTTP 200' }
 */
export async function postJson(url: string, json: string, options: PostOptions): Promise<PostResult> {
  try {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    // A redirect is not followed: the signed body and its headers go only to the configured URL, never where a receiver points.
    // `traceparent` of the action or page that sends it (tracing on): the receiver can join the remediation's trace.
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...traceHeaders(), ...options.headers }, body: json, signal, redirect: 'manual' });
    await response.arrayBuffer();
    const retryAfter = response.headers.get('retry-after');
    return { ok: response.ok, status: response.status, detail: `POST ${redactText(url)} → HTTP ${response.status}`, ...(retryAfter ? { retryAfter } : {}) };
  } catch (error) {
    return { ok: false, detail: `POST ${redactText(url)} failed: ${(error as Error).message}` };
  }
}

/** How hard one delivery tries. */
export interface DeliveryPolicy {
  /** Sends at most (default 4). */
  attempts: number;
  /** The wait before the first retry, doubled for each next one, half of it random (default 1 s). */
  backoffMs: number;
  /** The longest a `Retry-After` is waited (default 60 s): a longer one is cut to it. */
  maxRetryAfterMs: number;
  /** [0, 1): the jitter's source (tests fix it). */
  random?: () => number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { attempts: 4, backoffMs: 1_000, maxRetryAfterMs: 60_000 };

/** One delivery: a JSON body to a URL, signed when a secret is given. */
export interface WebhookRequest {
  url: string;
  body: unknown;
  /** Each attempt fails after this long. */
  timeoutMs: number;
  /** Signs every attempt (see webhook-signature.ts). */
  secret?: string;
  /** The `Homeostat-Delivery` id, the same on every attempt (default: a new UUID). */
  deliveryId?: string;
  /** Stops the delivery (the stop of `up`): no further attempt, no wait. */
  signal?: AbortSignal;
}

export interface DeliveryResult {
  ok: boolean;
  /** The last attempt's `POST <url> → HTTP 503` or `… failed: <error>` (URL redacted), with the attempts when more than one. */
  detail: string;
  deliveryId: string;
  attempts: number;
  /** The last attempt's HTTP status, when one answered. */
  status?: number;
  /** Not delivered because the signal stopped it: not a target that stayed down. */
  aborted?: boolean;
}

/**
 * Deliver one webhook: POST with a timeout, retried with doubling backoff and jitter after
 * what may pass (a network error or timeout, 5xx, 408, 429) — a 429 or 503's `Retry-After`
 * is waited instead when longer, up to a cap — and not after any other 4xx, which would
 * fail the same way again. Each attempt is signed anew (a fresh timestamp), under one
 * delivery id. The escalation pages, their resolves and the `webhook` action all send here.
 *
 * @example await deliverWebhook({ url, body, timeoutMs: 5_000, secret }) // { ok: true, attempts: 1, deliveryId: '…' }
 * @example await deliverWebhook({ url: down, body, timeoutMs: 1_000 }, { ...DEFAULT_DELIVERY_POLICY, attempts: 3 }) // { ok: false, attempts: 3, detail: 'POST … failed: fetch failed (3 attempts)' }
 */
export async function deliverWebhook(request: WebhookRequest, policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY): Promise<DeliveryResult> {
  const deliveryId = request.deliveryId ?? randomUUID();
  const json = JSON.stringify(request.body);
  const random = policy.random ?? Math.random;
  const { signal } = request;
  let backoff = policy.backoffMs;
  for (let attempt = 1; ; attempt++) {
    const headers = { [DELIVERY_HEADER]: deliveryId, ...(request.secret !== undefined ? signatureHeaders(request.secret, json) : {}) };
    const result = await postJson(request.url, json, { timeoutMs: request.timeoutMs, headers, ...(signal ? { signal } : {}) });
    const status = result.status !== undefined ? { status: result.status } : {};
    const detail = attempt > 1 ? `${result.detail} (${attempt} attempts)` : result.detail;
    if (result.ok) return { ok: true, detail, deliveryId, attempts: attempt, ...status };
    if (signal?.aborted) return { ok: false, detail, deliveryId, attempts: attempt, aborted: true, ...status };
    if (attempt >= policy.attempts || !worthRetrying(result.status)) return { ok: false, detail, deliveryId, attempts: attempt, ...status };
    // Equal jitter: half the backoff fixed, half random, so receivers that failed together are not retried together.
    const jittered = backoff / 2 + random() * (backoff / 2);
    const asked = retryAfterMs(result.retryAfter);
    await sleep(Math.min(Math.max(jittered, asked ?? 0), Math.max(policy.maxRetryAfterMs, jittered)), signal);
    if (signal?.aborted) return { ok: false, detail, deliveryId, attempts: attempt, aborted: true, ...status };
    backoff *= 2;
  }
}

/** No answer (network error, timeout), a server error, a request timeout or "too many requests": another try may pass. */
function worthRetrying(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

/**
 * A `Retry-After` in ms: delay-seconds or an HTTP date; undefined when absent or unreadable.
 * @example retryAfterMs('2') // 2000
 */
export function retryAfterMs(header: string | undefined, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1_000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
