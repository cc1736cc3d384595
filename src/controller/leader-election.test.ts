import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { ManualClock } from '../testing/manual-clock.js';
import { LeaderElector, type LeadershipStore } from './leader-election.js';

/** A store whose calls for one candidate can be made to hang (a frozen or cut-off leader). */
function severable(store: LeadershipStore): LeadershipStore & { cut: boolean } {
  const wrapper = {
    cut: false,
    acquireLeadership: (...args: Parameters<LeadershipStore['acquireLeadership']>) =>
      wrapper.cut ? new Promise<never>(() => undefined) : store.acquireLeadership(...args),
    renewLeadership: (...args: Parameters<LeadershipStore['renewLeadership']>) =>
      wrapper.cut ? new Promise<never>(() => undefined) : store.renewLeadership(...args),
    resignLeadership: (...args: Parameters<LeadershipStore['resignLeadership']>) => store.resignLeadership(...args),
    recordLeaderAction: (...args: Parameters<LeadershipStore['recordLeaderAction']>) => store.recordLeaderAction(...args),
  };
  return wrapper;
}

test('one leader at a time; a standby takes over after the lease lapses; the old term is fenced', async () => {
  const store = SqliteStore.open(':memory:');
  const clock = new ManualClock(1_000_000);
  const events: string[] = [];
  const aStore = severable(store);
  const a = new LeaderElector(aStore, { holderId: 'a', ttlMs: 1_000, clock, onElected: (t) => events.push(`a elected ${t.token}`), onDeposed: (t, why) => events.push(`a deposed ${t.token} ${why}`) });
  const b = new LeaderElector(store, { holderId: 'b', ttlMs: 1_000, clock, onElected: (t) => events.push(`b elected ${t.token}`) });
  try {
    a.start();
    await clock.advance(0);
    b.start();
    await clock.advance(3_000);
    assert.deepEqual(events, ['a elected 1'], 'a keeps renewing; b stays standby');
    assert.equal(a.isLeader, true);
    assert.equal(b.isLeader, false);
    await a.recordAction('restart', '{"n":1}');
    await assert.rejects(b.recordAction('restart'), { code: 'HS_NOT_LEADER' });

    aStore.cut = true; // a can no longer reach the store
    const cutAt = clock.now();
    let takeoverAt: number | undefined;
    for (let i = 0; i < 100 && !b.isLeader; i++) {
      await clock.advance(50);
      if (b.isLeader) takeoverAt = clock.now();
    }
    assert.ok(takeoverAt !== undefined && takeoverAt - cutAt <= 1_000 + 200 + 50, `b took over ${takeoverAt! - cutAt} ms after a was cut off`);
    assert.equal(a.isLeader, false, 'a stepped down by its own clock');
    assert.ok(events.includes('a deposed 1 expired'), `a was told its term lapsed: ${events.join('; ')}`);
    assert.ok(events.indexOf('a deposed 1 expired') < events.indexOf('b elected 2'), 'a stepped down before b was elected');
    assert.ok(events.includes('b elected 2'));
    // a's stale term cannot act, even bypassing its own check.
    await assert.rejects(store.recordLeaderAction({ name: 'controller', token: 1 }, 'restart', null, clock.now()), { code: 'HS_NOT_LEADER' });
    await b.recordAction('scale');
    assert.deepEqual((await store.listLeaderActions('controller')).map((x) => [x.token, x.action]), [[1, 'restart'], [2, 'scale']]);
  } finally {
    aStore.cut = false;
    await b.stop();
    await a.stop();
    await store.close();
  }
});

test('a leader that stops resigns, so a standby leads at its next campaign', async () => {
  const store = SqliteStore.open(':memory:');
  const clock = new ManualClock(5_000);
  const a = new LeaderElector(store, { holderId: 'a', ttlMs: 10_000, clock });
  const b = new LeaderElector(store, { holderId: 'b', ttlMs: 10_000, clock });
  try {
    a.start();
    await clock.advance(0);
    b.start();
    await clock.advance(100);
    assert.equal(a.isLeader, true);
    await a.stop();
    await clock.advance(2_000); // one campaign interval (ttl/5), far below the 10 s lease
    assert.equal(b.isLeader, true);
    assert.equal(b.term?.token, 2);
  } finally {
    await b.stop();
    await store.close();
  }
});
