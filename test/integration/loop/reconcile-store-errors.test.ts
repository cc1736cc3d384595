import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreUnavailableError } from '../../../src/store/store-errors.js';
import type { Store } from '../../../src/store/store.js';
import { waitUntil } from '../helpers/wait.js';
import { CRASH_RESTARTS_API, loopHarness } from './loop-harness.js';
import { StoreFaults } from './store-faults.js';

/**
 * One crash of `api` while the store fails `times` calls of `method` in the reconcile that
 * looks at it: once the store answers again, the crash must still open its incident —
 * exactly one — with the crash recorded as its symptom, and be remediated.
 */
async function crashDuringStoreErrors(method: keyof Store, times: number) {
  const faults = new StoreFaults();
  const h = await loopHarness(CRASH_RESTARTS_API, { wrapStore: (store) => faults.wrap(store) });
  try {
    faults.failNext(method, times);
    const observedAt = Date.now();
    h.symptom('process-crashed', 'api');
    // Each failure requeues the key after a backoff; wait for the failures, then a reconcile that succeeded.
    await waitUntil(() => faults.pending === 0 && h.loop.loop.reconciled > 0, { timeoutMs: 10_000, message: `${times} failed ${method} calls, then a successful reconcile` });
    assert.deepEqual(faults.failed, Array<string>(times).fill(method));
    assert.equal(h.loop.loop.errors, times, 'each injected error failed one reconcile, and each was retried');
    // Retried after the loop's backoff (100 ms doubling, equal jitter: at least 50, 100, 200 ms …), not at once.
    const leastBackoff = Array.from({ length: times }, (_, i) => 50 * 2 ** i).reduce((a, b) => a + b, 0);
    assert.ok(Date.now() - observedAt >= leastBackoff, `the retries waited at least ${leastBackoff} ms in all`);
    const incidents = await waitUntil(async () => {
      const all = await h.all();
      return all.length > 0 && all.every((i) => i.status === 'resolved') && all;
    }, { timeoutMs: 8_000, message: 'the crash to open an incident that gets resolved', describe: async () => JSON.stringify(await h.all()) });
    assert.equal(incidents.length, 1, `exactly one incident: ${JSON.stringify(incidents)}`);
    assert.deepEqual(h.actions, ['restart api#0']);
    const chain = (await h.knowledge.incidents.explain(incidents[0]!.id))!.entries;
    assert.deepEqual(
      chain.filter((e) => e.kind === 'symptom').map((e) => `${String(e.data.name)} on ${String(e.data.element)}`),
      ['process-crashed on api'],
      'the crash is recorded as the incident\'s symptom, once',
    );
  } finally {
    await h.close();
  }
}

test('a reconcile whose store reads fail loses no symptom: the key is retried with backoff and the incident opens once the store answers', async () => {
  await crashDuringStoreErrors('listIncidents', 3);
});

test('a reconcile whose incident insert fails keeps the symptom: the incident opens, once, on the retry', async () => {
  await crashDuringStoreErrors('openIncident', 2);
});

test('a reconcile that fails after opening the incident, before recording its symptom, records it on the retry without opening a second incident', async () => {
  await crashDuringStoreErrors('appendIncidentEntries', 1);
});

test('symptoms observed while a failing reconcile holds theirs are kept too, oldest first', async () => {
  const faults = new StoreFaults();
  const h = await loopHarness(CRASH_RESTARTS_API, { wrapStore: (store) => faults.wrap(store), worker: false });
  try {
    faults.failNext('listIncidents', 2);
    h.symptom('process-crashed', 'api', { attempt: 'first' });
    await waitUntil(() => faults.failed.length >= 1, { timeoutMs: 5_000, message: 'the first failed reconcile' });
    h.symptom('process-crashed', 'api', { attempt: 'second' });
    const incident = await waitUntil(async () => (await h.all())[0], { timeoutMs: 8_000, message: 'the incident' });
    await waitUntil(async () => (await h.knowledge.incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'signal').length === 2, { timeoutMs: 5_000, message: 'both crashes in the explanation' });
    const chain = (await h.knowledge.incidents.explain(incident.id))!.entries;
    assert.equal((await h.all()).length, 1);
    // Both waited through the failures and opened the incident together, in the order they came.
    assert.deepEqual(chain.filter((e) => e.kind === 'symptom').map((e) => (e.data.labels as Record<string, string>).attempt), ['first', 'second']);
    assert.equal(incident.summary.includes('api'), true);
  } finally {
    await h.close();
  }
});

test('a reconcile that fails to start the remediation run it planned plans it again on the retry, instead of leaving the incident remediating with no run', async () => {
  const h = await loopHarness(CRASH_RESTARTS_API);
  try {
    // The engine's store write of the new run fails once (the incident is already marked remediating).
    const start = h.engine.start.bind(h.engine);
    let failures = 1;
    h.engine.start = (async (...args: Parameters<typeof start>) => {
      if (failures-- > 0) throw new StoreUnavailableError('injected: the run could not be stored');
      return start(...args);
    }) as typeof h.engine.start;
    h.symptom('process-crashed', 'api');
    const incidents = await waitUntil(async () => {
      const all = await h.all();
      return all.length > 0 && all.every((i) => i.status === 'resolved') && all;
    }, { timeoutMs: 8_000, message: 'the incident resolved', describe: async () => JSON.stringify(await h.all()) });
    assert.equal(incidents.length, 1);
    assert.equal(h.loop.loop.errors, 1);
    assert.deepEqual(h.actions, ['restart api#0']);
  } finally {
    await h.close();
  }
});
