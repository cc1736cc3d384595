import { z } from 'zod';
import { durationSchema } from './units.js';
import { providerElementSchema } from './provider-element.js';

const priceSchema = z
  .strictObject({
    inputPerMillion: z.number().min(0).default(0).describe('Price of 1 million input (prompt) tokens, in your billing currency (USD for the public APIs).'),
    outputPerMillion: z.number().min(0).default(0).describe('Price of 1 million output (completion) tokens.'),
  })
  .describe('A model of the provider, with its prices (used for cost budgets and the attempt records; 0 for a local model).');

const budgetSchema = z
  .strictObject({
    tokens: z.number().int().min(0).optional().describe('Most tokens (input + output) in this scope.'),
    cost: z.number().min(0).optional().describe('Most cost in this scope, in the prices\' currency.'),
  })
  .describe('A token and/or cost limit; a call that would exceed it fails with `HS_MODEL_BUDGET_EXHAUSTED`, terminal.');

/** One provider: an HTTP API speaking one of the two wire formats. */
export const modelProviderSchema = z
  .strictObject({
    kind: z.enum(['openai', 'anthropic']).describe('The wire format: `openai` (chat completions, also vLLM, Ollama, LM Studio and most gateways) or `anthropic` (messages).'),
    baseUrl: z
      .url()
      .describe('Where the API is: `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1` (Ollama), `https://api.anthropic.com`. The path (`/chat/completions`, `/v1/messages`) is appended.'),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
      .optional()
      .describe('The NAME of the environment variable holding the key (the key itself never goes in this file, the store or a log); omit for a local server without keys. Checked when the file is loaded.'),
    models: z.record(z.string().min(1), priceSchema).describe('The models of this provider a chain may use, by the name the API knows them by.'),
    stream: z.boolean().default(true).describe('Ask for streamed (SSE) answers: a stall is then detected mid-answer, not only at the end.'),
    limits: z
      .strictObject({
        requestsPerSecond: z.number().positive().optional().describe('Token bucket: requests per second on average, in this process; unset: no limit.'),
        burst: z.number().int().positive().default(1).describe('Token bucket: the largest burst.'),
      })
      .prefault({})
      .describe('Client-side rate limit for this provider (the provider\'s own 429s are honoured besides).'),
    breaker: z
      .strictObject({
        failureThreshold: z.number().int().positive().default(5).describe('Consecutive provider faults (429, 5xx, reset, timeouts) that open the breaker.'),
        halfOpenAfter: durationSchema.default(30_000).describe('How long an open breaker skips the provider before a probe call.'),
      })
      .prefault({})
      .describe('The circuit breaker in front of this provider: while open, chains skip it.'),
    element: providerElementSchema.optional(),
  })
  .describe('A model provider.');

/** The chains' links checked against the providers: shared by the file's schema and the one for code. */
function checkChains(
  models: { providers: Record<string, { models: Record<string, unknown>; element?: { probe?: { model: string } | undefined } | undefined }>; chains: Record<string, { provider: string; model: string }[]> },
  ctx: z.RefinementCtx,
): void {
  for (const [name, provider] of Object.entries(models.providers)) {
    const probe = provider.element?.probe;
    if (probe && !provider.models[probe.model]) ctx.addIssue({ code: 'custom', path: ['providers', name, 'element', 'probe', 'model'], message: `"${probe.model}" is not a model of provider "${name}"` });
  }
  for (const [name, chain] of Object.entries(models.chains)) {
    chain.forEach((link, i) => {
      const provider = models.providers[link.provider];
      if (!provider) ctx.addIssue({ code: 'custom', path: ['chains', name, i, 'provider'], message: `"${link.provider}" is not a provider in models.providers` });
      else if (!provider.models[link.model]) ctx.addIssue({ code: 'custom', path: ['chains', name, i, 'model'], message: `"${link.model}" is not a model of provider "${link.provider}"` });
    });
  }
}

/** The `models:` section as given in code (`createModels`): the keys are checked against the environment it is given. */
export const modelsCodeSchema = z
  .strictObject({
    providers: z.record(z.string().regex(/^[^/\s]+$/, 'a provider name has no "/" or spaces'), modelProviderSchema).default({}).describe('Model providers, by name.'),
    chains: z
      .record(
        z.string().min(1),
        z
          .array(
            z
              .strictObject({
                provider: z.string().min(1).describe('A provider of `models.providers`.'),
                model: z.string().min(1).describe('One of that provider\'s `models`.'),
                hedgeAfter: durationSchema.optional().describe('Also ask the next entry of the chain when this one has not answered after this long (first answer wins; both are billed). Unset: never hedge.'),
              })
              .describe('One link of a chain.'),
          )
          .min(1)
          .describe('Provider/model pairs tried in order: the next one when the previous fails, is drained, or has its breaker open.'),
      )
      .default({})
      .describe('Named fallback chains (`default` is used when a call names none).'),
    defaults: z
      .strictObject({
        maxTokens: z.number().int().positive().default(1024).describe('Most output tokens of one answer (also what a reservation counts).'),
        firstTokenTimeout: durationSchema.default(15_000).describe('Time to the answer\'s headers, or a stream\'s first event.'),
        stallTimeout: durationSchema.default(15_000).describe('Longest silence mid-stream.'),
        timeout: durationSchema.default(120_000).describe('The whole answer of one attempt.'),
        attemptsPerProvider: z.number().int().positive().default(2).describe('Attempts on one provider (transient faults, honouring Retry-After) before the chain moves on.'),
        repairAttempts: z.number().int().min(0).default(2).describe('Re-asks with the validation errors when an answer does not match the output schema or is truncated.'),
        maxRetryAfter: durationSchema.default(30_000).describe('A provider\'s Retry-After longer than this moves the chain on instead of waiting.'),
      })
      .prefault({})
      .describe('Per-call settings, unless the call says otherwise.'),
    budgets: z
      .strictObject({
        perCall: budgetSchema.optional().describe('Each model call (all its attempts).'),
        perRun: budgetSchema.optional().describe('All model calls of one workflow run.'),
        perWorkflowPerDay: budgetSchema.optional().describe('All model calls of one workflow, per UTC day.'),
        globalPerDay: budgetSchema.optional().describe('All model calls on this store, per UTC day.'),
      })
      .prefault({})
      .describe('Durable budgets (a ledger in the store, reserved before each call at its worst case and settled after).'),
  })
  .prefault({})
  .superRefine(checkChains);

/** The `models:` section of homeostat.yaml: besides the chains, every `apiKeyEnv` must be set in this process's environment. */
export const modelsSchema = modelsCodeSchema
  .superRefine((models, ctx) => {
    for (const [name, provider] of Object.entries(models.providers)) {
      if (provider.apiKeyEnv !== undefined && !process.env[provider.apiKeyEnv]) {
        ctx.addIssue({ code: 'custom', path: ['providers', name, 'apiKeyEnv'], message: `environment variable ${provider.apiKeyEnv} is not set` });
      }
    }
  })
  .describe('Model providers, fallback chains, per-call defaults and budgets for model steps (see [model steps](model-steps.md)).');

export type ModelsConfig = z.output<typeof modelsSchema>;
export type ModelProviderConfig = z.output<typeof modelProviderSchema>;
