/** The node part of the Store contract (several `up` on one store), registered by `storeConformance`. */
import assert from 'node:assert/strict';
import type { NewNodeActionRecord } from '../../../src/store/records.js';
import type { Store } from '../../../src/store/store.js';

type It = (title: string, body: (store: Store) => Promise<void>) => void;

function request(id: string, node: string, requestedAt: number, claimedBy?: string): NewNodeActionRecord {
  return { id, node, incidentId: 'inc-1', action: '{"action":"restart","scope":"instance"}', target: '{"service":"web","instance":"web#0"}', requestedAt, ...(claimedBy ? { claimedBy } : {}) };
}

export function nodeConformance(it: It): void {
  it('nodes: a heartbeat creates the row and moves last-seen; a new incarnation restarts it', async (store) => {
    assert.equal(await store.getNode('a'), undefined);
    await store.heartbeatNode('a', 'a-1', 1_000);
    await store.heartbeatNode('a', 'a-1', 2_000);
    assert.deepEqual(await store.getNode('a'), { name: 'a', incarnation: 'a-1', startedAt: 1_000, lastSeenAt: 2_000 });
    await store.heartbeatNode('a', 'a-2', 3_000);
    assert.deepEqual(await store.getNode('a'), { name: 'a', incarnation: 'a-2', startedAt: 3_000, lastSeenAt: 3_000 });
    await store.heartbeatNode('b', 'b-1', 3_500);
    assert.deepEqual((await store.listNodes()).map((n) => n.name), ['a', 'b']);
  });

  it('node symptoms: queued in order, taken once, oldest first, never twice by concurrent takers', async (store) => {
    await store.appendNodeSymptoms([1, 2, 3, 4, 5].map((n) => ({ node: 'b', symptom: `{"n":${n}}`, at: n })));
    const first = await store.takeNodeSymptoms(2);
    assert.deepEqual(first.map((s) => s.symptom), ['{"n":1}', '{"n":2}']);
    assert.equal(first[0]!.node, 'b');
    const [x, y] = await Promise.all([store.takeNodeSymptoms(2), store.takeNodeSymptoms(2)]);
    const rest = [...x, ...y, ...(await store.takeNodeSymptoms(10))].map((s) => s.symptom).sort();
    assert.deepEqual(rest, ['{"n":3}', '{"n":4}', '{"n":5}']);
    assert.deepEqual(await store.takeNodeSymptoms(10), []);
  });

  it('node actions: a request is written once (its id is stable); claimed once, by its node only; finished by its claimer only', async (store) => {
    const written = await store.requestNodeAction(request('run:0', 'b', 1_000), 1_000);
    assert.equal(written.created, true);
    assert.equal(written.request.status, 'pending');
    const again = await store.requestNodeAction({ ...request('run:0', 'b', 9_000), target: '{"other":true}' }, 9_000);
    assert.equal(again.created, false);
    assert.deepEqual(again.request, written.request, 'the existing request, unchanged');
    assert.deepEqual(await store.claimNodeActions('a', 'a-1', 10, 1_100), [], 'another node does not claim it');
    const [c1, c2] = await Promise.all([store.claimNodeActions('b', 'b-1', 10, 1_200), store.claimNodeActions('b', 'b-1', 10, 1_200)]);
    assert.equal(c1.length + c2.length, 1, 'claimed once');
    const claimed = (await store.getNodeAction('run:0'))!;
    assert.deepEqual({ status: claimed.status, claimedBy: claimed.claimedBy, claimedAt: claimed.claimedAt }, { status: 'claimed', claimedBy: 'b-1', claimedAt: 1_200 });
    assert.equal(await store.refuseNodeAction('run:0', 'too late', 1_250), false, 'a claimed request is not refused');
    assert.equal(await store.finishNodeAction('run:0', 'b-0', '{"ok":true}', 1_300), false, 'another incarnation does not finish it');
    assert.equal(await store.finishNodeAction('run:0', 'b-1', '{"ok":true}', 1_300), true);
    assert.equal(await store.finishNodeAction('run:0', 'b-1', '{"ok":false}', 1_400), false, 'finished once');
    const done = (await store.getNodeAction('run:0'))!;
    assert.deepEqual({ status: done.status, outcome: done.outcome, finishedAt: done.finishedAt, incidentId: done.incidentId }, { status: 'done', outcome: '{"ok":true}', finishedAt: 1_300, incidentId: 'inc-1' });
  });

  it('node actions: a pending request is refused once and never claimed after; one written claimed is not claimable; oldest claimed first', async (store) => {
    await store.requestNodeAction(request('r2', 'b', 2_000), 2_000);
    await store.requestNodeAction(request('r1', 'b', 1_000), 1_000);
    await store.requestNodeAction(request('r3', 'b', 3_000), 3_000);
    assert.equal(await store.refuseNodeAction('r3', '{"detail":"node b is gone"}', 3_100), true);
    assert.equal(await store.refuseNodeAction('r3', 'again', 3_200), false);
    const own = await store.requestNodeAction(request('r4', 'b', 4_000, 'b-1'), 4_000);
    assert.deepEqual({ status: own.request.status, claimedBy: own.request.claimedBy, claimedAt: own.request.claimedAt }, { status: 'claimed', claimedBy: 'b-1', claimedAt: 4_000 });
    assert.deepEqual((await store.claimNodeActions('b', 'b-1', 10, 5_000)).map((r) => r.id), ['r1', 'r2']);
    assert.deepEqual(await store.claimNodeActions('b', 'b-1', 10, 5_000), []);
    assert.equal((await store.getNodeAction('r3'))?.status, 'refused');
    assert.equal(await store.getNodeAction('nope'), undefined);
  });
}
