// `homeostat agents` and `agents tasks`, on the store and through the API, over real agent processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main.js';
import { AgentHarness } from './agent-harness.js';

async function cli(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(args, (line) => out.push(line), (line) => err.push(line));
  return { status, out: out.join('\n'), err: err.join('\n') };
}

test('homeostat agents shows health and load; agents tasks lists the dead-letter queue with why — the same from the store and through the API', async () => {
  const h = await AgentHarness.open({ maxLapses: 1 });
  try {
    const busy = await h.spawnAgent('busy-1', { capabilities: ['research', 'write'], capacity: 2, workMs: 60_000 });
    const run = await h.start('cli');
    await busy.child.waitForLine((line) => line.type === 'claimed', 10_000, 'the task claimed');
    const viewer = await h.token('cli-viewer', 'viewer');
    for (const backend of [['--store', h.storeUrl, '--local'], ['--api', h.url, '--token', viewer]]) {
      const listed = await cli('agents', ...backend);
      assert.equal(listed.status, 0, listed.err);
      assert.match(listed.out, /busy-1\s+alive\s+1\/2\s+research,write\s+1\.0\.0\s+test-team/, `${backend[0]}: ${listed.out}`);
      const json = JSON.parse((await cli('agents', '--json', ...backend)).out) as { name: string; load: number; health: string }[];
      assert.deepEqual(json.map((a) => [a.name, a.load, a.health]), [['busy-1', 1, 'alive']]);
    }
    await busy.child.kill();
    await assert.rejects(run.result({ timeout: '20s' }), /dead-lettered/);
    for (const backend of [['--store', h.storeUrl, '--local'], ['--api', h.url, '--token', viewer]]) {
      const dead = await cli('agents', 'tasks', '--status', 'dead', ...backend);
      assert.equal(dead.status, 0, dead.err);
      assert.match(dead.out, new RegExp(`${run.id}:\\d+\\s+research\\s+dead\\s+busy-1\\s+1\\s+1/1\\s+\\S+\\s+the task's lease lapsed 1 time `), `${backend[0]}: ${dead.out}`);
      assert.match((await cli('agents', 'tasks', '--status', 'queued', ...backend)).out, /no queued agent tasks/);
    }
    const bad = await cli('agents', 'tasks', '--status', 'lost', '--store', h.storeUrl, '--local');
    assert.deepEqual([bad.status, bad.err.includes('--status must be one of queued, claimed, completed, failed, dead')], [2, true]);
    assert.equal((await cli('agents', 'nonsense', '--store', h.storeUrl, '--local')).status, 2);
  } finally {
    await h.close();
  }
});
