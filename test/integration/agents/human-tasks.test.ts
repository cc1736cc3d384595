// Human tasks of task graphs with real agent processes and the real API and CLI: a review
// routed to a person shows in the inbox, its answer (API or CLI) resumes the graph,
// attributed and audited, answered once; a review whose due time lapses is escalated to
// its fallback, audited, and the late answer to the lapsed task is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main.js';
import { waitUntil } from '../helpers/wait.js';
import { AgentHarness } from './agent-harness.js';
import { graphWorkflows } from './fixtures/graph-workflows.js';

async function cli(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(args, (line) => out.push(line), (line) => err.push(line));
  return { status, out: out.join('\n'), err: err.join('\n') };
}

async function call(h: AgentHarness, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${h.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

type InboxTask = { id: string; runId: string; task: string; assignee: string; status: string; input: { deps: Record<string, { by: string }> }; completedBy: string | null; dueAt: number | null };

const open = (postgres = false) => AgentHarness.open({ postgres, workflows: (store, knowledge) => graphWorkflows(store, { audit: knowledge.audit }) });

for (const storeKind of ['sqlite', 'postgres'] as const) test(`${storeKind}: a review routed to a person shows in the inbox; an operator's answer through the API resumes the graph, audited as them; a second answer is refused; the graph view shows every task`, async () => {
  const h = await open(storeKind === 'postgres');
  try {
    await h.spawnAgent('drafter');
    const viewer = await h.token('viewer', 'viewer');
    const operator = await h.token('alice', 'operator');
    const agentToken = await h.token('sneaky');
    const run = await h.engine.start('graph-human', {});
    const inbox = async () => ((await call(h, viewer, 'GET', '/api/inbox')).json.tasks as InboxTask[]).filter((task) => task.runId === run.id);
    const [review] = await waitUntil(async () => { const tasks = await inbox(); return tasks.length > 0 && tasks; }, { timeoutMs: 20_000, message: 'the review in the inbox' });
    assert.deepEqual({ task: review!.task, assignee: review!.assignee, status: review!.status, dueAt: review!.dueAt }, { task: 'review', assignee: 'reviewer', status: 'open', dueAt: null });
    assert.equal(review!.input.deps.draft!.by, 'drafter', 'the reviewer sees the draft the agent wrote');
    const listed = await cli('inbox', '--api', h.url, '--token', viewer);
    assert.equal(listed.status, 0, listed.err);
    assert.match(listed.out, new RegExp(`${review!.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+review\\s+reviewer\\s+open`), listed.out);
    const graphWhileWaiting = (await call(h, viewer, 'GET', `/api/runs/${run.id}/graph`)).json.graphs as { tasks: { id: string; state: string }[] }[];
    assert.deepEqual(graphWhileWaiting[0]!.tasks.map((task) => [task.id, task.state]), [['draft', 'completed'], ['review', 'running'], ['publish', 'pending']]);
    for (const [token, code] of [[viewer, 403], [agentToken, 403]] as const) {
      assert.equal((await call(h, token, 'POST', `/api/inbox/${encodeURIComponent(review!.id)}/complete`, { result: { approved: true } })).status, code, 'only operators answer');
    }
    assert.equal((await call(h, operator, 'POST', `/api/inbox/${encodeURIComponent(review!.id)}/complete`, {})).status, 400, 'an answer needs its result');
    const answered = await call(h, operator, 'POST', `/api/inbox/${encodeURIComponent(review!.id)}/complete`, { result: { approved: true } });
    assert.equal(answered.status, 200, JSON.stringify(answered.json));
    const output = (await run.result({ timeout: '20s' })) as { outputs: { publish: unknown } };
    assert.deepEqual(output.outputs.publish, { approved: { approved: true } }, 'the answer is the review\'s output, given to the next task');
    const again = await call(h, operator, 'POST', `/api/inbox/${encodeURIComponent(review!.id)}/complete`, { result: { approved: false } });
    assert.deepEqual([again.status, again.json.error?.code], [409, 'HS_HUMAN_TASK_CLOSED']);
    const audited = (await h.store.listAudit({ limit: 100 })).filter((entry) => entry.action === 'human-task.completed');
    assert.deepEqual(audited.map((entry) => [entry.actor, entry.subject]), [['api:alice', review!.id]], 'audited once, as the operator\'s token');
    const graph = await cli('runs', 'graph', run.id, '--api', h.url, '--token', viewer);
    assert.equal(graph.status, 0, graph.err);
    assert.match(graph.out, /review\s+completed\s+human\s+reviewer\s+draft\s+1\s+api:alice/, graph.out);
    assert.match(graph.out, /draft\s+completed\s+agent\s+research\s+-\s+1\s+drafter/, graph.out);
  } finally {
    await h.close();
  }
});

test('a review answered with the CLI on the store resumes the graph, audited as the named operator', async () => {
  const h = await open();
  try {
    await h.spawnAgent('drafter');
    const run = await h.engine.start('graph-human', {});
    const [review] = await waitUntil(async () => { const tasks = await h.store.listHumanTasks({ runId: run.id }); return tasks.length > 0 && tasks; }, { timeoutMs: 20_000, message: 'the review in the inbox' });
    const bad = await cli('inbox', 'complete', review!.id, '--result', '{nope', '--store', h.storeUrl, '--local');
    assert.equal(bad.status, 2, 'a result that is not JSON is a usage error');
    const done = await cli('inbox', 'complete', review!.id, '--result', '{"approved":"yes"}', '--store', h.storeUrl, '--by', 'bob');
    assert.equal(done.status, 0, done.err);
    const output = (await run.result({ timeout: '20s' })) as { outputs: { publish: unknown } };
    assert.deepEqual(output.outputs.publish, { approved: { approved: 'yes' } });
    const audited = (await h.store.listAudit({ limit: 100 })).filter((entry) => entry.action === 'human-task.completed');
    assert.deepEqual(audited.map((entry) => entry.actor), ['operator:bob']);
  } finally {
    await h.close();
  }
});

test('a review whose due time lapses is escalated to its fallback, audited; the late answer to the lapsed task is refused and the fallback\'s answer resumes the graph', async () => {
  const h = await open();
  try {
    await h.spawnAgent('drafter');
    const operator = await h.token('carol', 'operator');
    const run = await h.engine.start('graph-human', { due: '300ms' });
    const [lapsed] = await waitUntil(async () => { const tasks = await h.store.listHumanTasks({ runId: run.id, status: 'escalated' }); return tasks.length > 0 && tasks; }, { timeoutMs: 20_000, message: 'the review escalated' });
    assert.deepEqual({ assignee: lapsed!.assignee, to: lapsed!.completedBy }, { assignee: 'reviewer', to: 'lead' });
    const [reassigned] = await waitUntil(async () => { const tasks = await h.store.listHumanTasks({ runId: run.id, status: 'open' }); return tasks.length > 0 && tasks; }, { timeoutMs: 20_000, message: 'the fallback\'s task' });
    assert.deepEqual({ task: reassigned!.task, assignee: reassigned!.assignee, dueAt: reassigned!.dueAt }, { task: 'review', assignee: 'lead', dueAt: null });
    const escalations = (await h.store.listAudit({ limit: 100 })).filter((entry) => entry.action === 'human-task.escalated');
    assert.deepEqual(escalations.map((entry) => [entry.actor, entry.subject, (JSON.parse(entry.data) as { to: string }).to]), [['workflow:graph-human', lapsed!.id, 'lead']], 'one audited escalation');
    const late = await call(h, operator, 'POST', `/api/inbox/${encodeURIComponent(lapsed!.id)}/complete`, { result: 'too late' });
    assert.deepEqual([late.status, late.json.error?.code], [409, 'HS_HUMAN_TASK_CLOSED']);
    assert.match(late.json.error!.message, /escalated to lead/);
    assert.equal((await call(h, operator, 'POST', `/api/inbox/${encodeURIComponent(reassigned!.id)}/complete`, { result: 'ok by lead' })).status, 200);
    const output = (await run.result({ timeout: '20s' })) as { outputs: { publish: unknown } };
    assert.deepEqual(output.outputs.publish, { approved: 'ok by lead' });
  } finally {
    await h.close();
  }
});

test('bad inbox and graph requests get clear 4xx answers', async () => {
  const h = await open();
  try {
    const viewer = await h.token('viewer', 'viewer');
    const operator = await h.token('alice', 'operator');
    const noRun = await call(h, viewer, 'GET', '/api/runs/no-such-run/graph');
    assert.deepEqual([noRun.status, noRun.json.error?.code], [404, 'HS_RUN_NOT_FOUND']);
    assert.equal((await call(h, viewer, 'GET', '/api/inbox?status=bogus')).status, 400);
    assert.equal((await call(h, viewer, 'GET', '/api/inbox?colour=red')).status, 400);
    const noTask = await call(h, operator, 'POST', '/api/inbox/nope/complete', { result: 1 });
    assert.deepEqual([noTask.status, noTask.json.error?.code], [404, 'HS_HUMAN_TASK_NOT_FOUND']);
    assert.equal((await call(h, operator, 'POST', '/api/inbox/nope/complete', { result: 1, extra: true })).status, 400);
    const cliNoRun = await cli('runs', 'graph', 'no-such-run', '--store', h.storeUrl, '--local');
    assert.equal(cliNoRun.status, 1);
    assert.match(cliNoRun.err, /no run "no-such-run"/);
    const cliUsage = await cli('inbox', 'complete', 'x', '--store', h.storeUrl, '--local');
    assert.deepEqual([cliUsage.status, /--result JSON/.test(cliUsage.err)], [2, true]);
  } finally {
    await h.close();
  }
});
