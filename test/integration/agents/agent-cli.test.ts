// `homeostat agents` and `agents tasks`, on the store and through the API, over real agent processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main.js';
import { waitUntil } from '../helpers/wait.js';
import { AgentHarness } from './agent-harness.js';

/** Run `command` until its output satisfies `ok` (5 s at most); the last run's result otherwise fails with it. */
async function eventually(command: () => ReturnType<typeof cli>, ok: (out: string) => boolean, what: string): ReturnType<typeof cli> {
  let last: Awaited<ReturnType<typeof cli>> | undefined;
  await waitUntil(async () => ok((last = await command()).out), { timeoutMs: 5_000, intervalMs: 50, message: what, describe: () => last?.out ?? '' });
  return last!;
}

async function cli(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(args, (line) => out.push(line), (line) => err.push(line));
  return { status, out: out.join('\n'), err: err.join('\n') };
}

test('homeostat agents shows health and load; agents tasks says why a queued task waits and lists the dead-letter queue with why — the same from the store and through the API', async () => {
  const h = await AgentHarness.open({ maxLapses: 1 });
  try {
    const busy = await h.spawnAgent('busy-1', { capabilities: ['research', 'write'], capacity: 2, workMs: 60_000 });
    const run = await h.start('cli');
    const second = await h.start('cli-2');
    await busy.child.waitForLine((line) => line.type === 'claimed' && line.id !== busy.child.linesOf('claimed')[0]?.id, 10_000, 'both tasks claimed');
    const third = await h.start('cli-3');
    await waitUntil(async () => (await h.store.listAgentTasks({ runId: third.id })).length === 1, { timeoutMs: 10_000, message: 'the third task queued' });
    const viewer = await h.token('cli-viewer', 'viewer');
    for (const backend of [['--store', h.storeUrl, '--local'], ['--api', h.url, '--token', viewer]]) {
      // Health is read at the moment of each call: the agent beats every 200 ms and is "late"
      // past 400 ms, which a heavily loaded machine can cause for a moment. Each read is
      // retried for a few seconds; the agent must be seen alive, full, with the task waiting on it.
      const listed = await eventually(() => cli('agents', ...backend), (out) => /busy-1\s+alive\s+2\/2\s+research,write\s+1\.0\.0\s+test-team/.test(out), `${backend[0]}: agents lists busy-1 alive and full`);
      assert.equal(listed.status, 0, listed.err);
      const json = await eventually(() => cli('agents', '--json', ...backend), (out) => out.includes('"alive"'), `${backend[0]}: agents --json shows busy-1 alive`);
      assert.deepEqual((JSON.parse(json.out) as { name: string; load: number; health: string }[]).map((a) => [a.name, a.load, a.health]), [['busy-1', 2, 'alive']]);
      await eventually(() => cli('agents', 'tasks', '--status', 'queued', ...backend), (out) => /queued .*waiting: every live agent with research is at capacity \(busy-1 2\/2\)/.test(out), `${backend[0]}: the queued task waits for busy-1's capacity`);
    }
    await busy.child.kill();
    await assert.rejects(run.result({ timeout: '20s' }), /dead-lettered/);
    await assert.rejects(second.result({ timeout: '20s' }), /dead-lettered/);
    for (const backend of [['--store', h.storeUrl, '--local'], ['--api', h.url, '--token', viewer]]) {
      const dead = await cli('agents', 'tasks', '--status', 'dead', ...backend);
      assert.equal(dead.status, 0, dead.err);
      assert.match(dead.out, new RegExp(`${run.id}:\\d+\\s+research\\s+dead\\s+busy-1\\s+1\\s+1/1\\s+\\S+\\s+the task's lease lapsed 1 time `), `${backend[0]}: ${dead.out}`);
      assert.match((await cli('agents', 'tasks', '--status', 'queued', ...backend)).out, /waiting: no live agent has research \(1 registered, none alive\)/);
      assert.match((await cli('agents', 'tasks', '--status', 'failed', ...backend)).out, /no failed agent tasks/);
    }
    const bad = await cli('agents', 'tasks', '--status', 'lost', '--store', h.storeUrl, '--local');
    assert.deepEqual([bad.status, bad.err.includes('--status must be one of queued, claimed, completed, failed, dead')], [2, true]);
    assert.equal((await cli('agents', 'nonsense', '--store', h.storeUrl, '--local')).status, 2);
  } finally {
    await h.close();
  }
});

test('homeostat agents quarantine|release on the store: audited as operator:<--by>; a viewer token is refused through the API; a name is required', async () => {
  const h = await AgentHarness.open();
  try {
    const idle = await h.spawnAgent('idle-1', { capabilities: ['research'], capacity: 1, workMs: 10 });
    void idle;
    const local = ['--store', h.storeUrl, '--local'];
    const quarantined = await cli('agents', 'quarantine', 'idle-1', '--reason', 'maintenance', '--by', 'alice', ...local);
    assert.equal(quarantined.status, 0, quarantined.err);
    assert.match(quarantined.out, /quarantined idle-1: it claims no task until an operator releases it \(the loop does not\); it held no task/);
    assert.match((await cli('agents', ...local)).out, /idle-1 \(quarantined\)/);
    const viewer = await h.token('cli-viewer-2', 'viewer');
    const refused = await cli('agents', 'release', 'idle-1', '--api', h.url, '--token', viewer);
    assert.notEqual(refused.status, 0, 'a viewer may not release');
    assert.match(refused.err, /HS_API_FORBIDDEN|forbidden|role/i);
    assert.equal((await cli('agents', 'release', ...local)).status, 2, 'a name is required');
    const released = await cli('agents', 'release', 'idle-1', '--by', 'bob', ...local);
    assert.match(released.out, /released idle-1: it claims tasks again/);
    const audit = (await h.store.listAudit({ afterSeq: 0, limit: 100 })).filter((a) => a.subject === 'agent:idle-1').map((a) => `${a.actor} ${a.action}`);
    assert.deepEqual(audit, ['operator:alice agent.quarantined', 'operator:bob agent.released']);
  } finally {
    await h.close();
  }
});
