/**
 * One conformance suite for every Store implementation: `storeConformance` registers a
 * node:test test per contract rule, each on a fresh, empty store from `open`. SQLite and
 * PostgreSQL both run it (sqlite-conformance.test.ts, postgres-conformance.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../../src/store/store.js';
import type { StepRecord } from '../../../src/store/records.js';
import { knowledgeConformance } from './knowledge-conformance.js';
import { apiTokenConformance } from './api-token-conformance.js';
import { modelConformance } from './model-conformance.js';
import { nodeConformance } from './node-conformance.js';
import { agentConformance } from './agent-conformance.js';
import { humanTaskConformance } from './human-task-conformance.js';
import { agentQuorumConformance } from './agent-quorum-conformance.js';

export interface StoreUnderTest {
  store: Store;
  /** Remove everything the store created (file, schema). */
  cleanup: () => Promise<void>;
}

export interface ConformanceOptions {
  /** The store pushes new work (`watch`); stores without it are polled only. */
  watch?: boolean;
}

const WF = 'conformance-wf';
const T0 = 1_000_000;

function step(runId: string, seq: number, overrides: Partial<StepRecord> = {}): StepRecord {
  return { runId, seq, name: `s${seq}`, kind: 'step', status: 'completed', output: JSON.stringify(seq), error: null, attempts: 1, startedAt: T0, finishedAt: T0 + 1, ...overrides };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: string }).code, code, `expected ${code}, got ${String(error)}`);
    return true;
  });
}

/** Create a run and claim it as `worker` (alive until `T0 + 10_000`); returns its fence. */
async function claimed(store: Store, id: string, worker = 'w1', now = T0) {
  await store.createRun({ id, workflow: WF, input: null, now });
  await store.heartbeat(worker, now + 10_000, now);
  const runs = await store.claimRuns(worker, [WF], 100, now);
  const run = runs.find((r) => r.id === id);
  assert.ok(run, `run ${id} should be claimable`);
  return { runId: id, epoch: run.epoch };
}

export function storeConformance(name: string, open: () => Promise<StoreUnderTest>, options: ConformanceOptions = {}): void {
  // node:test runs registered tests itself; nothing here awaits them.
  const it = (title: string, body: (store: Store) => Promise<void>): void => {
    void test(`${name} store: ${title}`, async () => {
      const { store, cleanup } = await open();
      try {
        await body(store);
      } finally {
        await store.close();
        await cleanup();
      }
    });
  };

  it('createRun is idempotent: the second call returns the existing run', async (store) => {
    const first = await store.createRun({ id: 'r1', workflow: WF, input: '{"a":1}', now: T0 });
    assert.equal(first.created, true);
    assert.deepEqual(
      { status: first.run.status, epoch: first.run.epoch, owner: first.run.ownerId, input: first.run.input, generation: first.run.generation },
      { status: 'pending', epoch: 0, owner: null, input: '{"a":1}', generation: 0 },
    );
    const again = await store.createRun({ id: 'r1', workflow: WF, input: '{"other":true}', now: T0 + 5 });
    assert.equal(again.created, false);
    assert.equal(again.run.input, '{"a":1}');
    assert.equal(again.run.createdAt, T0);
    const owned = await store.createRun({ id: 'r2', workflow: WF, input: null, ownerId: 'w1', parentId: 'r1', deadlineAt: T0 + 99, now: T0 });
    assert.deepEqual(
      { status: owned.run.status, epoch: owned.run.epoch, owner: owned.run.ownerId, parent: owned.run.parentId, deadline: owned.run.deadlineAt },
      { status: 'running', epoch: 1, owner: 'w1', parent: 'r1', deadline: T0 + 99 },
    );
    assert.equal(await store.getRun('missing'), undefined);
  });

  it('listRuns filters by status, workflow and parent, newest first, up to a limit', async (store) => {
    for (let i = 0; i < 5; i++) await store.createRun({ id: `a${i}`, workflow: WF, input: null, now: T0 + i });
    await store.createRun({ id: 'b0', workflow: 'other', input: null, parentId: 'a0', now: T0 + 10 });
    assert.deepEqual((await store.listRuns()).map((r) => r.id), ['b0', 'a4', 'a3', 'a2', 'a1', 'a0']);
    assert.deepEqual((await store.listRuns({ workflow: WF, limit: 2 })).map((r) => r.id), ['a4', 'a3']);
    assert.deepEqual((await store.listRuns({ parentId: 'a0' })).map((r) => r.id), ['b0']);
    await store.heartbeat('w1', T0 + 10_000, T0);
    await store.claimRuns('w1', ['other'], 10, T0 + 20);
    assert.deepEqual((await store.listRuns({ status: ['running'] })).map((r) => r.id), ['b0']);
    assert.deepEqual((await store.listRuns({ status: ['pending', 'running'], workflow: 'other' })).map((r) => r.id), ['b0']);
  });

  it('registerWorkflows remembers names once; knownWorkflows lists them sorted', async (store) => {
    await store.registerWorkflows(['zeta', 'alpha'], T0);
    await store.registerWorkflows(['alpha', 'mid'], T0 + 1);
    assert.deepEqual(await store.knownWorkflows(), ['alpha', 'mid', 'zeta']);
  });

  it('claimRuns takes pending runs of the given workflows, oldest first, bumping the epoch', async (store) => {
    for (let i = 0; i < 4; i++) await store.createRun({ id: `p${i}`, workflow: WF, input: null, now: T0 + i });
    await store.createRun({ id: 'x', workflow: 'not-mine', input: null, now: T0 });
    await store.heartbeat('w1', T0 + 10_000, T0);
    const first = await store.claimRuns('w1', [WF], 3, T0 + 10);
    assert.deepEqual(first.map((r) => r.id).sort(), ['p0', 'p1', 'p2']);
    for (const run of first) assert.deepEqual([run.status, run.ownerId, run.epoch], ['running', 'w1', 1]);
    assert.deepEqual((await store.claimRuns('w1', [WF], 10, T0 + 10)).map((r) => r.id), ['p3']);
    assert.deepEqual(await store.claimRuns('w2', [WF], 10, T0 + 10), [], 'runs of a live worker are not taken');
    assert.deepEqual(await store.claimRuns('w1', [WF], 0, T0 + 10), []);
    await store.createRun({ id: 'p9', workflow: WF, input: null, now: T0 });
    assert.deepEqual(await store.claimRuns('never-beat', [WF], 10, T0 + 10), [], 'a worker without a lease claims nothing');
    assert.deepEqual(await store.claimRuns('w1', [WF], 10, T0 + 10_001), [], 'nor one whose lease lapsed');
    await store.heartbeat('w1', T0 + 20_000, T0 + 10_002);
    assert.deepEqual((await store.claimRuns('w1', [WF], 10, T0 + 10_002)).map((r) => r.id), ['p9']);
    assert.deepEqual(await store.claimRuns('w1', [], 10, T0 + 10), []);
  });

  it('claimRuns takes over the runs of a worker whose lease expired, with a new epoch', async (store) => {
    const fence = await claimed(store, 'r1', 'dead');
    await store.heartbeat('live', T0 + 60_000, T0);
    assert.deepEqual(await store.claimRuns('live', [WF], 10, T0 + 5_000), [], 'lease still valid');
    const [taken] = await store.claimRuns('live', [WF], 10, T0 + 10_001);
    assert.ok(taken);
    assert.deepEqual([taken.id, taken.ownerId, taken.epoch], ['r1', 'live', fence.epoch + 1]);
    // An owned-at-creation run whose worker never heartbeat is orphaned too.
    await store.createRun({ id: 'r2', workflow: WF, input: null, ownerId: 'ghost', now: T0 });
    const [orphan] = await store.claimRuns('live', [WF], 10, T0 + 10_002);
    assert.deepEqual([orphan?.id, orphan?.epoch], ['r2', 2]);
  });

  it('claimRuns from many workers at once never hands a run to two of them', async (store) => {
    for (let i = 0; i < 40; i++) await store.createRun({ id: `c${i}`, workflow: WF, input: null, now: T0 + i });
    const workers = ['w1', 'w2', 'w3', 'w4'];
    for (const w of workers) await store.heartbeat(w, T0 + 60_000, T0);
    const claims = await Promise.all(workers.flatMap((w) => [0, 1, 2].map(() => store.claimRuns(w, [WF], 4, T0 + 100))));
    let more = await store.claimRuns('w1', [WF], 100, T0 + 100);
    const ids = [...claims.flat(), ...more].map((r) => r.id);
    assert.equal(ids.length, 40);
    assert.equal(new Set(ids).size, 40);
    more = await store.claimRuns('w2', [WF], 100, T0 + 100);
    assert.deepEqual(more, []);
  });

  it('waiting runs are claimable once due; nextWakeAt is the earliest wake-up', async (store) => {
    const a = await claimed(store, 'a');
    const b = await claimed(store, 'b');
    await store.suspendRun(a, T0 + 500, {}, T0 + 1);
    await store.suspendRun(b, T0 + 300, {}, T0 + 1);
    const waiting = await store.getRun('a');
    assert.deepEqual([waiting?.status, waiting?.ownerId, waiting?.wakeAt], ['waiting', null, T0 + 500]);
    assert.equal(await store.nextWakeAt([WF]), T0 + 300);
    assert.equal(await store.nextWakeAt(['other']), null);
    assert.deepEqual(await store.claimRuns('w1', [WF], 10, T0 + 299), []);
    assert.deepEqual((await store.claimRuns('w1', [WF], 10, T0 + 300)).map((r) => [r.id, r.epoch, r.wakeAt]), [['b', b.epoch + 1, null]]);
  });

  it('saveStep records, refuses a duplicate, and completes a waiting entry; loadHistory returns it with attempt counts', async (store) => {
    const fence = await claimed(store, 'r1');
    await store.saveStep(fence, step('r1', 2));
    await store.saveStep(fence, step('r1', 1, { output: null }));
    await rejectsWith(store.saveStep(fence, step('r1', 1)), 'HS_INVALID_RUN_STATE');
    await store.saveStep(fence, step('r1', 3, { kind: 'signal', status: 'waiting', output: null, finishedAt: null }));
    await store.saveStep(fence, step('r1', 3, { kind: 'signal', status: 'completed', output: '"go"' }));
    await store.saveStep(fence, step('r1', 4, { status: 'failed', output: null, error: { name: 'Error', message: 'boom', code: 'HS_X', retryable: false } }));
    const error = { name: 'Error', message: 'flaky' };
    await store.recordAttempt(fence, { runId: 'r1', seq: 5, generation: 0, attempt: 1, startedAt: T0, finishedAt: T0 + 2, error });
    await store.recordAttempt(fence, { runId: 'r1', seq: 5, generation: 0, attempt: 2, startedAt: T0 + 3, finishedAt: T0 + 4, error });
    await store.recordAttempt(fence, { runId: 'r1', seq: 4, generation: 1, attempt: 1, startedAt: T0, finishedAt: T0 + 2, error });
    const history = await store.loadHistory('r1', 0);
    assert.deepEqual(history.steps.map((s) => [s.seq, s.status, s.output]), [[1, 'completed', null], [2, 'completed', '2'], [3, 'completed', '"go"'], [4, 'failed', null]]);
    assert.deepEqual(history.steps[3]?.error, { name: 'Error', message: 'boom', code: 'HS_X', retryable: false });
    assert.deepEqual(history.steps[0], step('r1', 1, { output: null }));
    assert.deepEqual([...history.failedAttempts.entries()], [[5, 2]]);
    assert.deepEqual((await store.listSteps('r1')).map((s) => s.seq), [1, 2, 3, 4]);
    const attempts = await store.listAttempts('r1');
    assert.deepEqual(attempts.map((a) => [a.seq, a.generation, a.attempt]), [[5, 0, 1], [5, 0, 2], [4, 1, 1]]);
    assert.deepEqual(attempts[0], { runId: 'r1', seq: 5, generation: 0, attempt: 1, startedAt: T0, finishedAt: T0 + 2, error });
  });

  it('every owner write with a stale epoch is refused with HS_FENCED and changes nothing', async (store) => {
    const stale = await claimed(store, 'r1', 'old');
    await store.saveStep(stale, step('r1', 1));
    await store.heartbeat('new', T0 + 60_000, T0);
    const [taken] = await store.claimRuns('new', [WF], 10, T0 + 20_000);
    assert.equal(taken?.epoch, stale.epoch + 1);
    await store.sendSignal('r1', 'go', '"x"', T0);
    await rejectsWith(store.saveStep(stale, step('r1', 2)), 'HS_FENCED');
    await rejectsWith(store.recordAttempt(stale, { runId: 'r1', seq: 2, generation: 0, attempt: 1, startedAt: T0, finishedAt: T0, error: { name: 'E', message: 'm' } }), 'HS_FENCED');
    await rejectsWith(store.consumeSignal(stale, 'go', step('r1', 2, { kind: 'signal' })), 'HS_FENCED');
    await rejectsWith(store.suspendRun(stale, T0 + 5, {}, T0), 'HS_FENCED');
    await rejectsWith(store.finishRun(stale, { status: 'completed', output: '1', error: null }, T0), 'HS_FENCED');
    const run = await store.getRun('r1');
    assert.deepEqual([run?.status, run?.ownerId, run?.epoch], ['running', 'new', stale.epoch + 1]);
    assert.deepEqual((await store.listSteps('r1')).map((s) => s.seq), [1]);
    assert.deepEqual(await store.listAttempts('r1'), []);
    // The signal is still there for the new owner.
    const current = { runId: 'r1', epoch: taken!.epoch };
    assert.deepEqual(await store.consumeSignal(current, 'go', step('r1', 2, { kind: 'signal', output: null })), { payload: '"x"' });
  });

  it('consumeSignal checks the fence first: a stale owner is refused with HS_FENCED whether or not a signal is queued', async (store) => {
    const stale = await claimed(store, 'r1', 'old');
    await store.heartbeat('new', T0 + 60_000, T0);
    const [taken] = await store.claimRuns('new', [WF], 10, T0 + 20_000);
    assert.equal(taken?.epoch, stale.epoch + 1);
    await rejectsWith(store.consumeSignal(stale, 'go', step('r1', 1, { kind: 'signal' })), 'HS_FENCED');
    await store.sendSignal('r1', 'go', '"x"', T0);
    await rejectsWith(store.consumeSignal(stale, 'go', step('r1', 1, { kind: 'signal' })), 'HS_FENCED');
    assert.deepEqual(await store.listSteps('r1'), []);
    const current = { runId: 'r1', epoch: taken!.epoch };
    assert.equal(await store.consumeSignal(current, 'other', step('r1', 1, { kind: 'signal' })), undefined, 'the current owner finds no signal of another name');
    assert.deepEqual(await store.consumeSignal(current, 'go', step('r1', 1, { kind: 'signal', output: null })), { payload: '"x"' });
  });

  it('signals queue per run and name, are consumed oldest first and only once', async (store) => {
    assert.equal(await store.sendSignal('missing', 'go', null, T0), false);
    const fence = await claimed(store, 'r1');
    assert.equal(await store.sendSignal('r1', 'go', '1', T0), true);
    assert.equal(await store.sendSignal('r1', 'other', '9', T0), true);
    assert.equal(await store.sendSignal('r1', 'go', '2', T0 + 1), true);
    assert.equal(await store.consumeSignal(fence, 'none', step('r1', 1, { kind: 'signal' })), undefined);
    assert.deepEqual(await store.consumeSignal(fence, 'go', step('r1', 1, { kind: 'signal', output: null })), { payload: '1' });
    assert.deepEqual(await store.consumeSignal(fence, 'go', step('r1', 2, { kind: 'signal', output: null })), { payload: '2' });
    assert.equal(await store.consumeSignal(fence, 'go', step('r1', 3, { kind: 'signal' })), undefined);
    await store.sendSignal('r1', 'go', '3', T0 + 2);
    await rejectsWith(store.consumeSignal(fence, 'go', step('r1', 1, { kind: 'signal' })), 'HS_INVALID_RUN_STATE');
    assert.deepEqual(await store.consumeSignal(fence, 'go', step('r1', 3, { kind: 'signal', output: null })), { payload: '3' }, 'a refused consume leaves the signal queued');
    assert.deepEqual((await store.listSteps('r1')).map((s) => [s.seq, s.output]), [[1, '1'], [2, '2'], [3, '3']]);
  });

  it('a signal makes a waiting run due at once; suspending with a signal already queued does not wait', async (store) => {
    const a = await claimed(store, 'a');
    await store.suspendRun(a, null, { signals: ['go'] }, T0 + 1);
    assert.equal((await store.getRun('a'))?.wakeAt, null);
    await store.sendSignal('a', 'go', null, T0 + 2);
    assert.deepEqual([(await store.getRun('a'))?.status, (await store.getRun('a'))?.wakeAt], ['waiting', T0 + 2]);
    const b = await claimed(store, 'b');
    await store.sendSignal('b', 'go', null, T0 + 3);
    await store.suspendRun(b, T0 + 99_999, { signals: ['other', 'go'] }, T0 + 4);
    assert.equal((await store.getRun('b'))?.wakeAt, T0 + 4);
  });

  it('a finishing child wakes its waiting parent; suspending on an already-finished child does not wait', async (store) => {
    const parent = await claimed(store, 'parent');
    await store.createRun({ id: 'child', workflow: WF, input: null, parentId: 'parent', now: T0 });
    await store.suspendRun(parent, null, { children: ['child'] }, T0 + 1);
    const [child] = await store.claimRuns('w1', [WF], 10, T0 + 2);
    assert.equal(child?.id, 'child');
    await store.finishRun({ runId: 'child', epoch: child.epoch }, { status: 'completed', output: '"done"', error: null }, T0 + 3);
    const finished = await store.getRun('child');
    assert.deepEqual([finished?.status, finished?.output, finished?.ownerId, finished?.finishedAt], ['completed', '"done"', null, T0 + 3]);
    assert.equal((await store.getRun('parent'))?.wakeAt, T0 + 3);
    const [again] = await store.claimRuns('w1', [WF], 10, T0 + 4);
    assert.equal(again?.id, 'parent');
    await store.suspendRun({ runId: 'parent', epoch: again.epoch }, T0 + 99_999, { children: ['child'] }, T0 + 5);
    assert.equal((await store.getRun('parent'))?.wakeAt, T0 + 5);
  });

  it('suspension racing a signal or a finishing child never loses the wake-up', async (store) => {
    for (let i = 0; i < 25; i++) {
      const fence = await claimed(store, `s${i}`);
      await Promise.all([store.suspendRun(fence, null, { signals: ['go'] }, T0 + 1), store.sendSignal(`s${i}`, 'go', null, T0 + 1)]);
      assert.equal((await store.getRun(`s${i}`))?.wakeAt, T0 + 1, `run s${i} lost its signal`);
    }
    await store.heartbeat('w2', T0 + 60_000, T0);
    for (let i = 0; i < 25; i++) {
      const parent = await claimed(store, `p${i}`);
      const child = await store.createRun({ id: `c${i}`, workflow: 'child-wf', input: null, parentId: `p${i}`, ownerId: 'w2', now: T0 });
      await Promise.all([
        store.suspendRun(parent, null, { children: [`c${i}`] }, T0 + 1),
        store.finishRun({ runId: `c${i}`, epoch: child.run.epoch }, { status: 'completed', output: null, error: null }, T0 + 1),
      ]);
      assert.equal((await store.getRun(`p${i}`))?.wakeAt, T0 + 1, `run p${i} missed its child's finish`);
    }
  });

  it('suspending a run whose cancellation was requested meanwhile makes it due at once', async (store) => {
    const fence = await claimed(store, 'r1');
    await store.saveStep(fence, step('r1', 1));
    await store.requestCancel('r1', T0 + 1);
    await store.suspendRun(fence, null, { signals: ['never'] }, T0 + 2);
    const run = await store.getRun('r1');
    assert.deepEqual([run?.status, run?.wakeAt, run?.cancelRequested], ['waiting', T0 + 2, true]);
  });

  it('element events are appended in order and listed by element, kinds and position', async (store) => {
    await store.appendEvents([]);
    await store.appendEvents([
      { at: T0, element: 'api', kind: 'process-exited', data: '{"code":1}' },
      { at: T0 + 1, element: 'db', kind: 'probe-changed', data: '{}' },
      { at: T0 + 2, element: 'api', kind: 'restarted', data: '{}' },
    ]);
    await store.appendEvents([{ at: T0 + 3, element: 'api', kind: 'process-exited', data: '{"code":2}' }]);
    const all = await store.listEvents();
    assert.deepEqual(all.map((e) => [e.element, e.kind, e.at]), [['api', 'process-exited', T0], ['db', 'probe-changed', T0 + 1], ['api', 'restarted', T0 + 2], ['api', 'process-exited', T0 + 3]]);
    for (let i = 1; i < all.length; i++) assert.ok(all[i]!.id > all[i - 1]!.id);
    assert.deepEqual(all[0], { id: all[0]!.id, at: T0, element: 'api', kind: 'process-exited', data: '{"code":1}' });
    assert.deepEqual((await store.listEvents({ element: 'api', kinds: ['process-exited'] })).map((e) => e.data), ['{"code":1}', '{"code":2}']);
    assert.deepEqual((await store.listEvents({ limit: 2 })).map((e) => e.at), [T0 + 2, T0 + 3], 'the latest, oldest first');
    assert.deepEqual((await store.listEvents({ sinceId: all[1]!.id, limit: 1 })).map((e) => e.at), [T0 + 2]);
  });

  it('element states are replaced per owner and listed by element and instance', async (store) => {
    const state = (instance: string, element: string, health = 'healthy') => ({ instance, element, owner: 'ignored', state: 'running', health, data: '{}', updatedAt: T0 });
    await store.saveElementStates('sup-a', [state('api#1', 'api'), state('api#0', 'api')]);
    await store.saveElementStates('sup-b', [state('db', 'db')]);
    await store.saveElementStates('sup-a', [state('api#0', 'api', 'unhealthy')]);
    const states = await store.listElementStates();
    assert.deepEqual(states.map((s) => [s.owner, s.instance, s.health]), [['sup-a', 'api#0', 'unhealthy'], ['sup-b', 'db', 'healthy']]);
    assert.deepEqual(states[1], { owner: 'sup-b', instance: 'db', element: 'db', state: 'running', health: 'healthy', data: '{}', updatedAt: T0 });
    await store.saveElementStates('sup-b', []);
    assert.deepEqual((await store.listElementStates()).map((s) => s.owner), ['sup-a']);
  });

  it('finishRun records the outcome and releases ownership', async (store) => {
    const fence = await claimed(store, 'r1');
    const error = { name: 'StepFailedError', message: 'no', code: 'HS_STEP_FAILED', step: 'x' };
    await store.finishRun(fence, { status: 'failed', output: null, error }, T0 + 7);
    const run = await store.getRun('r1');
    assert.deepEqual([run?.status, run?.error, run?.ownerId, run?.finishedAt, run?.updatedAt], ['failed', error, null, T0 + 7, T0 + 7]);
    assert.deepEqual(await store.claimRuns('w1', [WF], 10, T0 + 99_999), []);
  });

  it('cancel: an unstarted run is cancelled in place; a running one is flagged for its owner; a waiting one becomes due', async (store) => {
    await store.createRun({ id: 'fresh', workflow: WF, input: null, now: T0 });
    const fresh = await store.requestCancel('fresh', T0 + 1);
    assert.deepEqual([fresh?.status, fresh?.error?.code, fresh?.finishedAt], ['cancelled', 'HS_CANCELLED', T0 + 1]);
    assert.equal(await store.requestCancel('missing', T0), undefined);

    const running = await claimed(store, 'running');
    await store.saveStep(running, step('running', 1));
    const flagged = await store.requestCancel('running', T0 + 2);
    assert.deepEqual([flagged?.status, flagged?.cancelRequested], ['running', true]);
    assert.deepEqual(await store.heartbeat('w1', T0 + 10_000, T0 + 3), { cancelRequested: ['running'] });
    assert.deepEqual(await store.heartbeat('w2', T0 + 10_000, T0 + 3), { cancelRequested: [] });

    const waiting = await claimed(store, 'waiting');
    await store.saveStep(waiting, step('waiting', 1));
    await store.suspendRun(waiting, null, { signals: ['never'] }, T0 + 1);
    const due = await store.requestCancel('waiting', T0 + 4);
    assert.deepEqual([due?.status, due?.cancelRequested, due?.wakeAt], ['waiting', true, T0 + 4]);
    const done = await store.requestCancel('fresh', T0 + 5);
    assert.equal(done?.status, 'cancelled', 'a finished run stays as it is');
  });

  it('cancel: a run flagged while running that then suspends becomes due at once (the cancel is not lost)', async (store) => {
    const fence = await claimed(store, 'r1');
    await store.saveStep(fence, step('r1', 1));
    await store.requestCancel('r1', T0 + 1); // running: only flagged
    await store.suspendRun(fence, null, { signals: ['never'] }, T0 + 2);
    const run = await store.getRun('r1');
    assert.deepEqual([run?.status, run?.cancelRequested, run?.wakeAt], ['waiting', true, T0 + 2]);
    const [again] = await store.claimRuns('w1', [WF], 10, T0 + 3);
    assert.deepEqual([again?.id, again?.cancelRequested], ['r1', true]);
  });

  it('redrive puts a failed run back in the queue from a step, with new generation and epoch', async (store) => {
    await rejectsWith(store.redrive('missing', 1, T0), 'HS_RUN_NOT_FOUND');
    const fence = await claimed(store, 'r1');
    await rejectsWith(store.redrive('r1', 1, T0), 'HS_INVALID_RUN_STATE');
    for (const seq of [1, 2, 3]) await store.saveStep(fence, step('r1', seq));
    await store.saveStep(fence, step('r1', 4, { kind: 'compensation', name: 'compensate:s1' }));
    await store.finishRun(fence, { status: 'failed', output: null, error: { name: 'E', message: 'x' } }, T0 + 1);
    const redriven = await store.redrive('r1', 2, T0 + 2);
    assert.deepEqual(
      [redriven.status, redriven.error, redriven.ownerId, redriven.generation, redriven.epoch, redriven.finishedAt, redriven.cancelRequested],
      ['pending', null, null, 1, fence.epoch + 1, null, false],
    );
    assert.deepEqual((await store.listSteps('r1')).map((s) => s.seq), [1]);
    const [again] = await store.claimRuns('w1', [WF], 10, T0 + 3);
    assert.deepEqual([again?.id, again?.generation], ['r1', 1]);
  });

  it('releaseWorker hands its unfinished runs back to the queue at once', async (store) => {
    const fence = await claimed(store, 'r1', 'leaving');
    await claimed(store, 'r2', 'leaving');
    const done = await claimed(store, 'r3', 'leaving');
    await store.finishRun(done, { status: 'completed', output: null, error: null }, T0);
    await store.releaseWorker('leaving', T0 + 1);
    const run = await store.getRun('r1');
    assert.deepEqual([run?.status, run?.ownerId, run?.epoch], ['pending', null, fence.epoch + 1]);
    assert.equal((await store.getRun('r3'))?.status, 'completed');
    await store.heartbeat('other', T0 + 10_000, T0);
    assert.deepEqual((await store.claimRuns('other', [WF], 10, T0 + 2)).map((r) => r.id).sort(), ['r1', 'r2']);
    await rejectsWith(store.saveStep(fence, step('r1', 1)), 'HS_FENCED');
  });

  it('leadership: one holder at a time, the token grows with every change of holder, stale tokens cannot act', async (store) => {
    const a = await store.acquireLeadership('ctl', 'a', 1_000, T0);
    assert.deepEqual(a, { leader: true, holder: 'a', token: 1, expiresAt: T0 + 1_000 });
    const b = await store.acquireLeadership('ctl', 'b', 1_000, T0 + 10);
    assert.deepEqual(b, { leader: false, holder: 'a', token: 1, expiresAt: T0 + 1_000 });
    assert.equal(await store.renewLeadership('ctl', 'a', 1, 1_000, T0 + 500), true);
    assert.deepEqual(await store.acquireLeadership('ctl', 'a', 1_000, T0 + 600), { leader: true, holder: 'a', token: 1, expiresAt: T0 + 1_600 });
    await store.recordLeaderAction({ name: 'ctl', token: 1 }, 'restart', '{"n":1}', T0 + 700);
    assert.deepEqual((await store.acquireLeadership('ctl', 'b', 1_000, T0 + 1_600)).leader, false, 'not before the lease lapses');
    const taken = await store.acquireLeadership('ctl', 'b', 1_000, T0 + 1_601);
    assert.deepEqual(taken, { leader: true, holder: 'b', token: 2, expiresAt: T0 + 2_601 });
    assert.equal(await store.renewLeadership('ctl', 'a', 1, 1_000, T0 + 1_602), false);
    await rejectsWith(store.recordLeaderAction({ name: 'ctl', token: 1 }, 'restart', null, T0 + 1_603), 'HS_NOT_LEADER');
    await store.recordLeaderAction({ name: 'ctl', token: 2 }, 'scale', null, T0 + 1_604);
    await store.resignLeadership('ctl', 'a', 1, T0 + 1_605); // not the holder: no effect
    assert.equal((await store.acquireLeadership('ctl', 'c', 1_000, T0 + 1_606)).leader, false);
    await store.resignLeadership('ctl', 'b', 2, T0 + 1_700);
    assert.deepEqual(await store.acquireLeadership('ctl', 'c', 1_000, T0 + 1_701), { leader: true, holder: 'c', token: 3, expiresAt: T0 + 2_701 });
    assert.deepEqual((await store.acquireLeadership('other', 'c', 1_000, T0)).token, 1, 'leases are independent');
    assert.deepEqual(await store.listLeaderActions('ctl'), [
      { token: 1, action: 'restart', payload: '{"n":1}', recordedAt: T0 + 700 },
      { token: 2, action: 'scale', payload: null, recordedAt: T0 + 1_604 },
    ]);
  });

  it('leadership: the lease names the current holder\'s API URL; nobody once it lapses or is resigned', async (store) => {
    assert.equal(await store.currentLeader('ctl', T0), undefined);
    await store.acquireLeadership('ctl', 'a', 1_000, T0, 'http://10.0.0.1:7000');
    assert.deepEqual(await store.currentLeader('ctl', T0 + 500), { holder: 'a', token: 1, apiUrl: 'http://10.0.0.1:7000', expiresAt: T0 + 1_000 });
    assert.equal(await store.currentLeader('ctl', T0 + 1_001), undefined, 'lapsed');
    await store.acquireLeadership('ctl', 'b', 1_000, T0 + 1_001);
    assert.deepEqual(await store.currentLeader('ctl', T0 + 1_002), { holder: 'b', token: 2, apiUrl: null, expiresAt: T0 + 2_001 }, 'a new holder without an API: not the old URL');
    await store.resignLeadership('ctl', 'b', 2, T0 + 1_100);
    assert.equal(await store.currentLeader('ctl', T0 + 1_100), undefined, 'resigned');
  });

  it('leadership: concurrent campaigns elect exactly one holder', async (store) => {
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((holder) => store.acquireLeadership('ctl', holder, 1_000, T0)));
    const leaders = results.filter((r) => r.leader);
    assert.equal(leaders.length, 1);
    for (const r of results) assert.deepEqual([r.holder, r.token], [leaders[0]!.holder, 1]);
  });

  if (options.watch) {
    it('watch reports new unowned runs, signals to waiting runs and redrives', async (store) => {
      let calls = 0;
      const stop = await store.watch!(() => calls++);
      try {
        const waitForCall = async (what: string) => {
          const before = calls;
          return { before, what };
        };
        const expectCall = async (mark: { before: number; what: string }) => {
          const deadline = Date.now() + 5_000;
          while (calls === mark.before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
          assert.ok(calls > mark.before, `no notification after ${mark.what}`);
        };
        let mark = await waitForCall('createRun');
        await store.createRun({ id: 'n1', workflow: WF, input: null, now: T0 });
        await expectCall(mark);
        const fence = await claimed(store, 'n2');
        await store.suspendRun(fence, null, { signals: ['go'] }, T0);
        mark = await waitForCall('sendSignal');
        await store.sendSignal('n2', 'go', null, T0);
        await expectCall(mark);
      } finally {
        await stop();
      }
    });
  }

  knowledgeConformance(it);
  apiTokenConformance(it);
  nodeConformance(it);
  modelConformance(it);
  agentConformance(it);
  humanTaskConformance(it);
  agentQuorumConformance(it);
}
