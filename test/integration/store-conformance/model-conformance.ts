/** The model part of the Store contract (attempts and the budget ledger), registered by `storeConformance`. */
import assert from 'node:assert/strict';
import type { NewModelReservation } from '../../../src/store/records.js';
import type { Store } from '../../../src/store/store.js';

type It = (title: string, body: (store: Store) => Promise<void>) => void;

function reservation(overrides: Partial<NewModelReservation> = {}): NewModelReservation {
  return {
    runId: 'run-1', workflow: 'summarize', stepSeq: 1, step: 'model:summarize', stepAttempt: 1, day: '2026-12-07',
    provider: 'openai', model: 'gpt-small', promptHash: 'ab'.repeat(32), reservedTokens: 200, reservedCostMicros: 400, startedAt: 1_000, ...overrides,
  };
}

const settlement = { outcome: 'ok', tokensIn: 10, tokensOut: 20, costMicros: 50, latencyMs: 30, finishedAt: 1_030, error: null, validationErrors: null, reply: '{"value":"x"}' };

export function modelConformance(it: It): void {
  it('a model settlement committed with a step checkpoint: both or neither (a fenced or duplicate step leaves the reservation open)', async (store) => {
    const now = 1_000;
    await store.createRun({ id: 'run-1', workflow: 'summarize', input: null, now });
    await store.heartbeat('w1', now + 10_000, now);
    const [run] = await store.claimRuns('w1', ['summarize'], 10, now);
    assert.ok(run);
    const fence = { runId: 'run-1', epoch: run.epoch };
    const stepOf = (seq: number) => ({ runId: 'run-1', seq, name: 'model:summarize', kind: 'step' as const, status: 'completed' as const, output: '{"value":"x"}', error: null, attempts: 1, startedAt: now, finishedAt: now + 30 });
    const spend = async () => store.modelSpend('2026-12-07', 'summarize');

    const first = await store.reserveModelAttempt(reservation(), []);
    assert.ok(first.reserved);
    await store.saveStep(fence, stepOf(1), store.settlementWrites(first.id, { ...settlement, reply: null }));
    assert.equal((await store.listSteps('run-1')).length, 1);
    const [settled] = await store.listModelAttempts('run-1');
    assert.deepEqual([settled!.status, settled!.outcome, settled!.tokensIn + settled!.tokensOut], ['settled', 'ok', 30]);
    assert.deepEqual(await spend(), { tokens: 30, costMicros: 50 }, 'the day totals moved in the same commit');

    // The same step again is refused (HS_INVALID_RUN_STATE): the settlement with it is not applied.
    const second = await store.reserveModelAttempt(reservation({ stepSeq: 2 }), []);
    assert.ok(second.reserved);
    await assert.rejects(store.saveStep(fence, stepOf(1), store.settlementWrites(second.id, settlement)), (error: { code?: string }) => error.code === 'HS_INVALID_RUN_STATE');
    // A stale owner's checkpoint is fenced (HS_FENCED): nor is its settlement.
    await store.heartbeat('w2', now + 30_000, now + 20_000);
    const [taken] = await store.claimRuns('w2', ['summarize'], 10, now + 20_000);
    assert.ok(taken, 'the run is taken over once w1\'s lease lapsed');
    await assert.rejects(store.saveStep(fence, stepOf(2), store.settlementWrites(second.id, settlement)), (error: { code?: string }) => error.code === 'HS_FENCED');
    const open = (await store.listModelAttempts('run-1')).find((a) => a.id === second.id);
    assert.equal(open?.status, 'reserved', 'still open: the next execution of the call releases it');
    assert.deepEqual(await spend(), { tokens: 230, costMicros: 450 }, 'the open reservation still counts at its worst case');
    assert.equal((await store.listSteps('run-1')).length, 1);
  });

  it('model attempts: reserved, numbered per call, settled once with the real use, listed per run in order; the settled answer is found', async (store) => {
    const first = await store.reserveModelAttempt(reservation(), []);
    assert.ok(first.reserved);
    assert.equal(first.callAttempt, 1);
    assert.equal(await store.settleModelAttempt(first.id, { ...settlement, outcome: 'invalid-output', reply: null, validationErrors: '["a: wrong"]' }), true);
    assert.equal(await store.settleModelAttempt(first.id, settlement), false, 'a settled attempt is not settled again');
    const second = await store.reserveModelAttempt(reservation({ stepAttempt: 2 }), []);
    assert.ok(second.reserved);
    assert.equal(second.callAttempt, 2);
    assert.equal(await store.findModelReply('run-1', 1), undefined, 'no answer settled ok yet');
    assert.equal(await store.settleModelAttempt(second.id, settlement), true);
    assert.equal(await store.findModelReply('run-1', 1), '{"value":"x"}');
    const other = await store.reserveModelAttempt(reservation({ stepSeq: 3 }), []);
    assert.ok(other.reserved);
    assert.equal(other.callAttempt, 1, 'another call of the run counts its own attempts');

    const listed = await store.listModelAttempts('run-1');
    assert.deepEqual(listed.map((a) => [a.stepSeq, a.callAttempt, a.status, a.outcome]), [[1, 1, 'settled', 'invalid-output'], [1, 2, 'settled', 'ok'], [3, 1, 'reserved', null]]);
    assert.deepEqual(
      { ...listed[1]!, id: 0 },
      {
        id: 0, runId: 'run-1', workflow: 'summarize', stepSeq: 1, step: 'model:summarize', stepAttempt: 2, callAttempt: 2, day: '2026-12-07', provider: 'openai', model: 'gpt-small',
        promptHash: 'ab'.repeat(32), status: 'settled', reservedTokens: 200, reservedCostMicros: 400, outcome: 'ok', tokensIn: 10, tokensOut: 20, costMicros: 50, latencyMs: 30,
        startedAt: 1_000, finishedAt: 1_030, error: null, validationErrors: null,
      },
    );
    assert.equal(listed[0]!.validationErrors, '["a: wrong"]');
    assert.deepEqual(await store.listModelAttempts('run-2'), []);
  });

  it('model budget ledger: open reservations count at their worst case, settled ones at their real use, released ones not at all', async (store) => {
    const limit = [{ scope: 'global' as const, maxTokens: 500 }];
    const a = await store.reserveModelAttempt(reservation(), limit);
    const b = await store.reserveModelAttempt(reservation({ runId: 'run-2' }), limit);
    assert.ok(a.reserved && b.reserved);
    const refused = await store.reserveModelAttempt(reservation({ runId: 'run-3' }), limit);
    assert.deepEqual(refused, { reserved: false, limit: limit[0], spent: { tokens: 400, costMicros: 800 } });
    await store.settleModelAttempt(a.id, settlement); // 200 reserved → 30 used
    assert.deepEqual(await store.modelSpend('2026-12-07'), { tokens: 230, costMicros: 450 });
    assert.equal(await store.releaseModelReservations('run-2', 1, 2_000), 1);
    assert.equal(await store.releaseModelReservations('run-2', 1, 2_000), 0);
    assert.deepEqual(await store.modelSpend('2026-12-07'), { tokens: 30, costMicros: 50 });
    assert.equal((await store.listModelAttempts('run-2'))[0]!.status, 'released');
    assert.equal(await store.settleModelAttempt(b.id, settlement), false, 'a released reservation is not settled by its dead execution');
    // Scopes: per run, per workflow and day, per call.
    assert.deepEqual(await store.modelSpend('2026-12-07', 'other'), { tokens: 0, costMicros: 0 });
    assert.deepEqual(await store.modelSpend('2026-12-08'), { tokens: 0, costMicros: 0 });
    const perRun = await store.reserveModelAttempt(reservation(), [{ scope: 'run', maxTokens: 229 }]);
    assert.deepEqual(perRun, { reserved: false, limit: { scope: 'run', maxTokens: 229 }, spent: { tokens: 30, costMicros: 50 } });
    const perWorkflow = await store.reserveModelAttempt(reservation({ workflow: 'other' }), [{ scope: 'workflow', maxCostMicros: 400 }]);
    assert.ok(perWorkflow.reserved, 'another workflow has spent nothing today');
    const perCall = await store.reserveModelAttempt(reservation({ stepSeq: 9 }), [{ scope: 'call', maxTokens: 200 }]);
    assert.ok(perCall.reserved);
  });

  it('model budget ledger: concurrent reservations never take more than the budget', async (store) => {
    const limit = [{ scope: 'global' as const, maxTokens: 650 }];
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.reserveModelAttempt(reservation({ runId: `run-${i}` }), limit)));
    assert.equal(results.filter((r) => r.reserved).length, 3);
    assert.deepEqual(await store.modelSpend('2026-12-07'), { tokens: 600, costMicros: 1_200 });
  });

  it('model calls resumed: nothing recorded → no answer; open reservations released (and their totals given back), the settled answer returned', async (store) => {
    assert.equal(await store.resumeModelCall('run-1', 1, 2_000), undefined);
    const dead = await store.reserveModelAttempt(reservation(), []);
    assert.ok(dead.reserved);
    assert.equal(await store.resumeModelCall('run-1', 1, 2_000), undefined, 'an open reservation is no answer');
    assert.deepEqual((await store.listModelAttempts('run-1')).map((a) => [a.status, a.outcome, a.finishedAt]), [['released', 'abandoned', 2_000]]);
    assert.deepEqual(await store.modelSpend('2026-12-07'), { tokens: 0, costMicros: 0 });
    const answered = await store.reserveModelAttempt(reservation(), []);
    const hedge = await store.reserveModelAttempt(reservation(), []);
    assert.ok(answered.reserved && hedge.reserved);
    await store.settleModelAttempt(answered.id, settlement);
    assert.equal(await store.resumeModelCall('run-1', 1, 3_000), '{"value":"x"}');
    assert.deepEqual((await store.listModelAttempts('run-1')).map((a) => a.status), ['released', 'settled', 'released'], 'the other open attempt is released too');
    assert.deepEqual(await store.modelSpend('2026-12-07'), { tokens: 30, costMicros: 50 });
    assert.equal(await store.resumeModelCall('run-1', 2, 3_000), undefined, 'another call of the run has no answer');
  });

  it('model day budgets: running totals per workflow and for all, moved by every reserve, settle and release; refusals read them; days apart', async (store) => {
    const day = [{ scope: 'workflow' as const, maxTokens: 450 }, { scope: 'global' as const, maxCostMicros: 1_500 }];
    const a = await store.reserveModelAttempt(reservation({ runId: 'run-a' }), day);
    const b = await store.reserveModelAttempt(reservation({ runId: 'run-b', workflow: 'other' }), day);
    const c = await store.reserveModelAttempt(reservation({ runId: 'run-c' }), day);
    assert.ok(a.reserved && b.reserved && c.reserved);
    assert.deepEqual(await store.modelSpend('2026-12-07', 'summarize'), { tokens: 400, costMicros: 800 });
    assert.deepEqual(await store.modelSpend('2026-12-07'), { tokens: 600, costMicros: 1_200 });
    const overWorkflow = await store.reserveModelAttempt(reservation({ runId: 'run-d' }), day);
    assert.deepEqual(overWorkflow, { reserved: false, limit: day[0], spent: { tokens: 400, costMicros: 800 } });
    const overGlobal = await store.reserveModelAttempt(reservation({ runId: 'run-e', workflow: 'third' }), day);
    assert.deepEqual(overGlobal, { reserved: false, limit: day[1], spent: { tokens: 600, costMicros: 1_200 } });
    assert.equal((await store.listModelAttempts('run-d')).length, 0, 'a refused reservation leaves no row and moves no total');

    await store.settleModelAttempt(a.id, settlement); // 200 / 400 reserved → 30 / 50 used
    assert.equal(await store.settleModelAttempt(a.id, settlement), false);
    assert.deepEqual(await store.modelSpend('2026-12-07', 'summarize'), { tokens: 230, costMicros: 450 }, 'a second settle moves nothing');
    await store.settleModelAttempt(b.id, { ...settlement, outcome: 'server-error', tokensIn: 0, tokensOut: 0, costMicros: 0, reply: null });
    assert.deepEqual(await store.modelSpend('2026-12-07', 'other'), { tokens: 0, costMicros: 0 });
    assert.equal(await store.releaseModelReservations('run-c', 1, 2_000), 1);
    assert.equal(await store.releaseModelReservations('run-c', 1, 2_000), 0);
    assert.equal(await store.settleModelAttempt(c.id, settlement), false, 'a released reservation is not settled by its dead execution');
    assert.deepEqual(await store.modelSpend('2026-12-07', 'summarize'), { tokens: 30, costMicros: 50 });
    assert.deepEqual(await store.modelSpend('2026-12-07'), { tokens: 30, costMicros: 50 });
    const again = await store.reserveModelAttempt(reservation({ runId: 'run-d' }), day);
    assert.ok(again.reserved, 'what was settled low or released is free again');

    // Another UTC day starts at zero; an attempt settled above its reservation counts its real use.
    const tomorrow = await store.reserveModelAttempt(reservation({ runId: 'run-f', day: '2026-12-08' }), day);
    assert.ok(tomorrow.reserved);
    await store.settleModelAttempt(tomorrow.id, { ...settlement, tokensIn: 300, tokensOut: 20, costMicros: 900 });
    assert.deepEqual(await store.modelSpend('2026-12-08', 'summarize'), { tokens: 320, costMicros: 900 });
    assert.deepEqual(await store.modelSpend('2026-12-07'), { tokens: 230, costMicros: 450 });
    // The totals are what the attempts sum to.
    const rows = [...(await store.listModelAttempts('run-a')), ...(await store.listModelAttempts('run-d'))];
    const summed = rows.reduce((sum, r) => sum + (r.status === 'settled' ? r.tokensIn + r.tokensOut : r.status === 'reserved' ? r.reservedTokens : 0), 0);
    assert.equal(summed, 230);
  });

  it('model day budgets: concurrent reservations, settles and releases on one workflow leave its totals equal to its attempts and never past the budget', async (store) => {
    const limit = [{ scope: 'workflow' as const, maxTokens: 1_000 }];
    const first = await Promise.all(Array.from({ length: 6 }, (_, i) => store.reserveModelAttempt(reservation({ runId: `run-${i}` }), limit)));
    const taken = first.filter((r): r is { reserved: true; id: number; callAttempt: number } => r.reserved);
    assert.equal(taken.length, 5, '5 × 200 fit in 1000');
    // Settle two low, release one, and reserve more, all at once.
    const results = await Promise.all([
      store.settleModelAttempt(taken[0]!.id, settlement),
      store.settleModelAttempt(taken[1]!.id, settlement),
      store.releaseModelReservations('run-2', 1, 2_000),
      ...Array.from({ length: 6 }, (_, i) => store.reserveModelAttempt(reservation({ runId: `late-${i}` }), limit)),
    ]);
    const late = results.slice(3) as Awaited<ReturnType<Store['reserveModelAttempt']>>[];
    const spend = await store.modelSpend('2026-12-07', 'summarize');
    assert.ok(spend.tokens <= 1_000, `spend ${spend.tokens} within the budget`);
    let expected = 0;
    for (const runId of [...Array.from({ length: 6 }, (_, i) => `run-${i}`), ...Array.from({ length: 6 }, (_, i) => `late-${i}`)]) {
      for (const row of await store.listModelAttempts(runId)) expected += row.status === 'settled' ? row.tokensIn + row.tokensOut : row.status === 'reserved' ? row.reservedTokens : 0;
    }
    assert.equal(spend.tokens, expected, 'the running total is what the attempts sum to');
    assert.ok(late.every((r) => r.reserved || r.spent.tokens + 200 > 1_000), 'a refusal saw no room');
    const more = await store.reserveModelAttempt(reservation({ runId: 'after' }), limit);
    assert.equal(more.reserved, spend.tokens + 200 <= 1_000, 'the next reservation is judged on the running total');
  });

  it('model providers: settled attempts listed by finish time (open ones left out); a drain or a concurrency limit set, replaced and read back by every reader', async (store) => {
    const early = await store.reserveModelAttempt(reservation({ runId: 'run-a' }), []);
    const open = await store.reserveModelAttempt(reservation({ runId: 'run-b' }), []);
    const late = await store.reserveModelAttempt(reservation({ runId: 'run-c', provider: 'claude' }), []);
    assert.ok(early.reserved && open.reserved && late.reserved);
    await store.settleModelAttempt(late.id, { ...settlement, outcome: 'rate-limited', finishedAt: 2_000 });
    await store.settleModelAttempt(early.id, { ...settlement, finishedAt: 1_500 });
    assert.deepEqual((await store.listSettledModelAttempts(0, 10)).map((a) => [a.runId, a.provider, a.outcome, a.finishedAt]), [['run-a', 'openai', 'ok', 1_500], ['run-c', 'claude', 'rate-limited', 2_000]]);
    assert.deepEqual((await store.listSettledModelAttempts(1_501, 10)).map((a) => a.runId), ['run-c']);
    assert.deepEqual((await store.listSettledModelAttempts(0, 1)).map((a) => a.runId), ['run-a'], 'the limit keeps the oldest');

    assert.deepEqual(await store.listModelProviderStates(), []);
    await store.setModelProviderState({ provider: 'openai', drained: true, maxConcurrency: null, reason: 'incident 7, rung 1', changedBy: 'controller', changedAt: 3_000 });
    assert.deepEqual(await store.listModelProviderStates(), [{ provider: 'openai', drained: true, maxConcurrency: null, reason: 'incident 7, rung 1', changedBy: 'controller', changedAt: 3_000 }]);
    await store.setModelProviderState({ provider: 'openai', drained: false, maxConcurrency: 2, reason: 'limited', changedBy: 'controller', changedAt: 4_000 });
    await store.setModelProviderState({ provider: 'claude', drained: true, maxConcurrency: null, reason: 'by hand', changedBy: 'operator', changedAt: 4_500 });
    assert.deepEqual(
      (await store.listModelProviderStates()).map((s) => [s.provider, s.drained, s.maxConcurrency, s.changedAt]),
      [['claude', true, null, 4_500], ['openai', false, 2, 4_000]],
    );
  });
}
