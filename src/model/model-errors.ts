import { HomeostatError } from '../errors/homeostat-error.js';
import type { ErrorCode } from '../errors/error-codes.js';

/**
 * What went wrong with one model attempt. Each kind decides where it is handled (see
 * docs/model-steps.md, "What is retried where"): on the same provider, by the next
 * provider of the chain, by a re-ask, or not at all.
 */
export type ModelFailureKind =
  | 'rate-limited'
  | 'server-error'
  | 'connection'
  | 'first-token-timeout'
  | 'stalled'
  | 'truncated'
  | 'invalid-output'
  | 'budget-exhausted'
  | 'bad-request'
  | 'key-missing'
  | 'unknown-provider'
  | 'chain-exhausted';

/** Every outcome an attempt record can carry: a failure kind, or `ok`. */
export type ModelOutcome = 'ok' | ModelFailureKind;

const CODES: Record<ModelFailureKind, ErrorCode> = {
  'rate-limited': 'HS_MODEL_RATE_LIMITED',
  'server-error': 'HS_MODEL_SERVER_ERROR',
  connection: 'HS_MODEL_CONNECTION',
  'first-token-timeout': 'HS_MODEL_FIRST_TOKEN_TIMEOUT',
  stalled: 'HS_MODEL_STALLED',
  truncated: 'HS_MODEL_TRUNCATED',
  'invalid-output': 'HS_MODEL_INVALID_OUTPUT',
  'budget-exhausted': 'HS_MODEL_BUDGET_EXHAUSTED',
  'bad-request': 'HS_MODEL_BAD_REQUEST',
  'key-missing': 'HS_MODEL_KEY_MISSING',
  'unknown-provider': 'HS_MODEL_UNKNOWN_PROVIDER',
  'chain-exhausted': 'HS_MODEL_CHAIN_EXHAUSTED',
};

/** Kinds that say "this provider is unwell": they count against its breaker and health. */
const PROVIDER_FAULTS: ReadonlySet<ModelFailureKind> = new Set(['rate-limited', 'server-error', 'connection', 'first-token-timeout', 'stalled']);

/**
 * A failed model attempt or call, with its {@link ModelFailureKind}. `retryable` follows
 * the registry (budget, bad request and a missing key are terminal); `retryAfterMs` is
 * the provider's own announced wait, when it sent one.
 *
 * @example throw new ModelCallError('rate-limited', 'openai answered 429', { retryAfterMs: 2000 });
 * @example if (error instanceof ModelCallError && error.kind === 'truncated') reAskShorter();
 */
export class ModelCallError extends HomeostatError {
  readonly kind: ModelFailureKind;
  readonly retryAfterMs: number | undefined;
  /** Tokens the failed attempt was billed for, when the provider said (a truncated or invalid answer is billed). */
  readonly usage: { input: number; output: number } | undefined;

  constructor(kind: ModelFailureKind, message: string, options: { retryAfterMs?: number; cause?: unknown; usage?: { input: number; output: number } } = {}) {
    super(CODES[kind], message, { cause: options.cause });
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs;
    this.usage = options.usage;
  }

  /** True when the failure says the provider is unwell (not the prompt, the output or the budget). */
  get providerFault(): boolean {
    return PROVIDER_FAULTS.has(this.kind);
  }
}

/** The failure kind of any error a model attempt threw (an unknown error is a connection failure: fetch's own). */
export function failureKind(error: unknown): ModelFailureKind {
  return error instanceof ModelCallError ? error.kind : 'connection';
}
