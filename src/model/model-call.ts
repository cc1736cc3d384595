import type { z } from 'zod';
import { redactText } from '../knowledge/redact.js';
import { isHomeostatError } from '../errors/homeostat-error.js';
import { exponentialBackoff } from '../resilience/backoff.js';
import type { Clock } from '../resilience/clock.js';
import { hedge } from '../resilience/hedging.js';
import type { ModelSettlement, ModelSpendLimit } from '../store/records.js';
import type { ModelStore } from '../store/ports/model-store.js';
import { sendModelRequest, type AttemptTimeouts } from './model-http.js';
import { failureKind, ModelCallError, type ModelOutcome } from './model-errors.js';
import { costMicros, estimateTokens, type ModelPrice } from './model-pricing.js';
import type { ModelMessage, ModelReply } from './model-reply.js';
import { checkOutput } from './output-contract.js';
import type { ProviderRuntime } from './provider-runtime.js';

/** One link of a resolved chain: a provider of this process and one of its models. */
export interface ResolvedLink {
  provider: ProviderRuntime;
  model: string;
  price: ModelPrice;
  /** Ask the next link too when this one has not answered after this long (only when the call allows hedging). */
  hedgeAfterMs: number | undefined;
}

/** Everything one execution of a model call needs, resolved from the config and the call's options. */
export interface CallPlan<T> {
  runId: string;
  workflow: string;
  step: string;
  stepSeq: number;
  stepAttempt: number;
  links: ResolvedLink[];
  messages: ModelMessage[];
  output: z.ZodType<T> | undefined;
  maxTokens: number;
  temperature: number | undefined;
  timeouts: AttemptTimeouts;
  attemptsPerProvider: number;
  repairAttempts: number;
  maxRetryAfterMs: number;
  limits: ModelSpendLimit[];
  hedge: boolean;
  promptHash: string;
}

export interface CallDeps {
  store: ModelStore;
  clock: Clock;
  /** Where `apiKeyEnv` names are looked up (process.env by default). */
  env: Record<string, string | undefined>;
}

/** What a model call returns (and checkpoints): the checked answer and what it cost. */
export interface ModelResult<T> {
  /** The answer parsed and checked against `output`; the text itself when the call has no `output`. */
  value: T;
  text: string;
  provider: string;
  model: string;
  usage: { input: number; output: number };
  /** Cost of the winning attempt, in micro-units of the prices' currency. */
  costMicros: number;
  /** Model attempts this call made (re-asks, retries and fall-overs included; across takeovers). */
  attempts: number;
}

/**
 * The answering attempt, not yet settled: its settlement is committed with the step's
 * checkpoint (models.ts), so the answer and its bill become durable together.
 */
export interface AnsweredCall<T> {
  result: ModelResult<T>;
  /** The attempt's ledger row. */
  attemptId: number;
  /** Its settlement, without the reply (the checkpoint holds it). */
  settlement: ModelSettlement;
}

/** A successful attempt, or an answer that broke the contract (re-asked). */
type AttemptResult<T> =
  | { ok: true; answered: AnsweredCall<T> }
  | { ok: false; reply: ModelReply; kind: 'truncated' | 'invalid-output'; errors: string[] };

/** Backoff between attempts on one provider after a transient fault that announced no wait. */
const TRANSIENT_BACKOFF = exponentialBackoff({ initialDelayMs: 200, maxDelayMs: 5_000, jitter: 'equal' });

/**
 * One execution of a model call, inside its durable step: walks the chain in order. On a
 * provider, transient faults are retried up to `attemptsPerProvider` (waiting the
 * provider's Retry-After when it announced one no longer than `maxRetryAfterMs`); an
 * answer that breaks the output contract (invalid, or truncated) is re-asked with the
 * errors, up to `repairAttempts` for the whole call; a provider that is drained, has its
 * breaker open, refuses the request (4xx) or keeps failing hands over to the next link.
 * A spent budget ends the call at once (terminal). Every attempt is reserved in the
 * ledger before the request; each that did not answer is settled after it, and the one
 * that answered is returned unsettled, for the step's checkpoint to settle (models.ts).
 */
export async function runModelCall<T>(plan: CallPlan<T>, deps: CallDeps, signal: AbortSignal): Promise<AnsweredCall<T>> {
  let repairsLeft = plan.repairAttempts;
  const failures: string[] = [];
  let onlyRefusals = true;
  for (let index = 0; index < plan.links.length; index++) {
    const link = plan.links[index]!;
    const name = `${link.provider.name}/${link.model}`;
    if (link.provider.drained) {
      failures.push(`${name}: drained`);
      continue;
    }
    let messages = plan.messages;
    let tries = 0;
    while (tries < plan.attemptsPerProvider) {
      if (link.provider.breaker.state === 'open' || link.provider.breaker.state === 'isolated') {
        failures.push(`${name}: circuit open`);
        onlyRefusals = false;
        break;
      }
      tries++;
      let attempt: AttemptResult<T>;
      try {
        const next = plan.links[index + 1];
        attempt =
          plan.hedge && link.hedgeAfterMs !== undefined && next && !next.provider.drained
            ? await hedged(plan, deps, link, next, messages, signal)
            : await attemptOnce(plan, deps, link, messages, signal);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (isHomeostatError(error, 'HS_BROKEN_CIRCUIT')) {
          // Opened meanwhile by another call (or its half-open probe slots are taken).
          failures.push(`${name}: circuit open`);
          onlyRefusals = false;
          break;
        }
        const kind = failureKind(error);
        const message = (error as Error).message;
        if (kind === 'budget-exhausted') throw error;
        if (kind === 'bad-request' || kind === 'key-missing') {
          failures.push(`${name}: ${message}`);
          break;
        }
        onlyRefusals = false;
        failures.push(`${name}: ${message}`);
        if (tries >= plan.attemptsPerProvider) break;
        const announced = (error as ModelCallError).retryAfterMs;
        if (announced !== undefined && announced > plan.maxRetryAfterMs) break; // the provider asks for longer than we wait: next link
        await deps.clock.sleep(announced ?? TRANSIENT_BACKOFF.delayMs(tries, 0, Math.random), signal);
        continue;
      }
      if (attempt.ok) return attempt.answered;
      onlyRefusals = false;
      failures.push(`${name}: ${attempt.kind}: ${attempt.errors.join('; ')}`);
      if (repairsLeft <= 0) break;
      repairsLeft--;
      tries--; // a re-ask is not a provider fault: it does not use up the provider's attempts
      messages = [...messages, { role: 'assistant', content: attempt.reply.text }, { role: 'user', content: repairPrompt(attempt.kind, attempt.errors) }];
    }
  }
  const summary = redactText(failures.join(' | ') || 'the chain is empty');
  if (onlyRefusals && failures.length > 0) throw new ModelCallError('bad-request', `every provider of the chain refused the call: ${summary}`);
  throw new ModelCallError('chain-exhausted', `every provider of the chain failed: ${summary}`);
}

function repairPrompt(kind: 'truncated' | 'invalid-output', errors: string[]): string {
  if (kind === 'truncated') return 'Your answer was cut off before it ended. Answer again, complete and shorter, with only the JSON.';
  return `Your answer did not match the required format:\n${errors.map((e) => `- ${e}`).join('\n')}\nAnswer again with only the corrected JSON.`;
}

/**
 * Race `link` against `next` once `link` has been silent for its `hedgeAfterMs` (the resilience
 * toolbox's hedge). Both answers are billed: an attempt that answered but did not win is
 * settled here, on its own (only the winner's settlement goes with the checkpoint).
 */
async function hedged<T>(plan: CallPlan<T>, deps: CallDeps, link: ResolvedLink, next: ResolvedLink, messages: ModelMessage[], signal: AbortSignal): Promise<AttemptResult<T>> {
  const policy = hedge({ delayMs: link.hedgeAfterMs!, maxHedges: 1, budget: { ratio: 1, burst: 1 }, clock: deps.clock });
  const answered: AnsweredCall<T>[] = [];
  let decided: AnsweredCall<T> | null | undefined;
  const settleAlone = (call: AnsweredCall<T>) => deps.store.settleModelAttempt(call.attemptId, call.settlement, plan.runId);
  const decide = (winner: AnsweredCall<T> | null) => {
    decided = winner;
    for (const call of answered) if (call !== winner) void settleAlone(call).catch(() => undefined);
  };
  return policy.execute(async ({ signal: attemptSignal, attempt }) => {
    const result = await attemptOnce(plan, deps, attempt === 1 ? link : next, messages, attemptSignal);
    // A broken contract is an answer, not a failure of the race: surface it as an error so the other attempt may still win.
    if (!result.ok) throw Object.assign(new ModelCallError(result.kind, result.errors.join('; ')), { contract: result });
    if (decided !== undefined) await settleAlone(result.answered); // answered after the race was decided
    else answered.push(result.answered);
    return result;
  }, signal).then(
    (result) => {
      decide(result.ok ? result.answered : null);
      return result;
    },
    (error: unknown) => {
      decide(null);
      const contract = (error as { contract?: AttemptResult<T> }).contract;
      if (contract) return contract;
      throw error;
    },
  );
}

/** One request to one provider: reserve, call, check, settle, report. */
async function attemptOnce<T>(plan: CallPlan<T>, deps: CallDeps, link: ResolvedLink, messages: ModelMessage[], signal: AbortSignal): Promise<AttemptResult<T>> {
  const { provider } = link;
  const envName = provider.config.apiKeyEnv;
  const apiKey = envName === undefined ? undefined : deps.env[envName];
  if (envName !== undefined && !apiKey) throw new ModelCallError('key-missing', `environment variable ${envName} (the key of provider ${provider.name}) is not set`);
  await takeToken(provider, plan.maxRetryAfterMs, deps.clock, signal);
  // The loop's `limit` rung: past it, no request; the chain moves on (as after a long Retry-After).
  if (!provider.tryEnter()) {
    throw new ModelCallError('rate-limited', `${provider.name}: ${provider.concurrencyLimit} attempt(s) already in flight in this process, the limit the loop set`, { retryAfterMs: Number.POSITIVE_INFINITY });
  }
  try {
    return await admittedAttempt(plan, deps, link, messages, apiKey, signal);
  } finally {
    provider.leave();
  }
}

/** One admitted request to one provider (its token taken, its slot held): reserve, call, check, settle, report. */
async function admittedAttempt<T>(plan: CallPlan<T>, deps: CallDeps, link: ResolvedLink, messages: ModelMessage[], apiKey: string | undefined, signal: AbortSignal): Promise<AttemptResult<T>> {
  const { provider } = link;

  const inputEstimate = estimateTokens(messages.map((m) => m.content).join('\n'));
  const now = deps.clock.now();
  const reservation = {
    runId: plan.runId,
    workflow: plan.workflow,
    stepSeq: plan.stepSeq,
    step: plan.step,
    stepAttempt: plan.stepAttempt,
    day: new Date(now).toISOString().slice(0, 10),
    provider: provider.name,
    model: link.model,
    promptHash: plan.promptHash,
    reservedTokens: inputEstimate + plan.maxTokens,
    reservedCostMicros: costMicros(link.price, inputEstimate, plan.maxTokens),
    startedAt: now,
  };
  const reserved = await deps.store.reserveModelAttempt(reservation, plan.limits);
  if (!reserved.reserved) throw budgetExhausted(reserved.limit, reserved.spent, reservation, plan);

  const settlementOf = (outcome: ModelOutcome | 'hedge-lost' | 'circuit-open', usage: { input: number; output: number }, extra: { error?: string; validationErrors?: string[] }): ModelSettlement => {
    const finishedAt = deps.clock.now();
    const settlement = {
      outcome,
      tokensIn: usage.input,
      tokensOut: usage.output,
      costMicros: costMicros(link.price, usage.input, usage.output),
      latencyMs: finishedAt - now,
      finishedAt,
      error: extra.error === undefined ? null : redactText(extra.error),
      validationErrors: extra.validationErrors === undefined ? null : JSON.stringify(extra.validationErrors.map(redactText)),
      reply: null,
    };
    if (outcome !== 'hedge-lost' && outcome !== 'circuit-open') {
      provider.record({ provider: provider.name, model: link.model, outcome, latencyMs: settlement.latencyMs, tokensIn: usage.input, tokensOut: usage.output, costMicros: settlement.costMicros, at: finishedAt });
    }
    return settlement;
  };
  // An attempt that did not answer is settled at once, on its own.
  const settle = async (outcome: ModelOutcome | 'hedge-lost' | 'circuit-open', usage: { input: number; output: number }, extra: { error?: string; validationErrors?: string[] }) => {
    await deps.store.settleModelAttempt(reserved.id, settlementOf(outcome, usage, extra), plan.runId);
  };

  let reply: ModelReply;
  try {
    reply = await provider.breaker.execute(
      ({ signal: breakerSignal }) =>
        sendModelRequest(
          { name: provider.name, kind: provider.config.kind, baseUrl: provider.config.baseUrl, apiKey },
          { model: link.model, messages, maxTokens: plan.maxTokens, temperature: plan.temperature, stream: provider.config.stream },
          plan.timeouts,
          breakerSignal,
          deps.clock,
        ),
      signal,
    );
  } catch (error) {
    const lost = signal.aborted && isHomeostatError(signal.reason, 'HS_HEDGE_LOST');
    const usage = error instanceof ModelCallError && error.usage ? error.usage : { input: 0, output: 0 };
    const outcome = lost ? 'hedge-lost' : isHomeostatError(error, 'HS_BROKEN_CIRCUIT') ? 'circuit-open' : failureKind(error);
    await settle(outcome, usage, { error: (error as Error).message });
    throw error;
  }

  if (reply.finish === 'length') {
    await settle('truncated', reply.usage, { error: `stopped at the token limit (${plan.maxTokens})` });
    return { ok: false, reply, kind: 'truncated', errors: [`the answer stopped at the token limit (${plan.maxTokens} tokens)`] };
  }
  let value: T;
  if (plan.output) {
    const check = checkOutput(reply.text, plan.output);
    if (!check.ok) {
      await settle(check.kind, reply.usage, { error: check.errors[0], validationErrors: check.errors });
      return { ok: false, reply, kind: check.kind, errors: check.errors };
    }
    value = check.value;
  } else {
    value = reply.text as T;
  }
  const settlement = settlementOf('ok', reply.usage, {});
  const result: ModelResult<T> = { value, text: reply.text, provider: reply.provider, model: reply.model, usage: reply.usage, costMicros: settlement.costMicros, attempts: reserved.callAttempt };
  return { ok: true, answered: { result, attemptId: reserved.id, settlement } };
}

/** Wait for the provider's own token bucket, or hand over to the next link when the wait is too long. */
async function takeToken(provider: ProviderRuntime, maxWaitMs: number, clock: Clock, signal: AbortSignal): Promise<void> {
  const bucket = provider.bucket;
  if (!bucket) return;
  while (!bucket.tryAcquire()) {
    const wait = bucket.retryAfterMs();
    if (wait > maxWaitMs) throw new ModelCallError('rate-limited', `${provider.name}: this process's limit of ${provider.config.limits.requestsPerSecond}/s is reached`, { retryAfterMs: wait });
    await clock.sleep(wait, signal);
  }
}

function budgetExhausted(
  limit: ModelSpendLimit,
  spent: { tokens: number; costMicros: number },
  reservation: { reservedTokens: number; reservedCostMicros: number; runId: string; workflow: string; day: string },
  plan: { step: string },
): ModelCallError {
  const scope = {
    call: `per call (step "${plan.step}")`,
    run: `per run (run ${reservation.runId})`,
    workflow: `per workflow per day (${reservation.workflow}, ${reservation.day})`,
    global: `global per day (${reservation.day})`,
  }[limit.scope];
  const parts: string[] = [];
  if (limit.maxTokens !== undefined && spent.tokens + reservation.reservedTokens > limit.maxTokens) {
    parts.push(`${spent.tokens} tokens spent or reserved + ${reservation.reservedTokens} for this attempt > ${limit.maxTokens}`);
  }
  if (limit.maxCostMicros !== undefined && spent.costMicros + reservation.reservedCostMicros > limit.maxCostMicros) {
    parts.push(`cost ${spent.costMicros / 1e6} spent or reserved + ${reservation.reservedCostMicros / 1e6} for this attempt > ${limit.maxCostMicros / 1e6}`);
  }
  return new ModelCallError('budget-exhausted', `model budget ${scope} exhausted: ${parts.join('; ')}`);
}
