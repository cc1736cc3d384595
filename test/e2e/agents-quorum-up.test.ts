// Under `homeostat up` with a policy: three agent processes answer quorum tasks, one of
// them wrong every time; its reliability falls, the loop raises `agent-dissenting` on
// `agent:adder-3`, the policy quarantines it — in the store, which the dispatcher of up's
// API honours —, the incident resolves, and the next quorum is answered without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentQuorum, type QuorumResult } from '../../src/agents/agent-quorum.js';
import { defineWorkflow } from '../../src/workflow/define-workflow.js';
import { Engine } from '../../src/workflow/engine.js';
import { ChildGroup, type JsonChild } from '../integration/helpers/child.js';
import { UpHarness } from './loop-harness.js';
import { spawnUpAgent, upApiUrl } from './up-agents.js';

const QUORUM_AGENT = new URL('../integration/agents/fixtures/quorum-agent-process.js', import.meta.url);
const AGENT = new URL('../integration/agents/fixtures/agent-process.js', import.meta.url);

test('homeostat up: an agent that keeps dissenting in quorums is quarantined through the loop, audited and explained, and quorums go on without it', async () => {
  const h = new UpHarness(`services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
agentElements: { minReliability: 0.5, minVotes: 3, every: 200ms }
policies:
  quarantine-dissenters:
    match: { symptom: [agent-dissenting] }
    ladder: [{ action: quarantine }, { action: escalate }]
    verify: { healthyFor: 500ms, timeout: 20s }
`);
  const children = new ChildGroup();
  let engine: Engine | undefined;
  try {
    await h.up();
    const apiUrl = await upApiUrl(h);
    const spawnAdder = (name: string, mode?: string): Promise<JsonChild> => spawnUpAgent(h, children, apiUrl, QUORUM_AGENT, name, ['add', '3', '20', ...(mode ? [mode] : [])]);
    await spawnAdder('adder-1');
    await spawnAdder('adder-2');
    const wrong = await spawnAdder('adder-3', 'wrong');

    const quorum = createAgentQuorum(h.db());
    const sum = defineWorkflow('quorum-up-sum', async (ctx, input: { a: number; b: number }) => quorum.agents<{ sum: number }>(ctx, 'sum', { capability: 'add', input, n: 3, k: 2, comparator: 'json' }));
    engine = await Engine.open({ store: h.db(), workflows: [sum as never], inMemoryWaitMs: 0 });
    for (let i = 0; i < 3; i++) {
      const run = await engine.start('quorum-up-sum', { a: i, b: 10 });
      const result = (await run.result({ timeout: '30s' })) as QuorumResult<{ sum: number }>;
      assert.equal(result.answer.sum, i + 10, 'the honest majority\'s answer');
      assert.deepEqual(result.dissenters, ['adder-3']);
    }

    const incident = await h.waitForIncident((i) => i.element === 'agent:adder-3' && i.symptom === 'agent-dissenting', 20_000, 'the incident about the dissenting agent');
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 30_000, 'the quarantine to be verified');
    assert.equal(resolved.resolvedBy, 'quarantine agent:adder-3');
    const [quarantine] = await h.db().listAgentQuarantines();
    assert.deepEqual({ agent: quarantine!.agent, quarantined: quarantine!.quarantined, changedBy: quarantine!.changedBy }, { agent: 'adder-3', quarantined: true, changedBy: 'controller' });
    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const symptom = explained.entries.find((e) => e.kind === 'symptom')!;
    assert.match(String(symptom.data.description), /agent-dissenting on agent:adder-3: adder-3 agreed with the accepted answer in 0 of its 3 quorum votes \(0%\), below minReliability 0\.5/);
    const action = explained.entries.find((e) => e.kind === 'action')!;
    assert.equal(action.data.ok, true);
    assert.match(String(action.data.detail), /quarantined agent adder-3: it claims no task/);
    const audit = await h.db().listAudit({ afterSeq: 0, limit: 10_000 });
    assert.ok(audit.some((a) => a.action === 'action.quarantine' && a.subject === incident.id), 'the quarantine is audited');
    const listed = await h.cli('agents');
    assert.match(listed.out, /adder-3 \(quarantined\)\s+alive\s+.*0% \(0\/3\)/);
    assert.match(listed.out, /adder-1\s+alive\s+.*100% \(3\/3\)/);

    // The next quorum needs three distinct agents: a fourth joins, and the quarantined one takes nothing.
    const claimedBefore = wrong.linesOf('claimed').length;
    await spawnAdder('adder-4');
    const after = await engine.start('quorum-up-sum', { a: 5, b: 5 });
    const result = (await after.result({ timeout: '30s' })) as QuorumResult<{ sum: number }>;
    assert.deepEqual({ sum: result.answer.sum, agreed: result.agreed.sort(), dissenters: result.dissenters }, { sum: 10, agreed: ['adder-1', 'adder-2', 'adder-4'], dissenters: [] });
    assert.equal(wrong.linesOf('claimed').length, claimedBefore, 'the quarantined agent claimed nothing more');
    await h.down();
  } finally {
    await engine?.close();
    await children.killAll();
    await h.close();
  }
});

test('homeostat up: an agent SIGKILLed is agent-unresponsive; the policy quarantines it and the incident resolves on that', async () => {
  const h = new UpHarness(`services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
agentElements: { unresponsiveWhen: dead, every: 200ms }
policies:
  quarantine-unresponsive:
    match: { symptom: [agent-unresponsive] }
    ladder: [{ action: quarantine }]
    verify: { healthyFor: 500ms, timeout: 20s }
`);
  const children = new ChildGroup();
  try {
    await h.up();
    const apiUrl = await upApiUrl(h);
    const doomed = await spawnUpAgent(h, children, apiUrl, AGENT, 'doomed', ['research', '1', '60000']);
    // Seen alive by the watch first: an agent already dead when it first looks is history.
    await h.waitFor(async () => (await h.cli('agents')).out.includes('alive'), 5_000, 'the agent listed alive');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await doomed.kill();
    const incident = await h.waitForIncident((i) => i.element === 'agent:doomed' && i.symptom === 'agent-unresponsive', 20_000, 'the incident about the killed agent');
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 30_000, 'the quarantine to be verified');
    assert.equal(resolved.resolvedBy, 'quarantine agent:doomed');
    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    assert.match(String(explained.entries.find((e) => e.kind === 'symptom')!.data.description), /agent-unresponsive on agent:doomed: doomed is dead: no heartbeat for [\d.]+ s \(it promised one every 200 ms\)/);
    assert.deepEqual((await h.db().listAgentQuarantines()).map((q) => [q.agent, q.quarantined, q.changedBy]), [['doomed', true, 'controller']]);
    await h.down();
  } finally {
    await children.killAll();
    await h.close();
  }
});
