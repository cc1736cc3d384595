/**
 * The pipeline's two model providers, local stand-ins speaking the real wire formats (both
 * streamed): `swift`, OpenAI-style chat completions, first in the chain, and `sage`,
 * Anthropic-style messages, its fallback. `degrade` turns `swift` bad mid-run the way a
 * real provider goes bad: 429s, slow tokens, a stalled stream, malformed and truncated JSON;
 * `heal` makes it answer well again.
 *
 * `pipelineModels` is the one `models:` section both sides use: the workers pass it to
 * `createModels`, and `up` reads it (with the policy that drains a degraded provider) from
 * the homeostat.yaml the demo writes.
 */
import { startModelStandIn, type ModelStandIn, type StandInBehaviour } from '../../src/testing/index.js';
import { summarize } from './document-source.js';

export interface PipelineProviders {
  swift: ModelStandIn;
  sage: ModelStandIn;
  close(): Promise<void>;
}

/** Both stand-ins, answering every prompt with the document's summary as JSON. */
export async function startProviders(): Promise<PipelineProviders> {
  const answer = ({ prompt }: { prompt: string }) => JSON.stringify(summarize(prompt));
  const swift = await startModelStandIn({ kind: 'openai', answer, tokenDelayMs: 2 });
  const sage = await startModelStandIn({ kind: 'anthropic', answer, tokenDelayMs: 4 });
  return { swift, sage, close: async () => void (await Promise.all([swift.close(), sage.close()])) };
}

/** What the degraded `swift` does, request after request, before it answers nothing but 429s. */
export const DEGRADED_SCRIPT: readonly StandInBehaviour[] = [
  { kind: 'rate-limit', retryAfterSeconds: 1 },
  { kind: 'answer', text: '{"summary": "The northern plant reported rec', finish: 'length' },
  { kind: 'slow', tokenDelayMs: 40 },
  { kind: 'answer', text: 'Sure! Here is a short summary of the document you sent.' },
  { kind: 'rate-limit', retryAfterSeconds: 1 },
  { kind: 'stall', chunks: 3 },
  { kind: 'cut-stream' },
  { kind: 'answer', text: '{"summary": "", "sentiment": "ecstatic"}' },
  { kind: 'status', status: 503 },
];

/** Make `swift` go bad: the mixed faults of {@link DEGRADED_SCRIPT}, then 429s until {@link heal}. */
export function degrade(provider: ModelStandIn): void {
  provider.script(...DEGRADED_SCRIPT);
  provider.always({ kind: 'rate-limit', retryAfterSeconds: 2 });
}

/** `swift` answers well again (what is left of the script is still played first). */
export function heal(provider: ModelStandIn): void {
  provider.always(undefined);
}

/** The demo's budget per run (all model attempts of one document, re-asks and fall-overs included). */
export const RUN_BUDGET = { tokens: 2_000, cost: 0.01 };

/**
 * The `models:` section for both stand-ins: the chain swift → sage, one attempt per
 * provider before falling over, two re-asks for an answer that breaks its schema, tight
 * timeouts, a per-run budget, and `swift` declared as an element of the loop.
 */
export function pipelineModels(urls: { swift: string; sage: string }) {
  return {
    providers: {
      swift: {
        kind: 'openai' as const,
        baseUrl: urls.swift,
        models: { 'swift-small': { inputPerMillion: 0.5, outputPerMillion: 1.5 } },
        // Lenient on purpose: each worker's own breaker would hide the provider from this
        // process only, for 30 s at a time; the loop's drain is what takes it out for all.
        breaker: { failureThreshold: 100 },
        element: {
          window: '10s',
          minAttempts: 4,
          degradedWhen: { errorRatio: 0.3, invalidOutputRatio: 0.3, latency: '1s' },
          probe: { model: 'swift-small', every: '1s', successes: 3 },
        },
      },
      sage: {
        kind: 'anthropic' as const,
        baseUrl: urls.sage,
        models: { 'sage-haiku': { inputPerMillion: 1, outputPerMillion: 5 } },
      },
    },
    chains: { default: [{ provider: 'swift', model: 'swift-small' }, { provider: 'sage', model: 'sage-haiku' }] },
    defaults: { maxTokens: 120, attemptsPerProvider: 1, repairAttempts: 2, firstTokenTimeout: '2s', stallTimeout: '1s', timeout: '5s', maxRetryAfter: '1s' },
    budgets: { perRun: RUN_BUDGET },
  };
}

/**
 * The policies `up` applies to providers: drain a degraded one (and page a person if that
 * does not help); restore a drained one its probes say has recovered.
 */
export const PROVIDER_POLICIES = {
  'drain-degraded-provider': {
    match: { symptom: ['model-provider-degraded'] },
    ladder: [{ action: 'drain' }, { action: 'escalate' }],
    verify: { healthyFor: '1s', timeout: '20s' },
  },
  'restore-recovered-provider': {
    match: { symptom: ['model-provider-recovered'] },
    ladder: [{ action: 'restore' }, { action: 'escalate' }],
    verify: { healthyFor: '1s', timeout: '20s' },
  },
};
