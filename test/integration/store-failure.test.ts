import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, SqliteStore, createModels, defineWorkflow, type Store } from '../../src/index.js';
import { startModelStandIn } from '../../src/testing/index.js';
import { tempDir } from './temp-store.js';

/** A store whose chosen method fails `times` times (a lost connection, a locked file). */
function failing(store: Store, method: keyof Store, times: number): Store & { failures: number } {
  let remaining = times;
  const wrapper = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'failures') return times - remaining;
      if (property !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        if (remaining > 0) {
          remaining--;
          throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return wrapper as Store & { failures: number };
}

test('a store failure while checkpointing does not fail the run: it is retried and completes, each step once', async () => {
  const tmp = tempDir();
  const store = failing(SqliteStore.open(tmp.dbPath), 'saveStep', 2);
  const executions = new Map<string, number>();
  const count = (name: string) => executions.set(name, (executions.get(name) ?? 0) + 1);
  const wf = defineWorkflow('survives-store-errors', async (ctx) => {
    const a = await ctx.step('a', () => (count('a'), 1));
    const b = await ctx.step('b', () => (count('b'), a + 1));
    return b;
  });
  const engine = await Engine.open({ store, workflows: [wf], worker: { errorRetryDelayMs: 20, pollIntervalMs: 10 } });
  try {
    const run = await engine.start(wf, null);
    assert.equal(await run.result({ timeout: '10s' }), 2);
    assert.equal(store.failures, 2);
    const details = await engine.describe(run.id);
    assert.deepEqual(details.steps.map((s) => s.status), ['completed', 'completed']);
    assert.equal(details.run.error, null);
    // A step whose checkpoint failed ran again (at-least-once); one that was recorded did not.
    assert.equal((executions.get('a') ?? 0) + (executions.get('b') ?? 0) <= 4, true);
    assert.ok((executions.get('a') ?? 0) >= 1);
  } finally {
    await engine.close();
    await store.close();
    tmp.cleanup();
  }
});

test('a store failure while recording a failed attempt is not mistaken for a step failure', async () => {
  const tmp = tempDir();
  const store = failing(SqliteStore.open(tmp.dbPath), 'recordAttempt', 1);
  let calls = 0;
  const wf = defineWorkflow('attempt-record-fails', async (ctx) =>
    ctx.step('flaky', () => {
      calls++;
      if (calls === 1) throw new Error('first call fails');
      return 'ok';
    }, { retry: { maxAttempts: 2, initialDelay: 1 } }),
  );
  const engine = await Engine.open({ store, workflows: [wf], worker: { errorRetryDelayMs: 20, pollIntervalMs: 10 } });
  try {
    const run = await engine.start(wf, null);
    assert.equal(await run.result({ timeout: '10s' }), 'ok');
    assert.equal((await engine.describe(run.id)).run.status, 'completed');
  } finally {
    await engine.close();
    await store.close();
    tmp.cleanup();
  }
});

test('a model answer whose checkpoint commit fails (the store locked): settled on its own with its answer kept; the retried execution reuses it — one request, billed once', async () => {
  const tmp = tempDir();
  const provider = await startModelStandIn({ kind: 'openai', answer: () => '{"summary":"blue sky"}' });
  const store = failing(SqliteStore.open(tmp.dbPath), 'saveStep', 1);
  const models = createModels({
    store,
    config: {
      providers: { local: { kind: 'openai', baseUrl: provider.baseUrl, models: { small: { inputPerMillion: 1, outputPerMillion: 2 } } } },
      chains: { default: [{ provider: 'local', model: 'small' }] },
      defaults: { firstTokenTimeout: '10s', stallTimeout: '10s', timeout: '30s' },
    },
  });
  const wf = defineWorkflow('model-checkpoint-fails', async (ctx) => (await models.call(ctx, 'summarize', { prompt: 'Summarise: the sky is blue.' })).text);
  const engine = await Engine.open({ store, workflows: [wf], worker: { errorRetryDelayMs: 20, pollIntervalMs: 10 } });
  try {
    const run = await engine.start(wf, null);
    assert.equal(await run.result({ timeout: '20s' }), '{"summary":"blue sky"}');
    assert.equal(store.failures, 1, 'the model step\'s first checkpoint failed');
    assert.equal(provider.counts.requests, 1, 'the second execution took the answer settled on its own');
    const attempts = await store.listModelAttempts(run.id);
    assert.deepEqual(attempts.map((a) => [a.status, a.outcome]), [['settled', 'ok']]);
    assert.ok(attempts[0]!.tokensOut > 0);
  } finally {
    await engine.close();
    await store.close();
    await provider.close();
    tmp.cleanup();
  }
});
