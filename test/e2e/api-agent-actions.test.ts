// Agents' action requests through the API, with a stand-in actuator that records what it
// was asked to do: who may ask as which agent, the allow-list, once per key, and the
// approvals of high-risk requests (approved, denied, expired) that only a person answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiHarness, HARNESS_ALLOW_LISTS } from './api-harness.js';

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const REGISTRATION = { name: 'agent-bot', capabilities: ['ops'], version: '1', capacity: 1, owner: 'test' };

test('agent actions: only as the agent the token registered, only what its allow-list names (refusals audited), once per key, attributed', async () => {
  const h = await ApiHarness.open();
  try {
    assert.equal((await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key: 'k1' })).json.error.code, 'HS_AGENT_NOT_REGISTERED');
    assert.equal((await h.call('agent', 'POST', '/api/agents/register', REGISTRATION)).status, 200);
    const other = (await h.tokens.create('other-bot', 'agent', 'test')).token;
    const impostor = await h.call({ authorization: `Bearer ${other}` }, 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key: 'k1' });
    assert.equal(impostor.status, 403);
    assert.equal(impostor.json.error.code, 'HS_AGENT_NOT_OWNED');
    // Registered under its own name but on no allow-list: it may request nothing.
    assert.equal((await h.call({ authorization: `Bearer ${other}` }, 'POST', '/api/agents/register', { ...REGISTRATION, name: 'stranger' })).status, 200);
    const stranger = await h.call({ authorization: `Bearer ${other}` }, 'POST', '/api/agents/stranger/actions', { action: 'restart-api', key: 'k1' });
    assert.equal(stranger.status, 403);
    assert.match(stranger.json.error.message, /names nothing/);
    const outside = await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'drop-tables', key: 'k0' });
    assert.equal(outside.status, 403);
    assert.equal(outside.json.error.code, 'HS_AGENT_ACTION_NOT_ALLOWED');
    assert.match(outside.json.error.message, /restart-api, scale-api, hasty-restart/);
    // A person's token is not an agent's, an admin's included.
    assert.equal((await h.call('admin', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key: 'k1' })).status, 403);
    // Malformed: 400, nothing recorded.
    assert.equal((await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key: 'k 1' })).status, 400);
    assert.equal((await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api' })).status, 400);

    const first = await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key: 'k1' });
    assert.equal(first.status, 202, first.text);
    assert.equal(first.json.repeated, false);
    assert.equal(first.json.action.id, 'agent-action:agent-bot:k1');
    const done = await until('k1 done', async () => {
      const { json } = await h.call('agent', 'GET', '/api/agents/agent-bot/actions/k1');
      return json.action.state === 'done' && json.action;
    });
    assert.equal(done.detail, 'restart api (stand-in)');
    const again = await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key: 'k1' });
    assert.equal(again.status, 202);
    assert.equal(again.json.repeated, true);
    assert.equal(again.json.action.state, 'done');
    assert.equal((await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'scale-api', key: 'k1' })).json.error.code, 'HS_AGENT_ACTION_KEY_REUSED');
    assert.deepEqual(h.agentActionsRun, ['restart api'], 'one restart for two requests with one key, the restart on the service');
    assert.equal((await h.call({ authorization: `Bearer ${other}` }, 'GET', '/api/agents/stranger/actions/k1')).json.error.code, 'HS_AGENT_ACTION_NOT_FOUND', 'another agent\'s request is not its to read');

    const audit = (await h.knowledge.audit.list({ limit: 100 })).filter((entry) => entry.actor.startsWith('agent:'));
    assert.deepEqual(
      audit.map((entry) => `${entry.actor} ${entry.action}`),
      ['agent:stranger agent.action.refused', 'agent:agent-bot agent.action.refused', 'agent:agent-bot agent.action.requested', 'agent:agent-bot agent.action'],
    );
    assert.match(audit[1]!.data, /"action":"drop-tables"/);
  } finally {
    await h.close();
  }
});

test('agent actions: a high-risk one waits for a person — approved it runs once, attributed to both; denied or unanswered, nothing runs; the agent cannot approve', async () => {
  const h = await ApiHarness.open();
  try {
    assert.equal((await h.call('agent', 'POST', '/api/agents/register', REGISTRATION)).status, 200);
    const asked = await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'scale-api', key: 's1' });
    assert.equal(asked.status, 202, asked.text);
    const waiting = await until('s1 awaiting approval', async () => {
      const { json } = await h.call('agent', 'GET', '/api/agents/agent-bot/actions/s1');
      return json.action.state === 'awaiting-approval' && json.action;
    });
    assert.equal(waiting.approval, 'agent-action:agent-bot:s1:0');
    const inbox = await h.call('viewer', 'GET', '/api/approvals');
    assert.deepEqual(
      inbox.json.approvals.map((a: { id: string; incidentId: string; action: string }) => [a.id, a.incidentId, a.action]),
      [['agent-action:agent-bot:s1:0', 'agent:agent-bot', 'scale api (agent agent-bot asks: scale-api, key s1)']],
    );
    const selfApproval = await h.call('agent', 'POST', `/api/approvals/${encodeURIComponent(waiting.approval)}/approve`, {});
    assert.equal(selfApproval.status, 403);
    assert.equal(selfApproval.json.error.code, 'HS_API_FORBIDDEN');
    assert.equal((await h.call('agent', 'POST', '/api/tokens', { name: 'mine', role: 'admin' })).status, 403);
    assert.deepEqual(h.agentActionsRun, [], 'nothing runs before a person approves');

    assert.equal((await h.call('operator', 'POST', `/api/approvals/${encodeURIComponent(waiting.approval)}/approve`, { reason: 'fine' })).status, 200);
    const done = await until('s1 done', async () => {
      const { json } = await h.call('agent', 'GET', '/api/agents/agent-bot/actions/s1');
      return json.action.state === 'done' && json.action;
    });
    assert.equal(done.approvedBy, 'api:operator-bot');
    assert.deepEqual(h.agentActionsRun, ['scale api']);

    const denied = await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'scale-api', key: 's2' });
    assert.equal(denied.status, 202);
    await until('s2 awaiting approval', async () => (await h.call('agent', 'GET', '/api/agents/agent-bot/actions/s2')).json.action.state === 'awaiting-approval');
    assert.equal((await h.call('operator', 'POST', `/api/approvals/${encodeURIComponent('agent-action:agent-bot:s2:0')}/deny`, { reason: 'no' })).status, 200);
    const refused = await until('s2 denied', async () => {
      const { json } = await h.call('agent', 'GET', '/api/agents/agent-bot/actions/s2');
      return json.action.state === 'denied' && json.action;
    });
    assert.match(refused.detail, /denied by api:operator-bot: nothing ran/);

    assert.equal((await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'hasty-restart', key: 'h1' })).status, 202);
    const expired = await until('h1 expired', async () => {
      const { json } = await h.call('agent', 'GET', '/api/agents/agent-bot/actions/h1');
      return json.action.state === 'expired' && json.action;
    });
    assert.match(expired.detail, /not approved before its TTL: nothing ran/);
    assert.equal((await h.knowledge.approvals.get('agent-action:agent-bot:h1:0'))?.status, 'expired');
    assert.deepEqual(h.agentActionsRun, ['scale api'], 'neither the denied nor the expired request ran');

    const acted = (await h.knowledge.audit.list({ limit: 100 })).filter((entry) => entry.actor === 'agent:agent-bot').map((entry) => entry.action);
    assert.deepEqual(acted, ['agent.action.requested', 'approval.requested', 'agent.action', 'agent.action.requested', 'approval.requested', 'agent.action.not-approved', 'agent.action.requested', 'approval.requested', 'agent.action.not-approved']);
  } finally {
    await h.close();
  }
});

test('agent actions: past its rate limit an agent\'s new requests are refused with 429 and audited; a repeated key is no new request', async () => {
  const bot = HARNESS_ALLOW_LISTS['agent-bot']!;
  const h = await ApiHarness.open({ allowLists: { 'agent-bot': { ...bot, rateLimit: { max: 2, per: 60_000 } } } });
  try {
    assert.equal((await h.call('agent', 'POST', '/api/agents/register', REGISTRATION)).status, 200);
    for (const key of ['r1', 'r2']) assert.equal((await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key })).status, 202, key);
    const third = await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key: 'r3' });
    assert.equal(third.status, 429, third.text);
    assert.equal(third.json.error.code, 'HS_AGENT_ACTION_RATE_LIMITED');
    assert.match(third.json.error.message, /rate limit allows \(2 new request\(s\) per 60000 ms \(agents\.agent-bot\.rateLimit\)\): "restart-api" refused, nothing ran; the next request is allowed in \d+ ms/);
    const repeated = await h.call('agent', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key: 'r1' });
    assert.deepEqual([repeated.status, repeated.json.repeated], [202, true], 'a retry of a request already made joins it');
    assert.equal((await h.call('agent', 'GET', '/api/agents/agent-bot/actions/r3')).json.error.code, 'HS_AGENT_ACTION_NOT_FOUND', 'nothing started for the refused one');
    const refusals = (await h.knowledge.audit.list({ limit: 100 })).filter((entry) => entry.action === 'agent.action.refused');
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0]!.actor, 'agent:agent-bot');
    assert.match(refusals[0]!.data, /"key":"r3".*"reason":"rate limit: 2 new request\(s\) per 60000 ms \(agents\.agent-bot\.rateLimit\) spent"/);
  } finally {
    await h.close();
  }
});
