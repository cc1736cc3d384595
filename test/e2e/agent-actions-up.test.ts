// Agents asking homeostat to act, against `homeostat up` with real agent processes: an action
// outside the allow-list is refused (403, audited, nothing runs); an allowed low-risk restart
// runs once, attributed to the agent, however often the request is repeated; a high-risk one
// waits for a person's `homeostat approve` and runs after it; an agent token cannot approve
// (its own request or any), make tokens or apply config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildGroup, type JsonLine } from '../integration/helpers/child.js';
import { exampleApiService, UpHarness } from './loop-harness.js';

const AGENT = new URL('../integration/agents/fixtures/agent-action-process.js', import.meta.url);

const CONFIG = `services:
${exampleApiService()}
agents:
  ops-bot:
    actions:
      restart-api: { service: api, risk: low, do: { action: restart } }
      scale-api: { service: api, risk: high, approvalTtl: 60s, do: { action: scale, replicas: 2, max: 3 } }
`;

async function pidOf(h: UpHarness, instance: string): Promise<number | undefined> {
  const state = (await h.db().listElementStates()).find((s) => s.instance === instance && s.state === 'running');
  return state ? (JSON.parse(state.data) as { pid?: number }).pid : undefined;
}

test('homeostat up: an agent\'s requests are held to its allow-list, run once as agent:<name>, and high-risk ones wait for a person', async () => {
  const h = new UpHarness(CONFIG);
  const children = new ChildGroup();
  try {
    await h.up();
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
    await h.healthy('api');
    const created = await h.cli('token', 'create', '--role', 'agent', '--name', 'ops-bot-token');
    assert.equal(created.status, 0, created.out);
    const token = created.out.split('\n')[0]!;
    const pidBefore = await h.waitFor(() => pidOf(h, 'api#0'), 10_000, 'the pid of api#0');

    // Outside its allow-list: refused and audited, nothing run. Then an allowed low-risk
    // restart, asked twice with one key (a retry after a lost answer): one run, one restart.
    const agent = children.spawn(AGENT, [apiUrl, token, 'ops-bot', 'drop-database:k0', 'restart-api:k1', 'restart-api:k1', 'scale-api:k1']);
    await agent.waitForLine((line) => line.type === 'finished', 30_000, 'the agent finished its requests');
    const requested = agent.linesOf('requested') as (JsonLine & { status: number; body: { error?: { code: string }; action?: { id: string }; repeated?: boolean } })[];
    assert.equal(requested[0]!.status, 403, JSON.stringify(requested[0]));
    assert.equal(requested[0]!.body.error?.code, 'HS_AGENT_ACTION_NOT_ALLOWED');
    assert.equal(requested[1]!.status, 202, JSON.stringify(requested[1]));
    assert.equal(requested[1]!.body.repeated, false);
    assert.equal(requested[2]!.status, 202, JSON.stringify(requested[2]));
    assert.equal(requested[2]!.body.repeated, true, 'the same key joins the same request');
    assert.equal(requested[3]!.status, 409, 'a key names one request: another action under it is refused');
    const finals = agent.linesOf('state').filter((line) => line.state === 'done') as (JsonLine & { detail: string })[];
    assert.equal(finals.length, 2, 'both follow-ups of k1 saw it done');
    assert.match(finals[0]!.detail, /restarted every replica of api/);
    await h.healthy('api');
    const pidAfter = await h.waitFor(async () => ((await pidOf(h, 'api#0')) ?? pidBefore) !== pidBefore && pidOf(h, 'api#0'), 10_000, 'a new pid for api#0');
    assert.notEqual(pidAfter, pidBefore);

    const audit = await h.knowledge().audit.list({ limit: 1_000 });
    const byAgent = audit.filter((entry) => entry.actor === 'agent:ops-bot');
    const refused = byAgent.filter((entry) => entry.action === 'agent.action.refused');
    assert.equal(refused.length, 1);
    assert.match(refused[0]!.data, /drop-database/);
    assert.equal(byAgent.filter((entry) => entry.action === 'agent.action.requested').length, 1, 'one request recorded for k1');
    const acted = byAgent.filter((entry) => entry.action === 'agent.action');
    assert.equal(acted.length, 1, 'the restart ran once');
    assert.match(acted[0]!.data, /"status":"done"/);
    assert.equal((await h.db().listElementStates()).filter((s) => s.element === 'api' && s.state === 'running').length, 1, 'nothing else ran: one replica still');

    // High risk: it waits for a person. The agent cannot approve it, nor make a token, nor apply config.
    const risky = children.spawn(AGENT, [apiUrl, token, 'ops-bot', 'scale-api:k2']);
    const waiting = (await risky.waitForLine((line) => line.type === 'state' && line.state === 'awaiting-approval', 20_000, 'the scale waiting for approval')) as JsonLine & { approval: string };
    assert.equal(waiting.approval, 'agent-action:ops-bot:k2:0');
    const prober = children.spawn(AGENT, [apiUrl, token, 'ops-bot', `probe:${waiting.approval}`]);
    const probed = await prober.waitForLine((line) => line.type === 'probed', 15_000, 'the probe of forbidden routes');
    assert.deepEqual({ approve: probed.approve, tokens: probed.tokens, config: probed.config }, { approve: 403, tokens: 403, config: 403 }, JSON.stringify(probed));
    assert.equal((await h.knowledge().approvals.get(waiting.approval))?.status, 'pending', 'still pending after the agent tried');
    assert.equal((await h.db().listElementStates()).filter((s) => s.element === 'api' && s.state === 'running').length, 1, 'not scaled before a person approved');

    const listed = await h.cli('approvals');
    assert.equal(listed.status, 0, listed.out);
    assert.match(listed.out, /agent-action:ops-bot:k2:0\s+pending\s+agent:ops-bot\s+scale api \(agent ops-bot asks: scale-api, key k2\)/);
    const approved = await h.cli('approve', waiting.approval, '--by', 'alice', '--reason', 'ok to scale');
    assert.equal(approved.status, 0, approved.out);
    assert.match(approved.out, /approved scale api .*as operator:alice/);
    const done = (await risky.waitForLine((line) => line.type === 'state' && line.state !== 'awaiting-approval' && line.state !== 'running', 30_000, 'the approved scale finishing')) as JsonLine & { state: string; detail: string; approvedBy: string };
    assert.equal(done.state, 'done', JSON.stringify(done));
    assert.match(done.detail, /scaled api from 1 to 2 replicas/);
    assert.equal(done.approvedBy, 'operator:alice');
    await h.healthy('api', 2);
    const scaled = (await h.knowledge().audit.list({ limit: 1_000 })).filter((entry) => entry.actor === 'agent:ops-bot' && entry.action === 'agent.action' && /scale-api/.test(entry.data));
    assert.equal(scaled.length, 1);
    assert.match(scaled[0]!.data, /"approvedBy":"operator:alice"/);
    await h.down();
  } finally {
    await children.killAll();
    await h.close();
  }
});
