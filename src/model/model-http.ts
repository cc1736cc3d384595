import { startTimer, systemClock, type Clock, type Timer } from '../resilience/clock.js';
import { anthropicWire } from './anthropic-wire.js';
import { ModelCallError } from './model-errors.js';
import type { ModelReply, WireRequest } from './model-reply.js';
import { openAiWire } from './openai-wire.js';
import { retryAfterFromHeaders } from './rate-limit-headers.js';
import { readSse } from './sse.js';
import type { StreamProgress, WireFormat } from './wire-format.js';

/** Where one provider is reached. The key is resolved from `apiKeyEnv` by the caller, never stored. */
export interface ModelEndpoint {
  /** The provider's name in the config: what replies and records say. */
  name: string;
  kind: 'openai' | 'anthropic';
  baseUrl: string;
  apiKey: string | undefined;
}

/** The time limits of one attempt, in ms. */
export interface AttemptTimeouts {
  /** Until the answer's headers (non-streamed) or the first event of a stream. */
  firstTokenMs: number;
  /** Longest silence between two chunks of a stream. */
  stallMs: number;
  /** The whole answer. */
  totalMs: number;
}

const WIRES: Record<ModelEndpoint['kind'], WireFormat> = { openai: openAiWire, anthropic: anthropicWire };

/** How much of an error answer's body goes into the error message. */
const ERROR_BODY_CHARS = 300;

/**
 * One attempt against one provider over plain `fetch`, normalised into a {@link ModelReply}.
 * Every way it can fail is a {@link ModelCallError} of its own kind: 429 → `rate-limited`
 * (with the provider's announced wait), 5xx → `server-error`, any other 4xx →
 * `bad-request`, a refused or reset connection → `connection`, nothing within
 * `firstTokenMs` → `first-token-timeout`, silence mid-stream or an answer past `totalMs` →
 * `stalled`, a stream without its end event → `truncated`. A finish of `length` is
 * returned as is: the caller decides (see model-call.ts).
 *
 * @example const reply = await sendModelRequest(endpoint, { model: 'gpt-4o-mini', messages, maxTokens: 200, stream: true }, timeouts, signal);
 */
export async function sendModelRequest(
  endpoint: ModelEndpoint,
  request: WireRequest,
  timeouts: AttemptTimeouts,
  signal: AbortSignal,
  clock: Clock = systemClock,
): Promise<ModelReply> {
  const wire = WIRES[endpoint.kind];
  const controller = new AbortController();
  const abortWith = (error: Error) => {
    if (!controller.signal.aborted) controller.abort(error);
  };
  const onCallerAbort = () => abortWith(signal.reason as Error);
  if (signal.aborted) throw signal.reason;
  signal.addEventListener('abort', onCallerAbort, { once: true });
  // One timer, re-armed at each sign of life, for the three limits: until then the nearer
  // of first token and whole answer; after, the nearer of the next stall and whole answer.
  // (Three timers per attempt, one more per chunk, cost ~0.1 ms per call in the bench.)
  const totalDeadline = clock.now() + timeouts.totalMs;
  const pastTotal = () => new ModelCallError('stalled', `${endpoint.name} did not finish its answer within ${timeouts.totalMs} ms`);
  let timer: Timer | undefined;
  const arm = (ms: number, error: () => ModelCallError) => {
    timer?.cancel();
    const untilTotal = totalDeadline - clock.now();
    timer = ms < untilTotal ? startTimer(clock, ms, () => abortWith(error())) : startTimer(clock, untilTotal, () => abortWith(pastTotal()));
  };
  arm(timeouts.firstTokenMs, () => new ModelCallError('first-token-timeout', `${endpoint.name} sent nothing within ${timeouts.firstTokenMs} ms`));
  const stalled = () => new ModelCallError('stalled', `${endpoint.name}'s stream stalled for ${timeouts.stallMs} ms`);
  const alive = () => arm(timeouts.stallMs, stalled);
  try {
    const response = await fetch(endpoint.baseUrl.replace(/\/+$/, '') + wire.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: request.stream ? 'text/event-stream' : 'application/json', ...wire.headers(endpoint.apiKey) },
      body: JSON.stringify(wire.body(request)),
      signal: controller.signal,
      // Never follow a redirect: the key goes to the configured baseUrl only. With `error`
      // and no window, undici also sends the request as is instead of cloning it (and teeing
      // its body) for a redirect it might follow: ~0.2 ms of CPU per call (bench/models).
      redirect: 'error',
      window: null,
    });
    // A whole answer's headers are its first sign of life; its body may then stall.
    if (!request.stream) alive();
    if (!response.ok) throw await statusError(endpoint, response, clock.now());
    const base = { provider: endpoint.name, model: request.model };
    if (!request.stream) {
      const parsed = wire.parseReply(parseJson(await response.text(), endpoint));
      return { ...parsed, ...base };
    }
    if (!response.body) throw new ModelCallError('truncated', `${endpoint.name} answered a stream request without a body`);
    const progress: StreamProgress = { text: '', finish: undefined, usage: { input: 0, output: 0 }, ended: false };
    for await (const { event, data } of readSse(response.body, alive)) {
      wire.onEvent(progress, event, data);
      if (progress.ended) break;
    }
    if (!progress.ended) {
      throw new ModelCallError('truncated', `${endpoint.name}'s stream ended without its final event after ${progress.text.length} characters`, { usage: progress.usage });
    }
    return { text: progress.text, finish: progress.finish ?? 'other', usage: progress.usage, ...base };
  } catch (error) {
    if (controller.signal.aborted) {
      const reason: unknown = controller.signal.reason;
      if (reason instanceof ModelCallError || signal.aborted) throw reason;
    }
    if (error instanceof ModelCallError) throw error;
    if (isRedirect(error)) {
      throw new ModelCallError('bad-request', `${endpoint.name} answered with a redirect, which a model request does not follow (the key goes to the configured baseUrl only): set baseUrl to the address it redirects to`, { cause: error });
    }
    throw new ModelCallError('connection', `${endpoint.name}: ${describeFetchError(error)}`, { cause: error });
  } finally {
    timer?.cancel();
    signal.removeEventListener('abort', onCallerAbort);
  }
}

async function statusError(endpoint: ModelEndpoint, response: Response, now: number): Promise<ModelCallError> {
  const body = (await response.text().catch(() => '')).slice(0, ERROR_BODY_CHARS);
  const what = `${endpoint.name} answered ${response.status}${body ? `: ${body}` : ''}`;
  const retryAfterMs = retryAfterFromHeaders(response.headers, now);
  if (response.status === 429) return new ModelCallError('rate-limited', what, { retryAfterMs });
  // 408 (request timeout) and Anthropic's 529 (overloaded) are the server's trouble, not the request's.
  if (response.status >= 500 || response.status === 408) return new ModelCallError('server-error', what, { retryAfterMs });
  return new ModelCallError('bad-request', what);
}

function parseJson(text: string, endpoint: ModelEndpoint): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A body cut off mid-way (connection closed early) parses as nothing.
    throw new ModelCallError('truncated', `${endpoint.name}'s answer is not complete JSON (${text.length} bytes)`);
  }
}

/** fetch with `redirect: 'error'` met a 3xx: undici says so in the cause's message only. */
function isRedirect(error: unknown): boolean {
  return (error as { cause?: { message?: string } })?.cause?.message === 'unexpected redirect';
}

/** undici hides the socket's reason in `cause` ("fetch failed" alone says nothing). */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const message = (error as Error)?.message ?? String(error);
  if (cause?.code) return `${message} (${cause.code})`;
  if (cause?.message) return `${message} (${cause.message})`;
  return message;
}
