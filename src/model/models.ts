import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { modelsCodeSchema, type ModelsConfig } from '../config/schema/models.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import { toMillis, type Duration } from '../resilience/duration.js';
import type { Subscribe } from '../resilience/events.js';
import { EventEmitter } from '../resilience/events.js';
import type { ModelSpendLimit } from '../store/records.js';
import type { ModelStore } from '../store/ports/model-store.js';
import { attachToCheckpoint } from '../workflow/checkpoint-companion.js';
import { StepFailedError } from '../workflow/errors.js';
import type { StepRetryOptions, WorkflowContext } from '../workflow/workflow-context.js';
import { ModelCallError, type ModelFailureKind } from './model-errors.js';
import { runModelCall, type CallPlan, type ModelResult, type ResolvedLink } from './model-call.js';
import type { ModelMessage } from './model-reply.js';
import { ProviderStates } from './provider-states.js';
import { ProviderRuntime, type ModelAttemptEvent, type ProviderHealth } from './provider-runtime.js';

/** A chain given in code instead of by name. */
export interface ChainLink {
  provider: string;
  model: string;
  hedgeAfter?: Duration;
}

/** One model call: what to ask, what shape the answer must have, where and within what. */
export interface ModelCallOptions<T> {
  /** The user message (with `system`), or the whole conversation in `messages`. */
  prompt?: string;
  system?: string;
  messages?: ModelMessage[];
  /** The answer must be JSON of this shape; it is re-asked with the errors when it is not. Without it, the answer is the text. */
  output?: z.ZodType<T>;
  /** A chain of `models.chains` by name (default `default`), or the links themselves. */
  chain?: string | ChainLink[];
  maxTokens?: number;
  temperature?: number;
  firstTokenTimeout?: Duration;
  stallTimeout?: Duration;
  timeout?: Duration;
  attemptsPerProvider?: number;
  repairAttempts?: number;
  /** This call's own limit (the stricter of it and `models.budgets.perCall` applies). */
  budget?: { tokens?: number; cost?: number };
  /** Allow hedging where the chain sets `hedgeAfter` (both answers are billed; default false). */
  hedge?: boolean;
  /** The step's retry policy when the whole chain fails (default 2 attempts); budget and refusals are never retried. */
  retry?: StepRetryOptions | false;
}

/** Model steps of one process: providers with their breakers, limits and health, and `call`. */
export interface Models {
  /**
   * A model call as a durable step named `model:<name>`: its result is the step's
   * checkpoint, so replay returns it without calling any model or billing again.
   * @example const { value } = await models.call(ctx, 'summarize', { prompt: text, output: z.object({ summary: z.string() }) });
   */
  call<T = string>(ctx: WorkflowContext, name: string, options: ModelCallOptions<T>): Promise<ModelResult<T>>;
  /** Each provider's health as this process has seen it. */
  health(): ProviderHealth[];
  /**
   * Take a provider out of every chain (dynamic service selection) in this process only, until
   * `restore`. The loop's `drain` rung writes the store instead, which every process follows.
   */
  drain(provider: string): void;
  restore(provider: string): void;
  /** Every attempt's outcome, per provider: what the autonomic loop turns into series. */
  readonly onAttempt: Subscribe<ModelAttemptEvent>;
}

export interface ModelsOptions {
  /** The `models:` section: as in homeostat.yaml (validated here with the same schema), or already loaded. */
  config: z.input<typeof modelsCodeSchema>;
  /** Where attempts and the budget ledger are kept: the engine's store, or a function returning it (`() => engine.store`, for workflows defined before the engine opens). */
  store: ModelStore | (() => ModelStore);
  clock?: Clock;
  /** Where `apiKeyEnv` names are looked up (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** How often the providers' states in the store (drained or limited by the loop) are read again, ms (default 1 000). */
  drainRefreshMs?: number;
}

const DEFAULT_STEP_RETRY: StepRetryOptions = { maxAttempts: 2, initialDelay: 1_000 };

/**
 * Build the model steps of a process from the `models:` config (file or code).
 * @example const models = createModels({ config: loaded.config.models, store: engine.store });
 */
export function createModels(options: ModelsOptions): Models {
  const config: ModelsConfig = modelsCodeSchema.parse(options.config);
  const clock = options.clock ?? systemClock;
  const storeOf = (): ModelStore => (typeof options.store === 'function' ? options.store() : options.store);
  const env = options.env ?? process.env;
  const attempts = new EventEmitter<ModelAttemptEvent>();
  const providers = new Map<string, ProviderRuntime>();
  for (const [name, provider] of Object.entries(config.providers)) {
    const runtime = new ProviderRuntime(name, provider, clock);
    runtime.onAttempt((event) => {
      if (attempts.hasListeners) attempts.emit(event);
    });
    providers.set(name, runtime);
  }

  const stored = new ProviderStates(storeOf, clock, options.drainRefreshMs ?? 1_000);

  const providerNamed = (name: string): ProviderRuntime => {
    const runtime = providers.get(name);
    if (!runtime) throw new ModelCallError('unknown-provider', `no model provider "${name}" (known: ${[...providers.keys()].join(', ') || 'none'})`);
    return runtime;
  };

  const resolveChain = (chain: string | ChainLink[] | undefined): ResolvedLink[] => {
    const links = Array.isArray(chain) ? chain : config.chains[chain ?? 'default'];
    if (!links) throw new ModelCallError('unknown-provider', `no model chain "${String(chain ?? 'default')}" (known: ${Object.keys(config.chains).join(', ') || 'none'})`);
    return links.map((link) => {
      const provider = providerNamed(link.provider);
      const price = provider.config.models[link.model];
      if (!price) throw new ModelCallError('unknown-provider', `provider "${link.provider}" has no model "${link.model}"`);
      return { provider, model: link.model, price, hedgeAfterMs: link.hedgeAfter === undefined ? undefined : toMillis(link.hedgeAfter) };
    });
  };

  const limitsFor = (options: ModelCallOptions<unknown>): ModelSpendLimit[] => {
    const micros = (cost: number | undefined) => (cost === undefined ? undefined : Math.round(cost * 1e6));
    const stricter = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
    const budgets = config.budgets;
    const limits: ModelSpendLimit[] = [
      { scope: 'call', maxTokens: stricter(budgets.perCall?.tokens, options.budget?.tokens), maxCostMicros: micros(stricter(budgets.perCall?.cost, options.budget?.cost)) },
      { scope: 'run', maxTokens: budgets.perRun?.tokens, maxCostMicros: micros(budgets.perRun?.cost) },
      { scope: 'workflow', maxTokens: budgets.perWorkflowPerDay?.tokens, maxCostMicros: micros(budgets.perWorkflowPerDay?.cost) },
      { scope: 'global', maxTokens: budgets.globalPerDay?.tokens, maxCostMicros: micros(budgets.globalPerDay?.cost) },
    ];
    return limits.filter((limit) => limit.maxTokens !== undefined || limit.maxCostMicros !== undefined);
  };

  return {
    async call<T = string>(ctx: WorkflowContext, name: string, callOptions: ModelCallOptions<T>): Promise<ModelResult<T>> {
      const defaults = config.defaults;
      const messages = conversation(callOptions);
      const stepName = `model:${name}`;
      try {
        return await ctx.step<ModelResult<T>>(
          stepName,
          async (step) => {
            // This execution owns the run: an open reservation of this call is from one that died.
            const store = storeOf();
            // Answered and settled before a crash, but not checkpointed: take that answer, do not pay twice.
            const settled = await store.resumeModelCall(step.runId, step.seq, clock.now());
            if (settled !== undefined) return JSON.parse(settled) as ModelResult<T>;
            const states = await stored.current();
            for (const provider of providers.values()) provider.follow(states.get(provider.name));
            const plan: CallPlan<T> = {
              runId: step.runId,
              workflow: ctx.workflowName,
              step: stepName,
              stepSeq: step.seq,
              stepAttempt: step.attempt,
              links: resolveChain(callOptions.chain),
              messages,
              output: callOptions.output,
              maxTokens: callOptions.maxTokens ?? defaults.maxTokens,
              temperature: callOptions.temperature,
              timeouts: {
                firstTokenMs: toMillis(callOptions.firstTokenTimeout ?? defaults.firstTokenTimeout),
                stallMs: toMillis(callOptions.stallTimeout ?? defaults.stallTimeout),
                totalMs: toMillis(callOptions.timeout ?? defaults.timeout),
              },
              attemptsPerProvider: callOptions.attemptsPerProvider ?? defaults.attemptsPerProvider,
              repairAttempts: callOptions.repairAttempts ?? defaults.repairAttempts,
              maxRetryAfterMs: defaults.maxRetryAfter,
              limits: limitsFor(callOptions as ModelCallOptions<unknown>),
              hedge: callOptions.hedge ?? false,
              promptHash: createHash('sha256').update(JSON.stringify(messages)).digest('hex'),
            };
            const answered = await runModelCall(plan, { store, clock, env }, step.signal);
            // The answering attempt's settlement commits with this step's checkpoint: the
            // answer and its bill are durable together, in one commit. When it cannot go
            // with the checkpoint (see checkpoint-companion.ts), it is settled on its own
            // with the answer kept, so a takeover before the checkpoint reuses it.
            const alone = () => store.settleModelAttempt(answered.attemptId, { ...answered.settlement, reply: JSON.stringify(answered.result) }, step.runId);
            if (!attachToCheckpoint(step, { ...store.settlementWrites(answered.attemptId, answered.settlement), alone })) await alone();
            return answered.result;
          },
          { retry: callOptions.retry ?? DEFAULT_STEP_RETRY },
        );
      } catch (error) {
        // The workflow sees the model's own failure (HS_MODEL_BUDGET_EXHAUSTED, …), not the generic step wrapper.
        if (error instanceof StepFailedError && error.causeCode?.startsWith('HS_MODEL_')) {
          throw new ModelCallError(kindOfCode(error.causeCode), error.causeMessage, { cause: error });
        }
        throw error;
      }
    },
    health: () => [...providers.values()].map((provider) => provider.health()),
    drain: (provider) => providerNamed(provider).drain(),
    restore: (provider) => providerNamed(provider).restore(),
    onAttempt: attempts.subscribe,
  };
}

function conversation(options: ModelCallOptions<unknown>): ModelMessage[] {
  const messages: ModelMessage[] = [];
  if (options.system !== undefined) messages.push({ role: 'system', content: options.system });
  if (options.messages) messages.push(...options.messages);
  if (options.prompt !== undefined) messages.push({ role: 'user', content: options.prompt });
  if (!messages.some((m) => m.role === 'user')) throw new ModelCallError('bad-request', 'a model call needs a prompt or a user message');
  return messages;
}

const KIND_BY_CODE: Record<string, ModelFailureKind> = {
  HS_MODEL_RATE_LIMITED: 'rate-limited',
  HS_MODEL_SERVER_ERROR: 'server-error',
  HS_MODEL_CONNECTION: 'connection',
  HS_MODEL_FIRST_TOKEN_TIMEOUT: 'first-token-timeout',
  HS_MODEL_STALLED: 'stalled',
  HS_MODEL_TRUNCATED: 'truncated',
  HS_MODEL_INVALID_OUTPUT: 'invalid-output',
  HS_MODEL_BUDGET_EXHAUSTED: 'budget-exhausted',
  HS_MODEL_BAD_REQUEST: 'bad-request',
  HS_MODEL_KEY_MISSING: 'key-missing',
  HS_MODEL_UNKNOWN_PROVIDER: 'unknown-provider',
  HS_MODEL_CHAIN_EXHAUSTED: 'chain-exhausted',
};

function kindOfCode(code: string): ModelFailureKind {
  return KIND_BY_CODE[code] ?? 'chain-exhausted';
}
