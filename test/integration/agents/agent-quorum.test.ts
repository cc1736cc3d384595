// Quorum for byzantine outputs with real agent processes: one of three agents answers
// wrong (well-formed, on time), the quorum accepts the right answer, records the
// dissenter and every vote, reliabilities show it, replay never dispatches again; no
// quorum is a clear terminal error; a quarantined agent claims nothing and its task goes
// to another agent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentQuorum, type QuorumResult } from '../../../src/agents/agent-quorum.js';
import type { QuorumComparator } from '../../../src/agents/quorum-comparators.js';
import type { Store } from '../../../src/store/store.js';
import { defineWorkflow } from '../../../src/workflow/define-workflow.js';
import { AgentHarness } from './agent-harness.js';

const QUORUM_AGENT = new URL('./fixtures/quorum-agent-process.js', import.meta.url);

interface SumInput {
  a: number;
  b: number;
  k?: number;
  comparator?: QuorumComparator;
}

function sumWorkflow(store: Store) {
  const quorum = createAgentQuorum(store);
  return defineWorkflow('quorum-test-sum', async (ctx, input: SumInput) => {
    const result = await quorum.agents<{ sum: number; unit: string }>(ctx, 'sum', { capability: 'add', input: { a: input.a, b: input.b }, n: 3, k: input.k ?? 2, comparator: input.comparator ?? 'json' });
    const after = await ctx.step('after', () => `checked ${result.answer.sum}`);
    return { result, after };
  });
}

async function open(postgres = false) {
  return AgentHarness.open({ postgres, workflows: (store) => [sumWorkflow(store)] });
}

async function agentsView(h: AgentHarness) {
  const viewer = await h.token(`viewer-${Math.random()}`, 'viewer');
  const response = await fetch(`${h.url}/api/agents`, { headers: { authorization: `Bearer ${viewer}` } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { agents: { name: string; reliability: { votes: number; agreed: number; rate: number | null }; quarantine: unknown }[] }).agents;
}

for (const postgres of [false, true]) {
  test(`1 of 3 agents wrong (${postgres ? 'PostgreSQL' : 'SQLite'}): the right answer is accepted, the dissenter and every vote recorded, reliabilities shown, nothing dispatched twice`, async () => {
    const h = await open(postgres);
    try {
      // Capacity 3 each: only the quorum's rule keeps one agent from taking all three sub-tasks.
      const agents = await Promise.all([
        h.spawnAgent('adder-1', { script: QUORUM_AGENT, capabilities: ['add'], capacity: 3, workMs: 30 }),
        h.spawnAgent('adder-2', { script: QUORUM_AGENT, capabilities: ['add'], capacity: 3, workMs: 30 }),
        h.spawnAgent('adder-3', { script: QUORUM_AGENT, capabilities: ['add'], capacity: 3, workMs: 30, mode: 'wrong' }),
      ]);
      const runs = [];
      for (const [a, b] of [[2, 3], [10, 20], [7, 7]] as const) {
        const run = await h.engine.start('quorum-test-sum', { a, b });
        const output = (await run.result({ timeout: '30s' })) as { result: QuorumResult<{ sum: number; unit: string }>; after: string };
        assert.deepEqual(output.result.answer, { unit: 'count', sum: a + b }, 'the answer two honest agents agree on, key order aside');
        assert.deepEqual(output.result.agreed.sort(), ['adder-1', 'adder-2']);
        assert.deepEqual(output.result.dissenters, ['adder-3']);
        assert.equal(output.after, `checked ${a + b}`);
        runs.push(run.id);
      }
      for (const runId of runs) {
        const tasks = await h.store.listAgentTasks({ runId });
        assert.equal(tasks.length, 3, 'n sub-tasks');
        assert.deepEqual(tasks.map((task) => task.agent).sort(), ['adder-1', 'adder-2', 'adder-3'], 'on 3 distinct agents');
        for (const task of tasks) assert.deepEqual((await h.history(task.id)).map((entry) => entry.split(':')[0]), ['created', 'claimed', 'completed'], 'each created and claimed once, though the run replayed');
        const [quorum] = await h.store.listAgentQuorums({ runId });
        assert.deepEqual({ status: quorum!.status, n: quorum!.n, k: quorum!.k, comparator: quorum!.comparator, detail: quorum!.detail }, { status: 'accepted', n: 3, k: 2, comparator: 'json', detail: 'dissenters: adder-3' });
        const votes = await h.store.listAgentQuorumVotes(quorum!.id);
        assert.deepEqual(votes.map((vote) => [vote.voter, vote.agreed]), [['adder-1', true], ['adder-2', true], ['adder-3', false]]);
        assert.ok((await h.store.getRun(runId))!.epoch >= 2, 'the run suspended while it waited and was replayed');
      }
      const reliability = Object.fromEntries((await agentsView(h)).map((agent) => [agent.name, agent.reliability]));
      assert.deepEqual(reliability, { 'adder-1': { votes: 3, agreed: 3, rate: 1 }, 'adder-2': { votes: 3, agreed: 3, rate: 1 }, 'adder-3': { votes: 3, agreed: 0, rate: 0 } });
      for (const agent of agents) assert.equal(agent.child.linesOf('claimed').length, 3, `${agent.name} took one sub-task of each quorum`);
    } finally {
      await h.close();
    }
  });
}

test('no k agreeing is a terminal HS_AGENT_QUORUM_NOT_REACHED with the answers seen, the decision recorded', async () => {
  const h = await open();
  try {
    await h.spawnAgent('adder-1', { script: QUORUM_AGENT, capabilities: ['add'], workMs: 10 });
    await h.spawnAgent('adder-2', { script: QUORUM_AGENT, capabilities: ['add'], workMs: 10 });
    await h.spawnAgent('adder-3', { script: QUORUM_AGENT, capabilities: ['add'], workMs: 10, mode: 'wrong' });
    const strict = await h.engine.start('quorum-test-sum', { a: 1, b: 1, k: 3 });
    await assert.rejects(strict.result({ timeout: '30s' }), (error: Error) => {
      // Groups come in the order of the sub-tasks, whichever agent took which.
      assert.match(error.message, /quorum "sum" \(.+\): no 3 of 3 answers agreed \(at most 2 did\); answers seen: /);
      assert.match(error.message, /\{[^}]*"sum":2[^}]*\} from adder-[12], adder-[12]/);
      assert.match(error.message, /\{[^}]*"sum":3[^}]*\} from adder-3/);
      return true;
    });
    const decide = (await h.store.listSteps(strict.id)).find((step) => step.name === 'quorum-decide:sum');
    assert.equal(decide?.status, 'completed', 'the decision is recorded; the run fails after it, not the step by retries');
    const [quorum] = await h.store.listAgentQuorums({ runId: strict.id });
    assert.equal(quorum!.status, 'no-quorum');
    assert.equal((await h.store.getRun(strict.id))!.status, 'failed');
  } finally {
    await h.close();
  }
});

test('a quarantined agent claims nothing: its task in flight goes to another agent and its late answer is refused; released, it claims again', async () => {
  const h = await open();
  try {
    const slow = await h.spawnAgent('slow', { capabilities: ['research'], workMs: 1_500 });
    const run = await h.start('quarantine');
    const claimed = await slow.child.waitForLine((line) => line.type === 'claimed', 10_000, 'the slow agent took the task');
    const { requeued } = await h.store.quarantineAgent('slow', 'test: keeps dissenting', 'test', Date.now());
    assert.deepEqual(requeued, [claimed.id]);
    assert.deepEqual((await agentsView(h)).find((agent) => agent.name === 'slow')!.quarantine, { reason: 'test: keeps dissenting', by: 'test', at: (await h.store.listAgentQuarantines())[0]!.changedAt });
    await slow.child.waitForLine((line) => line.type === 'refused' || line.type === 'lost', 10_000, 'the quarantined agent lost its task');
    const other = await h.spawnAgent('fresh', { capabilities: ['research'], workMs: 10 });
    const output = (await run.result({ timeout: '20s' })) as { found: { by: string } };
    assert.equal(output.found.by, 'fresh', 'the requeued task went to the agent not quarantined');
    assert.deepEqual((await h.history(claimed.id as string)).slice(0, 4), ['created:-:0', 'claimed:slow:1', 'requeued:slow:1', 'claimed:fresh:2']);
    await other.child.kill();
    await h.store.releaseAgent('slow', 'test: released', 'test', Date.now());
    const again = await h.start('after release');
    await slow.child.waitForLine((line) => line.type === 'claimed' && line.id !== claimed.id, 10_000, 'released, it claims again');
    assert.equal(((await again.result({ timeout: '20s' })) as { found: { by: string } }).found.by, 'slow');
  } finally {
    await h.close();
  }
});

test('bad quorum definitions fail the run with HS_AGENT_TASK_INVALID naming the option, and queue nothing', async () => {
  const h = await open();
  try {
    await h.spawnAgent('adder-1', { script: QUORUM_AGENT, capabilities: ['add'], workMs: 10 });
    const cases: [SumInput, RegExp][] = [
      [{ a: 1, b: 1, k: 4 }, /quorum "sum": k must be a whole number from 1 to n \(3\), got 4/],
      [{ a: 1, b: 1, k: 0 }, /quorum "sum": k must be a whole number from 1 to n \(3\), got 0/],
      [{ a: 1, b: 1, comparator: { numeric: -1 } }, /quorum comparator: numeric tolerance must be a finite number ≥ 0, got -1/],
      [{ a: 1, b: 1, comparator: 'loose' as never }, /quorum comparator must be 'exact', 'json', \{ numeric: tolerance \} or \{ name, equals \}, got "loose"/],
    ];
    for (const [input, message] of cases) {
      const run = await h.engine.start('quorum-test-sum', input);
      await assert.rejects(run.result({ timeout: '20s' }), message, JSON.stringify(input));
      assert.equal((await h.store.getRun(run.id))!.error?.code, 'HS_AGENT_TASK_INVALID');
      assert.deepEqual(await h.store.listAgentTasks({ runId: run.id }), [], 'nothing queued');
      assert.deepEqual(await h.store.listAgentQuorums({ runId: run.id }), []);
    }
  } finally {
    await h.close();
  }
});
