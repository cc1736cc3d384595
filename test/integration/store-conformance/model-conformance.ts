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
