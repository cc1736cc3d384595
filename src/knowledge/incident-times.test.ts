import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { ManualClock } from '../testing/manual-clock.js';
import { incidentTimes } from './incident-times.js';
import { Knowledge } from './knowledge.js';

const T0 = Date.UTC(2026, 0, 1);

/** A symptom entry as the loop records it: `at` is when the symptom happened, not when it was written. */
function symptomEntry(name: string, element: string, at: number) {
  return { kind: 'symptom' as const, data: { name, element, at, labels: {} } };
}

test('MTTD and MTTR count from the incident’s own earliest symptom, and a re-opened incident’s repair from the re-opening symptom', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-incident-times-'));
  const store = SqliteStore.open(join(dir, 'k.db'));
  const clock = new ManualClock(T0);
  const knowledge = new Knowledge(store, () => clock.now());
  try {
    // An earlier incident on api, long resolved: its symptoms must not leak into the next one's times.
    await clock.advance(1_000);
    const earlier = (await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'earlier' })).incident;
    await knowledge.incidents.recordMany(earlier.id, [symptomEntry('process-crashed', 'api', T0 + 500)]);
    await clock.advance(20_000);
    await knowledge.incidents.resolve(earlier.id, { resolution: 'action', by: 'restart api#0', summary: 'restart api#0 helped' });

    // The incident measured: its symptom at +100 s, detected 250 ms later, repaired 4 s after the symptom.
    await clock.advance(100_000 - 21_000 + 250);
    const incident = (await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'liveness-failing', summary: 'api#0 liveness failing' })).incident;
    await knowledge.incidents.recordMany(incident.id, [symptomEntry('liveness-failing', 'api', T0 + 100_000)]);
    await clock.advance(1_000);
    // A later symptom that joins does not move the onset.
    await knowledge.incidents.recordMany(incident.id, [symptomEntry('api-errors', 'api', T0 + 101_000)]);
    await clock.advance(2_750);
    await knowledge.incidents.resolve(incident.id, { resolution: 'action', by: 'restart api#0', summary: 'restart api#0 helped' });

    const first = incidentTimes((await knowledge.incidents.explain(incident.id))!);
    assert.equal(first.onset, T0 + 100_000);
    assert.equal(first.detectMs, 250);
    assert.equal(first.repairMs, 4_000);

    // It comes back 60 s later, is re-opened 100 ms after that symptom and resolved externally 1.5 s after it.
    await clock.advance(60_000 - 4_000 + 100);
    const again = T0 + 160_000;
    const reopened = await knowledge.incidents.reopen(incident.id, 're-opened: liveness-failing on api', { at: again });
    assert.equal(reopened?.reopened, true);
    await knowledge.incidents.recordMany(incident.id, [symptomEntry('liveness-failing', 'api', again)]);
    const open = incidentTimes((await knowledge.incidents.explain(incident.id))!);
    assert.equal(open.repairMs, undefined, 'not resolved: no repair time');
    assert.equal(open.repairFrom, again);
    await clock.advance(1_400);
    await knowledge.incidents.resolve(incident.id, { resolution: 'external', by: null, summary: 'resolved externally' });

    const second = incidentTimes((await knowledge.incidents.explain(incident.id))!);
    assert.equal(second.detectMs, 250, 'detection is still the first opening');
    assert.equal(second.repairMs, 1_500);

    // Nothing recorded (a controller that died right after opening): counted from the opening itself.
    const bare = (await knowledge.incidents.open({ key: 'db', element: 'db', symptom: 'process-crashed', summary: 'db' })).incident;
    await clock.advance(3_000);
    await knowledge.incidents.resolve(bare.id, { resolution: 'operator', by: 'alice', summary: 'closed by alice' });
    const bareTimes = incidentTimes((await knowledge.incidents.explain(bare.id))!);
    assert.equal(bareTimes.detectMs, 0);
    assert.equal(bareTimes.repairMs, 3_000);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('re-opening respects one unresolved incident per key: the symptom is given the unresolved one instead', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-incident-reopen-'));
  const store = SqliteStore.open(join(dir, 'k.db'));
  const knowledge = new Knowledge(store);
  try {
    const old = (await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'old' })).incident;
    await knowledge.incidents.resolve(old.id, { resolution: 'external', by: null, summary: 'recovered' });
    const current = (await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'current' })).incident;
    const result = await knowledge.incidents.reopen(old.id, 're-opened');
    assert.deepEqual({ id: result?.incident.id, reopened: result?.reopened }, { id: current.id, reopened: false });
    assert.equal((await knowledge.incidents.get(old.id))?.status, 'resolved');
    assert.equal((await knowledge.incidents.explain(old.id))?.entries.some((e) => e.data.reopened === true), false);

    await knowledge.incidents.resolve(current.id, { resolution: 'action', by: 'restart api#0', summary: 'helped' });
    const back = await knowledge.incidents.reopen(current.id, 're-opened');
    assert.equal(back?.reopened, true);
    const record = await knowledge.incidents.get(current.id);
    assert.deepEqual({ status: record?.status, resolvedAt: record?.resolvedAt, resolution: record?.resolution, resolvedBy: record?.resolvedBy }, { status: 'open', resolvedAt: null, resolution: null, resolvedBy: null });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
