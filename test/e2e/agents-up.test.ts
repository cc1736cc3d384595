// `homeostat up` serves the agent protocol: an agent process registers with a token made by
// `homeostat token create --role agent`, `homeostat agents` shows it alive through the API,
// and dead once it was SIGKILLed; its token opens nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildGroup } from '../integration/helpers/child.js';
import { waitUntil } from '../integration/helpers/wait.js';
import { UpHarness } from './loop-harness.js';

const AGENT = new URL('../integration/agents/fixtures/agent-process.js', import.meta.url);

test('homeostat up: an agent registers with its own token, homeostat agents shows it alive, then dead after SIGKILL', async () => {
  const h = new UpHarness(`services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
`);
  const children = new ChildGroup();
  try {
    await h.up();
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
    const created = await h.cli('token', 'create', '--role', 'agent', '--name', 'researcher-token');
    assert.equal(created.status, 0, created.out);
    const token = created.out.split('\n')[0]!;
    const agent = children.spawn(AGENT, [apiUrl, token, 'researcher', 'research,summarize', '2', '50']);
    await agent.waitForLine((line) => line.type === 'registered', 15_000, 'the agent registered');
    const listed = await h.cli('agents');
    assert.equal(listed.status, 0, listed.out);
    assert.match(listed.out, /researcher\s+alive\s+0\/2\s+research,summarize\s+1\.0\.0\s+test-team/);
    assert.equal((await fetch(`${apiUrl}/api/services`, { headers: { authorization: `Bearer ${token}` } })).status, 403, 'an agent token reads nothing else');
    await agent.kill();
    await waitUntil(async () => /researcher\s+dead/.test((await h.cli('agents')).out), { timeoutMs: 15_000, intervalMs: 200, message: 'the killed agent listed dead' });
    await h.down();
  } finally {
    await children.killAll();
    await h.close();
  }
});
