import type { ModelProviderConfig } from '../config/schema/models.js';
import { failureKind } from './model-errors.js';
import { sendModelRequest } from './model-http.js';

/** What one probe found. */
export interface ProbeResult {
  ok: boolean;
  /** `answered in 12 ms`, or the failure kind and message. */
  detail: string;
}

export interface ProbeOptions {
  provider: string;
  config: ModelProviderConfig;
  model: string;
  timeoutMs: number;
  /** Where `apiKeyEnv` is looked up. */
  env: Record<string, string | undefined>;
  signal: AbortSignal;
}

/**
 * One probe call to a drained provider: the smallest real request its wire format takes (a
 * one-word prompt, at most 8 output tokens, not streamed), over the same code path model
 * calls use, so an answer here means a call would be answered. A probe is nobody's call:
 * it is not recorded in the attempts or the budget ledger (its cost is a few tokens per
 * `probe.every` while drained, and docs/model-steps.md says so).
 *
 * @example await probeProvider({ provider: 'openai', config, model: 'gpt-4o-mini', timeoutMs: 5_000, env: process.env, signal }) // { ok: true, detail: 'answered in 41 ms' }
 * @example // a provider answering 429: { ok: false, detail: 'rate-limited: openai answered 429 …' }
 */
export async function probeProvider(options: ProbeOptions): Promise<ProbeResult> {
  const envName = options.config.apiKeyEnv;
  const apiKey = envName === undefined ? undefined : options.env[envName];
  if (envName !== undefined && !apiKey) return { ok: false, detail: `key-missing: environment variable ${envName} is not set` };
  const started = Date.now();
  try {
    await sendModelRequest(
      { name: options.provider, kind: options.config.kind, baseUrl: options.config.baseUrl, apiKey },
      { model: options.model, messages: [{ role: 'user', content: 'Reply with the word OK.' }], maxTokens: 8, stream: false },
      { firstTokenMs: options.timeoutMs, stallMs: options.timeoutMs, totalMs: options.timeoutMs },
      options.signal,
    );
    return { ok: true, detail: `answered in ${Date.now() - started} ms` };
  } catch (error) {
    if (options.signal.aborted) throw error;
    return { ok: false, detail: `${failureKind(error)}: ${(error as Error).message}` };
  }
}
