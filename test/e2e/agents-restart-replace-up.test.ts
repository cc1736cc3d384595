// Under `homeostat up`: the loop's `restart` and `replace` rungs on agents, with real
// processes. A hung agent (SIGSTOP) that up runs as one of its services is restarted by the
// loop — its frozen process killed after the grace period, a fresh one started — and its
// task finishes on the new instance; a hung agent up does not run is replaced (retired): its
// task goes to another agent at once, long before its lease would lapse, and when the frozen
// process wakes up its late answer is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAgentTasks } from '../../src/agents/agent-tasks.js';
import { defineWorkflow } from '../../src/workflow/define-workflow.js';
import { Engine } from '../../src/workflow/engine.js';
import { ChildGroup } from '../integration/helpers/child.js';
import { UpHarness } from './loop-harness.js';
import { spawnUpAgent, upApiUrl } from './up-agents.js';

const SUPERVISED_AGENT = fileURLToPath(new URL('../integration/agents/fixtures/supervised-agent-process.js', import.meta.url));
const AGENT = new URL('../integration/agents/fixtures/agent-process.js', import.meta.url);

/** Whether a process exists (signal 0 only checks). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('homeostat up: a hung agent that up runs is restarted by the loop; its task finishes on the fresh instance and the incident resolves once it heartbeats', async () => {
  const h = new UpHarness('');
  const pidFile = join(h.dir, 'researcher-1.pid');
  let engine: Engine | undefined;
  try {
    const created = await h.cli('token', 'create', '--role', 'agent', '--name', 'researcher-1-token', '--local');
    assert.equal(created.status, 0, created.out);
    const token = created.out.split('\n')[0]!;
    writeFileSync(
      h.configPath,
      `stateDir: state
services:
  researcher:
    command: ${process.execPath}
    args: [${SUPERVISED_AGENT}, ${join(h.dir, 'state', 'api.json')}, ${token}, researcher-1, research, "1", "2500", ${pidFile}]
    gracePeriod: 300ms
agentElements: { unresponsiveWhen: dead, every: 200ms, processes: { researcher-1: researcher } }
policies:
  restart-hung-agents:
    match: { symptom: [agent-unresponsive] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 500ms, timeout: 20s }
`,
    );
    await h.up();
    await h.waitFor(async () => (await h.db().getAgent('researcher-1')) !== undefined, 20_000, 'the supervised agent to register');
    const firstPid = Number(readFileSync(pidFile, 'utf8'));
    // Seen alive by the watch first: an agent already dead when it first looks is history.
    await new Promise((resolve) => setTimeout(resolve, 600));

    const agents = createAgentTasks(h.db());
    const research = defineWorkflow('restart-up-research', async (ctx, topic: string) => agents.task<{ by: string; pid: number; generation: number }>(ctx, 'research', { capability: 'research', input: { topic } }));
    engine = await Engine.open({ store: h.db(), workflows: [research as never], inMemoryWaitMs: 0 });
    const run = await engine.start('restart-up-research', 'hung agents');
    const taskId = await h.waitFor(async () => (await h.db().listAgentTasks({ runId: run.id })).find((t) => t.status === 'claimed' && t.agent === 'researcher-1')?.id, 20_000, 'researcher-1 to claim the task');
    process.kill(firstPid, 'SIGSTOP');

    const incident = await h.waitForIncident((i) => i.element === 'agent:researcher-1' && i.symptom === 'agent-unresponsive', 20_000, 'the incident about the hung agent');
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 40_000, 'the restart to be verified');
    assert.equal(resolved.resolvedBy, 'restart agent:researcher-1');
    const secondPid = Number(readFileSync(pidFile, 'utf8'));
    assert.notEqual(secondPid, firstPid, 'a fresh process');
    assert.equal(exists(firstPid), false, 'the frozen process was killed (SIGKILL after the grace period: a stopped process does not act on SIGTERM)');

    const result = await run.result({ timeout: '30s' });
    assert.deepEqual(result, { by: 'researcher-1', pid: secondPid, input: { topic: 'hung agents' }, generation: 2 }, 'finished by the fresh instance, under a new generation');
    const history = (await h.db().listAgentTaskEvents(taskId)).map((e) => [e.kind, e.agent, e.generation]);
    assert.deepEqual(history, [['created', null, 0], ['claimed', 'researcher-1', 1], ['lapsed', 'researcher-1', 1], ['claimed', 'researcher-1', 2], ['completed', 'researcher-1', 2]]);

    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const action = explained.entries.find((e) => e.kind === 'action')!;
    assert.equal(action.data.ok, true);
    assert.match(String(action.data.detail), /restarted the process of agent researcher-1 \(service researcher\)/);
    const audit = await h.db().listAudit({ afterSeq: 0, limit: 10_000 });
    assert.ok(audit.some((a) => a.action === 'action.restart' && a.subject === incident.id), 'the restart is audited');
    await h.down();
  } finally {
    await engine?.close();
    await h.close();
  }
});

test('homeostat up: a hung agent up does not run is replaced: retired, its task reassigned at once (not after its lease), its late answer refused, and the incident resolves when a live agent holds the task', async () => {
  const h = new UpHarness(`agentElements: { unresponsiveWhen: dead, every: 200ms }
policies:
  replace-hung-agents:
    match: { symptom: [agent-unresponsive] }
    ladder: [{ action: replace }]
    verify: { healthyFor: 500ms, timeout: 20s }
`);
  const children = new ChildGroup();
  let engine: Engine | undefined;
  try {
    await h.up();
    const apiUrl = await upApiUrl(h);
    const spawnAgent = (name: string, workMs: number) => spawnUpAgent(h, children, apiUrl, AGENT, name, ['research', '1', String(workMs)]);
    const hung = await spawnAgent('remote-1', 3_000);
    await new Promise((resolve) => setTimeout(resolve, 600));

    const agents = createAgentTasks(h.db());
    // A lease far longer than the test: only the retirement can hand the task on in time.
    const research = defineWorkflow('replace-up-research', async (ctx, topic: string) => agents.task<{ by: string; generation: number }>(ctx, 'research', { capability: 'research', input: { topic }, lease: '10m' }));
    engine = await Engine.open({ store: h.db(), workflows: [research as never], inMemoryWaitMs: 0 });
    const run = await engine.start('replace-up-research', 'remote agents');
    const claimed = await hung.waitForLine((line) => line.type === 'claimed', 15_000, 'remote-1 to claim the task');
    const taskId = String(claimed.id);
    const helper = await spawnAgent('remote-2', 200);
    hung.signal('SIGSTOP');

    const incident = await h.waitForIncident((i) => i.element === 'agent:remote-1' && i.symptom === 'agent-unresponsive', 20_000, 'the incident about the hung agent');
    const result = await run.result({ timeout: '30s' });
    assert.deepEqual(result, { by: 'remote-2', input: { topic: 'remote agents' }, generation: 2 }, 'finished by the other agent, minutes before the 10 m lease would have lapsed');
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 30_000, 'the replacement to be verified');
    assert.equal(resolved.resolvedBy, 'replace agent:remote-1');
    const history = (await h.db().listAgentTaskEvents(taskId)).map((e) => [e.kind, e.agent, e.generation]);
    assert.deepEqual(history.slice(0, 5), [['created', null, 0], ['claimed', 'remote-1', 1], ['requeued', 'remote-1', 1], ['claimed', 'remote-2', 2], ['completed', 'remote-2', 2]]);

    // The frozen process wakes up and answers: refused by the fence; and it claims nothing more.
    hung.signal('SIGCONT');
    const refused = await hung.waitForLine((line) => line.type === 'refused', 15_000, 'the late answer to be refused');
    assert.equal(refused.id, taskId);
    const [retirement] = await h.db().listAgentRetirements();
    assert.deepEqual([retirement!.agent, retirement!.freshAllowed, retirement!.tasks, retirement!.retiredBy], ['remote-1', false, [taskId], 'controller']);
    const listed = await h.cli('agents');
    assert.match(listed.out, /remote-1 \(retired\)/);
    const next = await engine.start('replace-up-research', 'after the replacement');
    assert.equal(((await next.result({ timeout: '30s' })) as { by: string }).by, 'remote-2', 'the retired agent takes no work again');
    assert.equal(hung.linesOf('claimed').length, 1, 'remote-1 claimed only the task it held before');
    void helper;
    await h.down();
  } finally {
    await engine?.close();
    await children.killAll();
    await h.close();
  }
});

test('homeostat up: a hung agent that up runs is replaced: retired, its task requeued at once (its lease is 10 m), a fresh process started whose new registration takes the task', async () => {
  const h = new UpHarness('');
  const pidFile = join(h.dir, 'extractor-1.pid');
  let engine: Engine | undefined;
  try {
    const created = await h.cli('token', 'create', '--role', 'agent', '--name', 'extractor-1-token', '--local');
    assert.equal(created.status, 0, created.out);
    writeFileSync(
      h.configPath,
      `stateDir: state
services:
  extractor:
    command: ${process.execPath}
    args: [${SUPERVISED_AGENT}, ${join(h.dir, 'state', 'api.json')}, ${created.out.split('\n')[0]!}, extractor-1, extract, "1", "1500", ${pidFile}]
    gracePeriod: 300ms
agentElements: { unresponsiveWhen: dead, every: 200ms, processes: { extractor-1: extractor } }
policies:
  replace-hung-agents:
    match: { symptom: [agent-unresponsive] }
    ladder: [{ action: replace }]
    verify: { healthyFor: 500ms, timeout: 20s }
`,
    );
    await h.up();
    await h.waitFor(async () => (await h.db().getAgent('extractor-1')) !== undefined, 20_000, 'the supervised agent to register');
    const firstPid = Number(readFileSync(pidFile, 'utf8'));
    const firstRegistration = (await h.db().getAgent('extractor-1'))!.registeredAt;
    await new Promise((resolve) => setTimeout(resolve, 600));

    const agents = createAgentTasks(h.db());
    const extract = defineWorkflow('replace-process-extract', async (ctx, text: string) => agents.task<{ by: string; pid: number; generation: number }>(ctx, 'extract', { capability: 'extract', input: { text }, lease: '10m' }));
    engine = await Engine.open({ store: h.db(), workflows: [extract as never], inMemoryWaitMs: 0 });
    const run = await engine.start('replace-process-extract', 'a page');
    const taskId = await h.waitFor(async () => (await h.db().listAgentTasks({ runId: run.id })).find((t) => t.status === 'claimed')?.id, 20_000, 'extractor-1 to claim the task');
    process.kill(firstPid, 'SIGSTOP');

    const incident = await h.waitForIncident((i) => i.element === 'agent:extractor-1' && i.symptom === 'agent-unresponsive', 20_000, 'the incident about the hung agent');
    const result = await run.result({ timeout: '30s' });
    const secondPid = Number(readFileSync(pidFile, 'utf8'));
    assert.notEqual(secondPid, firstPid, 'a fresh process');
    assert.equal(exists(firstPid), false, 'the frozen process was killed');
    assert.deepEqual(result, { by: 'extractor-1', pid: secondPid, input: { text: 'a page' }, generation: 2 }, 'taken by the fresh instance, long before the 10 m lease would have lapsed');
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 30_000, 'the replacement to be verified');
    assert.equal(resolved.resolvedBy, 'replace agent:extractor-1');
    const history = (await h.db().listAgentTaskEvents(taskId)).map((e) => [e.kind, e.agent, e.generation]);
    assert.deepEqual(history, [['created', null, 0], ['claimed', 'extractor-1', 1], ['requeued', 'extractor-1', 1], ['claimed', 'extractor-1', 2], ['completed', 'extractor-1', 2]], 'requeued by the retirement, not lapsed');
    const [retirement] = await h.db().listAgentRetirements();
    assert.deepEqual([retirement!.freshAllowed, retirement!.registeredAt, retirement!.tasks], [true, firstRegistration, [taskId]]);
    assert.ok((await h.db().getAgent('extractor-1'))!.registeredAt > firstRegistration, 'the fresh instance is a new registration');
    assert.doesNotMatch((await h.cli('agents')).out, /retired/, 'the fresh instance is not retired');
    await h.down();
  } finally {
    await engine?.close();
    await h.close();
  }
});
