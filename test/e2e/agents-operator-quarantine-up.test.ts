// Under `homeostat up`: an operator quarantines an agent by hand (`homeostat agents
// quarantine`, through up's API): the task it holds goes to another agent at once, the change
// is audited in the operator's name, an unknown name is refused, and a release lets it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentTasks } from '../../src/agents/agent-tasks.js';
import { defineWorkflow } from '../../src/workflow/define-workflow.js';
import { Engine } from '../../src/workflow/engine.js';
import { ChildGroup } from '../integration/helpers/child.js';
import { UpHarness } from './loop-harness.js';
import { spawnUpAgent, upApiUrl } from './up-agents.js';

const AGENT = new URL('../integration/agents/fixtures/agent-process.js', import.meta.url);

test('homeostat up: homeostat agents quarantine takes an agent out at once, audited as the operator; release lets it back; an unknown agent is refused', async () => {
  const h = new UpHarness('agentElements: { every: 200ms }\n');
  const children = new ChildGroup();
  let engine: Engine | undefined;
  try {
    await h.up();
    const apiUrl = await upApiUrl(h);
    const spawnAgent = (name: string, workMs: number) => spawnUpAgent(h, children, apiUrl, AGENT, name, ['research', '1', String(workMs)]);
    const slow = await spawnAgent('worker-1', 120_000);
    const agents = createAgentTasks(h.db());
    const research = defineWorkflow('operator-quarantine-research', async (ctx, topic: string) => agents.task<{ by: string }>(ctx, 'research', { capability: 'research', input: { topic }, lease: '10m' }));
    engine = await Engine.open({ store: h.db(), workflows: [research as never], inMemoryWaitMs: 0 });
    const run = await engine.start('operator-quarantine-research', 'by hand');
    const claimed = await slow.waitForLine((line) => line.type === 'claimed', 15_000, 'worker-1 to claim the task');

    const quarantined = await h.cli('agents', 'quarantine', 'worker-1', '--reason', 'its answers look wrong');
    assert.equal(quarantined.status, 0, quarantined.out);
    assert.match(quarantined.out, new RegExp(`quarantined worker-1: it claims no task until an operator releases it \\(the loop does not\\); 1 task\\(s\\) it held went back to the queue \\(${String(claimed.id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
    await spawnAgent('worker-2', 100);
    assert.deepEqual(await run.result({ timeout: '30s' }), { by: 'worker-2', input: { topic: 'by hand' }, generation: 2 }, 'the other agent took it at once, not after the 10 m lease');
    assert.match((await h.cli('agents')).out, /worker-1 \(quarantined\)\s+alive/);

    const audit = await h.db().listAudit({ afterSeq: 0, limit: 10_000 });
    const entry = audit.find((a) => a.action === 'agent.quarantined');
    assert.ok(entry, 'audited');
    assert.match(entry.actor, /^api:/, 'in the name of the token the CLI used');
    assert.equal(entry.subject, 'agent:worker-1');
    assert.deepEqual(JSON.parse(entry.data), { agent: 'worker-1', reason: 'its answers look wrong', requeued: [String(claimed.id)] });
    assert.deepEqual((await h.db().listAgentQuarantines()).map((q) => [q.agent, q.quarantined, q.reason]), [['worker-1', true, 'its answers look wrong']]);

    const unknown = await h.cli('agents', 'quarantine', 'nobody');
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.out, /HS_AGENT_NOT_FOUND|no agent "nobody" is registered/);
    assert.equal((await h.db().listAgentQuarantines()).length, 1, 'nothing written for an unknown name');

    const released = await h.cli('agents', 'release', 'worker-1');
    assert.equal(released.status, 0, released.out);
    assert.match(released.out, /released worker-1: it claims tasks again/);
    assert.doesNotMatch((await h.cli('agents')).out, /quarantined/);
    assert.ok((await h.db().listAudit({ afterSeq: 0, limit: 10_000 })).some((a) => a.action === 'agent.released' && a.subject === 'agent:worker-1'));
    await h.down();
  } finally {
    await engine?.close();
    await children.killAll();
    await h.close();
  }
});
