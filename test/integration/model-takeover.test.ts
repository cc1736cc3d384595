/**
 * A worker SIGKILLed in the middle of a model call: after another worker takes the run
 * over, exactly one billed completion is recorded — whether the kill came while the answer
 * was streaming (the call is made again; the dead attempt's reservation is released, not
 * billed) or after the commit that settles the answer and checkpoints the call (the replay
 * returns the checkpointed answer; the provider is not asked again, nothing is billed again).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/index.js';
import { startModelStandIn } from '../../src/testing/index.js';
import { ChildGroup } from './helpers/child.js';
import { waitUntil } from './helpers/wait.js';
import { tempDir } from './temp-store.js';

const WORKER = new URL('./fixtures/model-worker.js', import.meta.url);
const ANSWER = JSON.stringify({ summary: 'The sky is blue, which the text states plainly and at some length.' });

async function scenario(dieAfterAnswer: boolean) {
  const tmp = tempDir('homeostat-model-kill-');
  const children = new ChildGroup();
  // Slow tokens: the first worker is still reading the stream when it is killed.
  const server = await startModelStandIn({ kind: 'openai', answer: () => ANSWER, tokenDelayMs: dieAfterAnswer ? 0 : 100 });
  let engine: Engine | undefined;
  try {
    const store = `sqlite:${tmp.dbPath}`;
    engine = await Engine.open({ store, worker: false });
    const args = (die: boolean) => [JSON.stringify({ store, baseUrl: server.baseUrl, dieAfterAnswer: die })];
    const victim = children.spawn(WORKER, args(dieAfterAnswer));
    await victim.waitForLine((line) => line.type === 'ready', 20_000, 'the victim to be ready');
    const run = await engine.start('model-pipeline', {});
    if (dieAfterAnswer) {
      await victim.exited; // it kills itself in the step after the model call
    } else {
      await waitUntil(() => server.counts.requests === 1, { timeoutMs: 10_000, message: 'the victim to call the model' });
      await victim.kill();
    }
    server.always({ kind: 'slow', tokenDelayMs: 0 });
    const survivor = children.spawn(WORKER, args(false));
    await survivor.waitForLine((line) => line.type === 'ready', 20_000, 'the survivor to be ready');
    const finished = await waitUntil(
      async () => {
        const current = await engine!.getRun(run.id);
        return current && ['completed', 'failed'].includes(current.status) ? current : undefined;
      },
      { timeoutMs: 30_000, message: 'the run to finish after the takeover', describe: () => survivor.stderr },
    );
    assert.equal(finished.status, 'completed', JSON.stringify(finished.error));
    assert.deepEqual(JSON.parse(finished.output!), JSON.parse(ANSWER));
    const attempts = await engine.store.listModelAttempts(run.id);
    const billed = attempts.filter((a) => a.status === 'settled' && a.outcome === 'ok');
    assert.equal(billed.length, 1, `exactly one billed completion: ${JSON.stringify(attempts)}`);
    assert.equal(server.counts.completions, 1, 'the provider finished exactly one answer');
    return { attempts, server };
  } finally {
    await children.killAll();
    await engine?.close();
    await server.close();
    tmp.cleanup();
  }
}

test('a worker SIGKILLed while the answer streams: the takeover asks again, the dead attempt is released, one completion is billed', { timeout: 90_000 }, async () => {
  const { attempts, server } = await scenario(false);
  assert.equal(server.counts.requests, 2, 'the interrupted call was made again');
  assert.deepEqual(attempts.map((a) => [a.status, a.outcome]), [['released', 'abandoned'], ['settled', 'ok']]);
  assert.equal(attempts[0]!.tokensOut, 0, 'the released reservation counts nothing against budgets');
});

test('a worker SIGKILLed after the answer was settled and checkpointed (one commit): the replay reuses it, no second request, no second bill', { timeout: 90_000 }, async () => {
  const { attempts, server } = await scenario(true);
  assert.equal(server.counts.requests, 1, 'the provider was not asked twice');
  assert.deepEqual(attempts.map((a) => [a.status, a.outcome]), [['settled', 'ok']]);
});
