import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { Engine } from '../workflow/engine.js';
import { defineWorkflow, type WorkflowDefinition } from '../workflow/define-workflow.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { startModelStandIn, type ModelStandIn } from '../testing/model-stand-in.js';
import { createModels, type ModelCallOptions, type Models, type ModelsOptions } from './models.js';
import type { ModelResult } from './model-call.js';

const Summary = z.strictObject({ summary: z.string(), sentiment: z.enum(['positive', 'negative', 'neutral']) });
type Summary = z.infer<typeof Summary>;
const GOOD = '{"summary":"blue sky","sentiment":"positive"}';

interface Harness {
  openai: ModelStandIn;
  claude: ModelStandIn;
  store: Store;
  models: Models;
  engine: Engine;
  run(options?: Partial<ModelCallOptions<Summary>>, input?: { n: number }): Promise<{ id: string; result: ModelResult<Summary> }>;
  attempts(runId: string): Promise<{ provider: string; outcome: string | null; status: string }[]>;
  close(): Promise<void>;
}

/** Two stand-in providers (OpenAI- and Anthropic-style, streaming), a SQLite store, an engine with one workflow making one model call. */
async function harness(
  config: Partial<ModelsOptions['config']> = {},
  extraWorkflows: (models: Models) => WorkflowDefinition<unknown, unknown>[] = () => [],
  failureThreshold = 3,
): Promise<Harness> {
  const openai = await startModelStandIn({ kind: 'openai', answer: () => GOOD });
  const claude = await startModelStandIn({ kind: 'anthropic', answer: () => GOOD });
  const store = await openStore('sqlite::memory:');
  const models = createModels({
    store,
    config: {
      providers: {
        openai: { kind: 'openai', baseUrl: openai.baseUrl, apiKeyEnv: 'STAND_IN_OPENAI_KEY', models: { 'gpt-small': { inputPerMillion: 1, outputPerMillion: 2 } }, breaker: { failureThreshold, halfOpenAfter: '1m' } },
        claude: { kind: 'anthropic', baseUrl: claude.baseUrl, models: { 'claude-small': { inputPerMillion: 3, outputPerMillion: 15 } } },
      },
      chains: { default: [{ provider: 'openai', model: 'gpt-small' }, { provider: 'claude', model: 'claude-small' }] },
      // Generous: a loaded machine is slow to a first byte. The tests of silences set short ones on their calls.
      defaults: { firstTokenTimeout: '10s', stallTimeout: '10s', timeout: '30s', maxTokens: 200, maxRetryAfter: '2s' },
      ...config,
    },
    env: { STAND_IN_OPENAI_KEY: 'sk-stand-in' },
  });
  let callOptions: Partial<ModelCallOptions<Summary>> = {};
  const summarize = defineWorkflow('summarize', async (ctx, _input: { n: number }) => models.call(ctx, 'summarize', { system: 'Answer in JSON.', prompt: 'Summarise: the sky is blue.', output: Summary, ...callOptions }));
  const engine = await Engine.open({ store, workflows: [summarize, ...extraWorkflows(models)], worker: { pollIntervalMs: 20 } });
  let n = 0;
  return {
    openai,
    claude,
    store,
    models,
    engine,
    async run(options = {}, input = { n: n++ }) {
      callOptions = options;
      const handle = await engine.start(summarize, input);
      return { id: handle.id, result: (await handle.result({ timeout: '20s' })) as ModelResult<Summary> };
    },
    async attempts(runId) {
      return (await store.listModelAttempts(runId)).map(({ provider, outcome, status }) => ({ provider, outcome, status }));
    },
    async close() {
      await engine.close();
      await store.close();
      await openai.close();
      await claude.close();
    },
  };
}

test('a valid answer is checked, checkpointed and recorded with tokens, cost and the prompt hash; the key never reaches the record', async () => {
  const h = await harness();
  try {
    const { id, result } = await h.run();
    assert.deepEqual(result.value, { summary: 'blue sky', sentiment: 'positive' });
    assert.equal(result.provider, 'openai');
    const [attempt] = await h.store.listModelAttempts(id);
    assert.equal(attempt!.status, 'settled');
    assert.equal(attempt!.outcome, 'ok');
    assert.equal(attempt!.tokensOut, Math.ceil(GOOD.length / 4));
    assert.equal(attempt!.tokensIn, h.openai.counts.inputTokens);
    assert.equal(attempt!.costMicros, attempt!.tokensIn * 1 + attempt!.tokensOut * 2);
    assert.match(attempt!.promptHash, /^[0-9a-f]{64}$/);
    assert.equal(attempt!.stepSeq, 1);
    assert.ok(!JSON.stringify(await h.store.listModelAttempts(id)).includes('sk-stand-in'));
  } finally {
    await h.close();
  }
});

test('429 with Retry-After: the call waits and asks the same provider again', async () => {
  const h = await harness();
  try {
    h.openai.script({ kind: 'rate-limit', retryAfterMs: 50 });
    const { id, result } = await h.run();
    assert.equal(result.provider, 'openai');
    assert.deepEqual(await h.attempts(id), [
      { provider: 'openai', outcome: 'rate-limited', status: 'settled' },
      { provider: 'openai', outcome: 'ok', status: 'settled' },
    ]);
    assert.equal(h.claude.counts.requests, 0);
  } finally {
    await h.close();
  }
});

test('a Retry-After longer than maxRetryAfter moves the chain on at once', async () => {
  const h = await harness();
  try {
    h.openai.script({ kind: 'rate-limit', retryAfterSeconds: 60 });
    const { id, result } = await h.run();
    assert.equal(result.provider, 'claude');
    assert.deepEqual((await h.attempts(id)).map((a) => a.outcome), ['rate-limited', 'ok']);
  } finally {
    await h.close();
  }
});

test('5xx, a reset connection, a hang before the first token and a stall mid-stream: retried, then the chain falls over', async () => {
  const h = await harness({}, () => [], 10);
  try {
    h.openai.script({ kind: 'status', status: 503 }, { kind: 'reset' });
    const first = await h.run();
    assert.equal(first.result.provider, 'claude', 'two faults use up openai\'s two attempts');
    assert.deepEqual((await h.attempts(first.id)).map((a) => `${a.provider}:${a.outcome}`), ['openai:server-error', 'openai:connection', 'claude:ok']);

    h.openai.script({ kind: 'hang' }, { kind: 'stall', chunks: 2 });
    const second = await h.run({ firstTokenTimeout: '1s', stallTimeout: '500ms' });
    assert.deepEqual((await h.attempts(second.id)).map((a) => `${a.provider}:${a.outcome}`), ['openai:first-token-timeout', 'openai:stalled', 'claude:ok']);
  } finally {
    await h.close();
  }
});

test('provider faults open its breaker: the next call skips it without a request', async () => {
  const h = await harness();
  try {
    h.openai.always({ kind: 'status', status: 500 });
    await h.run(); // 2 faults
    await h.run(); // 1 more: threshold 3 reached, the breaker opens
    const before = h.openai.counts.requests;
    const { id, result } = await h.run();
    assert.equal(result.provider, 'claude');
    assert.equal(h.openai.counts.requests, before, 'no request to a provider whose breaker is open');
    assert.deepEqual((await h.attempts(id)).map((a) => a.provider), ['claude']);
    assert.equal(h.models.health().find((p) => p.provider === 'openai')!.breaker, 'open');
  } finally {
    await h.close();
  }
});

test('a drained provider is skipped until restored', async () => {
  const h = await harness();
  try {
    h.models.drain('openai');
    assert.equal((await h.run()).result.provider, 'claude');
    assert.equal(h.openai.counts.requests, 0);
    h.models.restore('openai');
    assert.equal((await h.run()).result.provider, 'openai');
  } finally {
    await h.close();
  }
});

test('the store\'s state is followed: a provider drained there (by the loop, for every process) is skipped; a concurrency limit there sends calls past it to the next link', async () => {
  const h = await harness();
  try {
    await h.store.setModelProviderState({ provider: 'openai', drained: true, maxConcurrency: null, reason: 'incident 1', changedBy: 'controller', changedAt: Date.now() });
    assert.equal((await h.run()).result.provider, 'claude');
    assert.equal(h.openai.counts.requests, 0);
    assert.equal(h.models.health().find((p) => p.provider === 'openai')!.drained, true);
  } finally {
    await h.close();
  }
  const limited = await harness();
  try {
    await limited.store.setModelProviderState({ provider: 'openai', drained: false, maxConcurrency: 1, reason: 'incident 2', changedBy: 'controller', changedAt: Date.now() });
    // One call holds openai's one slot while its tokens stream slowly (over a second); the other finds it taken.
    limited.openai.script({ kind: 'slow', tokenDelayMs: 100 });
    const runs = await Promise.all([limited.run(), new Promise((resolve) => setTimeout(resolve, 150)).then(() => limited.run())]);
    assert.deepEqual(runs.map((r) => r.result.provider).sort(), ['claude', 'openai']);
    assert.equal(limited.openai.counts.requests, 1, 'no request past the limit');
    const passedOn = runs.find((r) => r.result.provider === 'claude')!;
    assert.deepEqual((await limited.attempts(passedOn.id)).map((a) => a.provider), ['claude'], 'a refusal by the limit is no attempt');
  } finally {
    await limited.close();
  }
});

test('a schema-invalid answer is re-asked with the validation errors, and the valid re-ask is the result', async () => {
  const h = await harness();
  try {
    h.openai.script({ kind: 'answer', text: '{"summary":"blue sky","sentiment":"ecstatic"}' });
    const { id, result } = await h.run();
    assert.deepEqual(result.value, { summary: 'blue sky', sentiment: 'positive' });
    const records = await h.store.listModelAttempts(id);
    assert.deepEqual(records.map((a) => a.outcome), ['invalid-output', 'ok']);
    const errors = JSON.parse(records[0]!.validationErrors!) as string[];
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^sentiment: /);
    const reAsk = h.openai.requests[1] as { messages: { role: string; content: string }[] };
    assert.equal(reAsk.messages.at(-2)!.role, 'assistant');
    assert.match(reAsk.messages.at(-1)!.content, /sentiment: /, 'the re-ask carries the validation errors');
    assert.equal(records[0]!.tokensOut > 0, true, 'an invalid answer is billed and recorded');
  } finally {
    await h.close();
  }
});

test('truncated JSON (unterminated, or cut at the token limit) is its own kind and re-asked', async () => {
  const h = await harness();
  try {
    h.openai.script({ kind: 'answer', text: '{"summary":"blue s' }, { kind: 'answer', text: '{"summary":"blue sky","sent', finish: 'length' }, { kind: 'cut-stream' });
    const { id, result } = await h.run({ repairAttempts: 2 });
    assert.equal(result.provider, 'openai');
    assert.deepEqual((await h.attempts(id)).map((a) => a.outcome), ['truncated', 'truncated', 'truncated', 'ok']);
  } finally {
    await h.close();
  }
});

test('re-asks are bounded: an answer still invalid after repairAttempts moves the chain on', async () => {
  const h = await harness();
  try {
    h.openai.always({ kind: 'answer', text: 'not json at all' });
    const { id, result } = await h.run({ repairAttempts: 1 });
    assert.equal(result.provider, 'claude');
    assert.deepEqual((await h.attempts(id)).map((a) => `${a.provider}:${a.outcome}`), ['openai:invalid-output', 'openai:invalid-output', 'claude:ok']);
  } finally {
    await h.close();
  }
});

test('an exhausted budget is terminal and explained: no request, no retry', async () => {
  const h = await harness({ budgets: { perRun: { tokens: 100 } } });
  try {
    const handle = await h.engine.start('summarize', { n: 1 });
    await assert.rejects(handle.result({ timeout: '10s' }), /HS_MODEL_BUDGET_EXHAUSTED|budget per run/);
    const run = await h.engine.getRun(handle.id);
    assert.equal(run!.status, 'failed');
    assert.equal(run!.error!.code, 'HS_MODEL_BUDGET_EXHAUSTED');
    assert.match(run!.error!.message, /model budget per run \(run .*\) exhausted: 0 tokens spent or reserved \+ \d+ for this attempt > 100/);
    assert.equal(h.openai.counts.requests + h.claude.counts.requests, 0);
    assert.deepEqual(await h.attempts(handle.id), []);
    const steps = await h.store.listSteps(handle.id);
    assert.equal(steps[0]!.attempts, 1, 'not retried');
  } finally {
    await h.close();
  }
});

test('a daily budget is shared by runs: an attempt reserves its worst case, settles at its real use, and the call that would exceed it fails', async () => {
  // A call reserves 11 input + 200 max output tokens = 211, and settles at 11 + 12 = 23.
  const h = await harness({ budgets: { globalPerDay: { tokens: 250 } } });
  try {
    await h.run();
    await h.run(); // 23 settled + 211 reserved fits in 250 only because the first settled at its real use
    const day = new Date().toISOString().slice(0, 10);
    const spent = await h.store.modelSpend(day);
    assert.equal(spent.tokens, h.openai.counts.inputTokens + h.openai.counts.outputTokens);
    assert.equal(spent.tokens, 46);
    assert.equal(spent.costMicros, h.openai.counts.inputTokens * 1 + h.openai.counts.outputTokens * 2);
    await assert.rejects(h.run(), /model budget global per day \(\d{4}-\d\d-\d\d\) exhausted: 46 tokens spent or reserved \+ 211 for this attempt > 250/);
    assert.equal(h.openai.counts.requests, 2);
  } finally {
    await h.close();
  }
});

test('replay returns the checkpoint: no second request, no second record', async () => {
  const h = await harness({}, (models) => [
    defineWorkflow('summarize-then-wait', async (ctx) => {
      const first = await models.call(ctx, 'summarize', { prompt: 'Summarise: the sky is blue.', output: Summary });
      const go = await ctx.waitForSignal<string>('go');
      return { first: first.value, go };
    }),
  ]);
  try {
    const handle = await h.engine.start('summarize-then-wait', {});
    for (let i = 0; i < 1000 && (await h.engine.getRun(handle.id))!.status !== 'waiting'; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(h.openai.counts.requests, 1);
    await h.engine.signal(handle.id, 'go', 'now');
    const output = (await handle.result({ timeout: '10s' })) as { first: Summary; go: string };
    assert.deepEqual(output, { first: { summary: 'blue sky', sentiment: 'positive' }, go: 'now' });
    assert.equal(h.openai.counts.requests, 1, 'the replay did not call the model again');
    assert.equal((await h.store.listModelAttempts(handle.id)).length, 1);
  } finally {
    await h.close();
  }
});

test('an unknown chain or provider is a terminal error naming what exists', async () => {
  const h = await harness();
  try {
    const handle = await h.engine.start('summarize', { n: 5 });
    await handle.result({ timeout: '10s' }); // warm up: the default chain works
    await assert.rejects(h.run({ chain: 'nope' }), /no model chain "nope" \(known: default\)/);
    await assert.rejects(h.run({ chain: [{ provider: 'ghost', model: 'x' }] }), /no model provider "ghost" \(known: openai, claude\)/);
  } finally {
    await h.close();
  }
});

test('hedging, where the call allows it: a slow first link is raced by the next one after hedgeAfter, the first answer wins and the loser is recorded as such', async () => {
  const h = await harness({
    chains: { default: [{ provider: 'openai', model: 'gpt-small', hedgeAfter: '100ms' }, { provider: 'claude', model: 'claude-small' }] },
  });
  try {
    h.openai.always({ kind: 'slow', tokenDelayMs: 150 });
    const unhedged = await h.run();
    assert.equal(unhedged.result.provider, 'openai', 'without hedge: true the slow link is waited for');
    assert.equal(h.claude.counts.requests, 0);

    const { id, result } = await h.run({ hedge: true });
    assert.equal(result.provider, 'claude');
    const attempts = await waitForSettled(h, id, 2);
    assert.deepEqual(attempts.map((a) => `${a.provider}:${a.outcome}`).sort(), ['claude:ok', 'openai:hedge-lost']);
  } finally {
    await h.close();
  }
});

/** The loser of a hedge settles after the winner returned: wait for it. */
async function waitForSettled(h: Harness, runId: string, count: number) {
  for (let i = 0; i < 1000; i++) {
    const attempts = await h.attempts(runId);
    if (attempts.length === count && attempts.every((a) => a.status === 'settled')) return attempts;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return h.attempts(runId);
}

test('an answer whose checkpoint cannot be written (over the payload limit) is settled on its own, answer kept: a later execution (a redrive) reuses it, no second request, billed once', async () => {
  const provider = await startModelStandIn({ kind: 'openai', answer: () => GOOD });
  const store = await openStore('sqlite::memory:');
  const models = createModels({
    store,
    config: {
      providers: { local: { kind: 'openai', baseUrl: provider.baseUrl, models: { small: { inputPerMillion: 1, outputPerMillion: 2 } } } },
      chains: { default: [{ provider: 'local', model: 'small' }] },
      defaults: { firstTokenTimeout: '10s', stallTimeout: '10s', timeout: '30s', maxTokens: 200 },
    },
  });
  const summarize = defineWorkflow('summarize-too-big', async (ctx) => models.call(ctx, 'summarize', { prompt: 'Summarise: the sky is blue.', output: Summary }));
  // The call's result (answer, text, usage, cost…) is well over 100 bytes: its step cannot be checkpointed.
  const engine = await Engine.open({ store, workflows: [summarize], worker: { pollIntervalMs: 20 }, maxPayloadBytes: 100 });
  try {
    const handle = await engine.start(summarize, {});
    await assert.rejects(handle.result({ timeout: '20s' }), /HS_PAYLOAD_TOO_LARGE|payload|too large/i);
    assert.equal(provider.counts.requests, 1);
    // Executed again from that step: the call finds its answer settled and kept, and asks nobody.
    await engine.redrive(handle.id);
    await assert.rejects(handle.result({ timeout: '20s' }), /HS_PAYLOAD_TOO_LARGE|payload|too large/i);
    assert.equal(provider.counts.requests, 1, 'the redriven execution took the answer settled by the first');
    assert.equal((await store.listAttempts(handle.id)).length, 2, 'the step was executed twice, failing each time at its checkpoint');
    const attempts = await store.listModelAttempts(handle.id);
    assert.deepEqual(attempts.map((a) => [a.status, a.outcome]), [['settled', 'ok']], 'the answer is billed once, not left open');
    assert.ok(attempts[0]!.tokensOut > 0);
    assert.deepEqual((await store.modelSpend(attempts[0]!.day, 'summarize-too-big')).tokens, attempts[0]!.tokensIn + attempts[0]!.tokensOut);
  } finally {
    await engine.close();
    await store.close();
    await provider.close();
  }
});
