/**
 * The Knowledge part of the Store contract (incidents, approvals, config versions,
 * audit log, outcomes, pauses, guardrail state), registered by `storeConformance`.
 */
import assert from 'node:assert/strict';
import type { Store } from '../../../src/store/store.js';
import type { IncidentRecord } from '../../../src/store/records.js';

type It = (title: string, body: (store: Store) => Promise<void>) => void;

const T0 = 2_000_000;

function incident(id: string, key: string, overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return { id, key, element: 'api', symptom: 'process-crashed', status: 'open', summary: `incident ${id}`, diagnosis: null, openedAt: T0, updatedAt: T0, resolvedAt: null, resolution: null, resolvedBy: null, acknowledgedAt: null, acknowledgedBy: null, remediation: null, ...overrides };
}

export function knowledgeConformance(it: It): void {
  it('openIncident keeps one unresolved incident per key, even when opened concurrently', async (store) => {
    const results = await Promise.all([1, 2, 3, 4].map((n) => store.openIncident(incident(`i${n}`, 'api:crash', { openedAt: T0 + n }))));
    assert.equal(results.filter((r) => r.created).length, 1);
    const winner = results.find((r) => r.created)!.incident.id;
    for (const r of results) assert.equal(r.incident.id, winner);
    await store.updateIncident(winner, { status: 'resolved', resolvedAt: T0 + 10, updatedAt: T0 + 10 });
    const next = await store.openIncident(incident('i9', 'api:crash', { openedAt: T0 + 20 }));
    assert.equal(next.created, true);
    const listed = await store.listIncidents();
    assert.deepEqual(listed.map((i) => i.id), ['i9', winner], 'newest first');
    assert.deepEqual((await store.listIncidents({ unresolved: true })).map((i) => i.id), ['i9']);
    assert.deepEqual((await store.listIncidents({ status: ['resolved'] })).map((i) => i.id), [winner]);
    await store.openIncident(incident('o1', 'other', { openedAt: T0 + 30 }));
    assert.deepEqual((await store.listIncidents({ key: 'api:crash', unresolved: true, limit: 1 })).map((i) => i.id), ['i9'], 'the key\'s open incident');
    assert.deepEqual((await store.listIncidents({ key: 'api:crash' })).map((i) => i.id), ['i9', winner]);
    assert.equal((await store.getIncident(winner))?.resolvedAt, T0 + 10);
    assert.equal(await store.updateIncident('nope', { updatedAt: T0 }), undefined);
  });

  it('updateIncident with unlessResolved leaves a resolved incident as it is: the first resolution stands', async (store) => {
    await store.openIncident(incident('u1', 'db'));
    assert.equal((await store.updateIncident('u1', { status: 'escalated', updatedAt: T0 + 1, unlessResolved: true }))?.status, 'escalated');
    await store.updateIncident('u1', { status: 'resolved', resolvedAt: T0 + 5, resolution: 'operator', resolvedBy: 'alice', updatedAt: T0 + 5, unlessResolved: true });
    assert.equal(await store.updateIncident('u1', { status: 'escalated', updatedAt: T0 + 6, unlessResolved: true }), undefined, 'a late status change is refused');
    assert.equal(await store.updateIncident('u1', { status: 'resolved', resolvedAt: T0 + 7, resolution: 'action', resolvedBy: 'restart db#0', updatedAt: T0 + 7, unlessResolved: true }), undefined, 'a second resolution is refused');
    const kept = await store.getIncident('u1');
    assert.deepEqual([kept?.status, kept?.resolution, kept?.resolvedBy, kept?.resolvedAt], ['resolved', 'operator', 'alice', T0 + 5]);
  });

  it('reopenIncident re-opens a resolved incident, unless another of its key is unresolved (then that one is returned)', async (store) => {
    await store.openIncident(incident('r1', 'web'));
    await store.updateIncident('r1', { status: 'resolved', resolvedAt: T0 + 10, resolution: 'action', resolvedBy: 'restart web#0', updatedAt: T0 + 10 });
    await store.openIncident(incident('r2', 'web', { openedAt: T0 + 20 }));
    const refused = await store.reopenIncident('r1', T0 + 30);
    assert.deepEqual({ id: refused?.incident.id, reopened: refused?.reopened }, { id: 'r2', reopened: false });
    assert.equal((await store.getIncident('r1'))?.status, 'resolved');
    await store.updateIncident('r2', { status: 'resolved', resolvedAt: T0 + 40, resolution: 'external', updatedAt: T0 + 40 });
    const reopened = await store.reopenIncident('r1', T0 + 50);
    assert.equal(reopened?.reopened, true);
    assert.deepEqual(reopened?.incident, { ...incident('r1', 'web'), updatedAt: T0 + 50 });
    assert.deepEqual((await store.listIncidents({ key: 'web', unresolved: true })).map((i) => i.id), ['r1']);
    const again = await store.reopenIncident('r1', T0 + 60);
    assert.deepEqual({ id: again?.incident.id, reopened: again?.reopened }, { id: 'r1', reopened: false }, 'an unresolved incident is returned unchanged');
    assert.equal(await store.reopenIncident('nope', T0), undefined);
  });

  it('updateIncident changes only the given fields', async (store) => {
    await store.openIncident(incident('u1', 'k'));
    const updated = await store.updateIncident('u1', { status: 'remediating', diagnosis: '{"cause":"crash"}', updatedAt: T0 + 5 });
    assert.deepEqual(updated, { ...incident('u1', 'k'), status: 'remediating', diagnosis: '{"cause":"crash"}', updatedAt: T0 + 5 });
  });

  it('an incident keeps its remediation reference: none when opened, set and replaced by updateIncident, kept by other updates and by a re-open', async (store) => {
    const opened = await store.openIncident(incident('m1', 'db'));
    assert.equal(opened.incident.remediation, null);
    const first = { runId: 'remediate:db:m1:0', cycle: 0 };
    assert.deepEqual((await store.updateIncident('m1', { remediation: first, updatedAt: T0 + 1 }))?.remediation, first);
    assert.deepEqual((await store.updateIncident('m1', { status: 'escalated', updatedAt: T0 + 2 }))?.remediation, first, 'an update without it leaves it');
    const second = { runId: 'remediate:db:m1:1', cycle: 1 };
    await store.updateIncident('m1', { remediation: second, updatedAt: T0 + 3 });
    assert.deepEqual((await store.getIncident('m1'))?.remediation, second);
    assert.deepEqual((await store.listIncidents({ key: 'db' }))[0]?.remediation, second);
    await store.updateIncident('m1', { status: 'resolved', resolvedAt: T0 + 4, resolution: 'action', resolvedBy: 'restart db#0', updatedAt: T0 + 4 });
    assert.deepEqual((await store.reopenIncident('m1', T0 + 5))?.incident.remediation, second, 'a re-opened incident plans its next cycle from it');
    assert.deepEqual((await store.openIncident(incident('m2', 'db'))).incident.remediation, second, 'the unresolved incident of the key, as it is');
    const carried = await store.openIncident(incident('m3', 'web', { remediation: { runId: 'r-web', cycle: 4 } }));
    assert.deepEqual((await store.getIncident(carried.incident.id))?.remediation, { runId: 'r-web', cycle: 4 });
    assert.equal((await store.updateIncident('m3', { remediation: null, updatedAt: T0 + 6 }))?.remediation, null);
  });

  it('incident entries are appended in order and listed per incident', async (store) => {
    await store.appendIncidentEntries([
      { incidentId: 'a', at: T0, kind: 'signal', data: '{"n":1}' },
      { incidentId: 'b', at: T0, kind: 'signal', data: '{"n":2}' },
      { incidentId: 'a', at: T0 + 1, kind: 'action', data: '{"n":3}' },
    ]);
    await store.appendIncidentEntries([]);
    const entries = await store.listIncidentEntries('a');
    assert.deepEqual(entries.map((e) => [e.kind, e.data, e.at]), [['signal', '{"n":1}', T0], ['action', '{"n":3}', T0 + 1]]);
    assert.ok(entries[0]!.id < entries[1]!.id);
  });

  it('approvals: idempotent request, the first decision wins', async (store) => {
    const request = { id: 'ap1', incidentId: 'i1', action: 'restart api', status: 'pending' as const, requestedAt: T0, expiresAt: T0 + 1000, decidedAt: null, decidedBy: null, reason: null };
    assert.deepEqual(await store.requestApproval(request), request);
    assert.deepEqual(await store.requestApproval({ ...request, action: 'other' }), request);
    const approved = await store.decideApproval('ap1', 'approved', 'alice', 'looks fine', T0 + 10);
    assert.equal(approved?.status, 'approved');
    assert.equal(approved?.decidedBy, 'alice');
    const late = await store.decideApproval('ap1', 'expired', 'controller', null, T0 + 2000);
    assert.equal(late?.status, 'approved');
    assert.equal(await store.decideApproval('missing', 'denied', 'bob', null, T0), undefined);
    await store.requestApproval({ ...request, id: 'ap2', requestedAt: T0 + 1 });
    assert.deepEqual((await store.listApprovals(['pending'])).map((a) => a.id), ['ap2']);
    assert.deepEqual((await store.listApprovals()).map((a) => a.id), ['ap1', 'ap2']);
  });

  it('config versions are numbered in order; the same hash twice is one version', async (store) => {
    const v1 = await store.saveConfigVersion({ hash: 'h1', text: 'a', appliedAt: T0, status: 'applied', source: 'op' });
    const same = await store.saveConfigVersion({ hash: 'h1', text: 'a', appliedAt: T0 + 1, status: 'applied', source: 'op' });
    const v2 = await store.saveConfigVersion({ hash: 'h2', text: 'b', appliedAt: T0 + 2, status: 'applied', source: 'op' });
    assert.equal(v1.version, 1);
    assert.equal(same.version, 1);
    assert.equal(v2.version, 2);
    await store.markConfigVersion(1, 'good');
    assert.deepEqual((await store.listConfigVersions()).map((v) => [v.version, v.status, v.text]), [[1, 'good', 'a'], [2, 'applied', 'b']]);
  });

  it('appendAudit chains entries without forks under concurrent appends', async (store) => {
    const seal = (link: { seq: number; prevHash: string }) => `h${link.seq}<${link.prevHash}`.slice(0, 40);
    await Promise.all(Array.from({ length: 8 }, (_, n) => store.appendAudit({ at: T0 + n, actor: 'c', action: 'a', subject: `s${n}`, data: '{}' }, seal)));
    const entries = await store.listAudit();
    assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(entries[0]!.prevHash, '');
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i]!.prevHash, entries[i - 1]!.hash);
    assert.deepEqual((await store.listAudit({ afterSeq: 6 })).map((e) => e.seq), [7, 8]);
    assert.deepEqual((await store.listAudit({ afterSeq: 2, limit: 2 })).map((e) => e.seq), [3, 4]);
  });

  it('outcome statistics, pauses and guardrail state', async (store) => {
    await store.recordOutcome('crash', 'restart', true, T0);
    await store.recordOutcome('crash', 'restart', true, T0 + 1);
    await store.recordOutcome('crash', 'restart', false, T0 + 2);
    assert.deepEqual(await store.listOutcomeStats(), [{ diagnosis: 'crash', action: 'restart', successes: 2, failures: 1, lastAt: T0 + 2 }]);
    await store.setPause('*', true, 'alice', 'maintenance', T0);
    await store.setPause('api', true, 'bob', 'deploy', T0);
    await store.setPause('api', true, 'carol', 'deploy 2', T0 + 1);
    assert.deepEqual(await store.listPauses(), [
      { scope: '*', by: 'alice', reason: 'maintenance', pausedAt: T0 },
      { scope: 'api', by: 'carol', reason: 'deploy 2', pausedAt: T0 + 1 },
    ]);
    await store.setPause('*', false, 'alice', '', T0 + 2);
    assert.deepEqual((await store.listPauses()).map((p) => p.scope), ['api']);
    assert.equal(await store.loadGuardState('budget:api'), undefined);
    await store.saveGuardState('budget:api', '{"a":1}', T0);
    await store.saveGuardState('budget:api', '{"a":2}', T0 + 1);
    assert.equal(await store.loadGuardState('budget:api'), '{"a":2}');
  });
}
