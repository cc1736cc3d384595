/**
 * Controller leader election on PostgreSQL with real processes: three candidates share
 * one schema; exactly one acts. SIGKILL the leader: a standby leads within the lease.
 * Pause the next leader (SIGSTOP) past its lease and resume it: a third has taken over,
 * the paused one's next action is refused by the fencing token, and no action number is
 * ever executed twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { ChildGroup, type JsonChild } from './helpers/child.js';
import { freshSchema } from './helpers/postgres.js';
import { delay, waitUntil } from './helpers/wait.js';
import { tempDir } from './temp-store.js';

const CANDIDATE = new URL('./fixtures/leader-candidate.js', import.meta.url);
const TTL_MS = 1_000;

test('leader killed: a standby leads within the lease; a paused leader is fenced; no action runs twice', { timeout: 120_000 }, async () => {
  const schema = freshSchema('hs_leader');
  const tmp = tempDir('homeostat-leader-');
  const children = new ChildGroup();
  const store = await PostgresStore.open(schema.url, { poolSize: 2 });
  try {
    const log = join(tmp.dir, 'actions.log');
    writeFileSync(log, '');
    const args = [JSON.stringify({ store: schema.url, log, ttlMs: TTL_MS })];
    const candidates = [0, 1, 2].map(() => children.spawn(CANDIDATE, args));
    for (const c of candidates) await c.waitForLine((l) => l.type === 'ready', 20_000, 'candidate ready');
    const leaderOf = async (exclude: JsonChild[] = []) =>
      waitUntil(() => candidates.find((c) => !exclude.includes(c) && c.alive && c.linesOf('elected').length > exclude.filter((e) => e === c).length), {
        timeoutMs: 10_000,
        message: 'a leader',
      });
    const actionsCount = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;

    const first = await leaderOf();
    await waitUntil(() => actionsCount() >= 10, { timeoutMs: 10_000, message: 'the first leader to act' });
    assert.equal(candidates.filter((c) => c.linesOf('elected').length > 0).length, 1, 'exactly one leader');

    await first.kill();
    const killedAt = Date.now();
    const second = await leaderOf([first]);
    const failoverMs = Number(second.linesOf('elected')[0]!.at) - killedAt;
    assert.ok(failoverMs <= TTL_MS + 1_000, `a standby led ${failoverMs} ms after the kill (lease ${TTL_MS} ms)`);
    const before = actionsCount();
    await waitUntil(() => actionsCount() >= before + 10, { timeoutMs: 10_000, message: 'the second leader to act' });

    second.signal('SIGSTOP');
    const third = await leaderOf([first, second]);
    const afterThird = actionsCount();
    await waitUntil(() => actionsCount() >= afterThird + 10, { timeoutMs: 10_000, message: 'the third leader to act' });
    second.signal('SIGCONT');
    await second.waitForLine((l) => l.type === 'refused' || l.type === 'deposed', 10_000, 'the resumed leader to learn it lost');
    await delay(300);
    assert.equal(third.linesOf('deposed').length, 0, 'the third leader kept its term');

    // No action number executed twice, and terms only move forward.
    const executed = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => line.split(',').map(Number) as [number, number, number]);
    const numbers = executed.map(([n]) => n);
    assert.equal(new Set(numbers).size, numbers.length, 'an action number was executed twice');
    const recorded = (await store.listLeaderActions('controller')).map((a) => ({ token: a.token, n: (JSON.parse(a.payload!) as { n: number }).n }));
    assert.deepEqual(recorded.map((a) => a.n), recorded.map((_, i) => i + 1), 'recorded actions are 1..N without gaps or repeats');
    for (let i = 1; i < recorded.length; i++) assert.ok(recorded[i]!.token >= recorded[i - 1]!.token, 'tokens never go back');
    assert.deepEqual([...new Set(recorded.map((a) => a.token))], [1, 2, 3]);
    process.stdout.write(`# leader failover after SIGKILL: ${failoverMs} ms\n`);
  } finally {
    await children.killAll();
    await store.close();
    await schema.drop();
    tmp.cleanup();
  }
});
