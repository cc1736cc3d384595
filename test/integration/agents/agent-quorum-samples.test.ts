// A quorum over n samples of a model: three model.call steps against a real stand-in
// server over HTTP, one answering differently; the majority's answer is accepted, the
// odd sample is the dissenter, and the decision and votes are recorded once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentQuorum, type QuorumResult } from '../../../src/agents/agent-quorum.js';
import { createModels } from '../../../src/model/models.js';
import { openStore } from '../../../src/store/open-store.js';
import { startModelStandIn } from '../../../src/testing/model-stand-in.js';
import { defineWorkflow } from '../../../src/workflow/define-workflow.js';
import { Engine } from '../../../src/workflow/engine.js';

test('3 samples of a model, one answering differently: the 2 that agree are accepted, the third is the dissenter, recorded once', async () => {
  let asked = 0;
  // The second request answers differently, whichever sample it is.
  const model = await startModelStandIn({ kind: 'openai', answer: () => (++asked === 2 ? 'Lyon' : 'Paris') });
  const store = await openStore('sqlite::memory:');
  const models = createModels({
    store,
    config: {
      providers: { local: { kind: 'openai', baseUrl: model.baseUrl, models: { small: { inputPerMillion: 1, outputPerMillion: 1 } } } },
      chains: { default: [{ provider: 'local', model: 'small' }] },
      defaults: { firstTokenTimeout: '10s', stallTimeout: '10s', timeout: '30s', maxTokens: 20 },
    },
  });
  const quorum = createAgentQuorum(store);
  const capital = defineWorkflow('capital', async (ctx) =>
    quorum.samples<string>(ctx, 'capital', { n: 3, k: 2, comparator: 'exact', sample: (i) => models.call(ctx, `capital#${i}`, { prompt: 'Capital of France? One word.' }).then((r) => r.value) }),
  );
  const engine = await Engine.open({ store, workflows: [capital as never], worker: { pollIntervalMs: 20 } });
  try {
    const run = await engine.start('capital', {});
    const result = (await run.result({ timeout: '30s' })) as QuorumResult<string>;
    assert.equal(result.answer, 'Paris');
    assert.equal(result.agreed.length, 2);
    assert.equal(result.dissenters.length, 1);
    assert.match(result.dissenters[0]!, /^sample:[123]$/);
    assert.equal(asked, 3, 'one model request per sample');
    const [record] = await store.listAgentQuorums({ runId: run.id });
    assert.deepEqual({ status: record!.status, capability: record!.capability, comparator: record!.comparator, answer: record!.answer }, { status: 'accepted', capability: null, comparator: 'exact', answer: '"Paris"' });
    const votes = await store.listAgentQuorumVotes(record!.id);
    assert.deepEqual(votes.map((vote) => [vote.voter, vote.agreed, vote.answer]).filter(([, agreed]) => !agreed), [[result.dissenters[0], false, '"Lyon"']]);
    assert.equal(votes.length, 3);
    assert.deepEqual(await store.agentReliabilities(), [], 'samples are no agents: no reliability');
  } finally {
    await engine.close();
    await store.close();
    await model.close();
  }
});
