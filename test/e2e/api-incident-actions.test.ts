import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remediationReference } from '../../src/execute/remediation-reference.js';
import type { LiveEvent } from '../../src/api/live-events.js';
import { ApiHarness, failing, gated } from './api-harness.js';

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function openIncident(h: ApiHarness, key = 'db') {
  return (await h.knowledge.incidents.open({ key, element: key, symptom: 'process-crashed', summary: `${key}#0 exited` }, { code: 1 })).incident;
}

test('acknowledge: the first operator stays, a second one is recorded, the same one again changes nothing; live and audited', async () => {
  const h = await ApiHarness.open();
  const seen: LiveEvent[] = [];
  const off = h.live.subscribe((event) => seen.push(event));
  try {
    const incident = await openIncident(h);
    const acked = await h.call('operator', 'POST', `/api/incidents/${incident.id}/acknowledge`, {});
    assert.equal(acked.status, 200, acked.text);
    assert.equal(acked.json.outcome, 'acknowledged');
    assert.equal(acked.json.incident.acknowledgedBy, 'api:operator-bot');
    assert.ok(acked.json.incident.acknowledgedAt >= incident.openedAt);
    // The dashboard hears of it on the event stream.
    await until('the acknowledgement on the live stream', async () => seen.some((e) => e.type === 'incident' && e.incident.id === incident.id && e.incident.acknowledgedBy === 'api:operator-bot'));

    const again = await h.call('operator', 'POST', `/api/incidents/${incident.id}/acknowledge`);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.outcome, 'already');
    const second = await h.call('admin', 'POST', `/api/incidents/${incident.id}/acknowledge`, {});
    assert.equal(second.json.outcome, 'recorded');
    assert.equal(second.json.incident.acknowledgedBy, 'api:operator-bot', 'the first acknowledgement is not taken over');

    const shown = await h.call('viewer', 'GET', `/api/incidents/${incident.id}`);
    assert.equal(shown.json.incident.acknowledgedBy, 'api:operator-bot');
    const notes = shown.json.entries.filter((e: { kind: string }) => e.kind === 'note').map((e: { data: { by: string; detail: string } }) => [e.data.by, e.data.detail]);
    assert.deepEqual(notes, [
      ['api:operator-bot', 'acknowledged by api:operator-bot'],
      ['api:admin-bot', 'also acknowledged by api:admin-bot (api:operator-bot acknowledged it first)'],
    ]);
    const audit = (await h.call('viewer', 'GET', '/api/audit')).json.entries.filter((e: { action: string }) => e.action === 'incident.acknowledged');
    assert.deepEqual(audit.map((e: { actor: string; subject: string }) => [e.actor, e.subject]), [
      ['api:operator-bot', incident.id],
      ['api:admin-bot', incident.id],
    ]);

    const viewer = await h.call('viewer', 'POST', `/api/incidents/${incident.id}/acknowledge`, {});
    assert.equal(viewer.status, 403);
    assert.equal(viewer.json.error.code, 'HS_API_FORBIDDEN');
    const unknown = await h.call('operator', 'POST', '/api/incidents/inc-nothing/acknowledge', {});
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'HS_INCIDENT_NOT_FOUND');
    assert.equal((await h.call('operator', 'POST', `/api/incidents/${incident.id}/acknowledge`, { by: 'someone-else' })).status, 400, 'who acknowledges is the token, not the body');
  } finally {
    off();
    await h.close();
  }
});

test('annotate: a redacted, audited note by the token\'s name; empty, blank and over 2 KiB are 400', async () => {
  const h = await ApiHarness.open();
  try {
    const incident = await openIncident(h);
    const noted = await h.call('operator', 'POST', `/api/incidents/${incident.id}/notes`, { text: '  disk full on db-2; DB_PASSWORD=hunter2 was in the log  ' });
    assert.equal(noted.status, 200, noted.text);
    assert.ok(noted.json.incident.updatedAt >= incident.updatedAt);
    const stored = (await h.knowledge.incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'note');
    assert.deepEqual(stored.map((e) => e.data), [{ by: 'api:operator-bot', text: 'disk full on db-2; DB_PASSWORD=[REDACTED] was in the log' }]);

    for (const [body, pattern] of [
      [{ text: '' }, /text/],
      [{ text: '   \n ' }, /empty/],
      [{ text: 'é'.repeat(1_500) }, /3000 bytes; at most 2048/],
      [{ text: 'x'.repeat(2_049) }, /text/],
      [{}, /text/],
      [{ text: 7 }, /text/],
    ] as const) {
      const refused = await h.call('operator', 'POST', `/api/incidents/${incident.id}/notes`, body);
      assert.equal(refused.status, 400, `${JSON.stringify(body).slice(0, 40)}: ${refused.text}`);
      assert.match(refused.json.error.message, pattern);
    }
    assert.equal((await h.call('operator', 'POST', `/api/incidents/${incident.id}/notes`, { text: 'x'.repeat(2_048) })).status, 200, 'exactly 2 KiB is kept');
    assert.equal((await h.call('operator', 'POST', '/api/incidents/inc-nothing/notes', { text: 'hello' })).status, 404);
    assert.equal((await h.call('viewer', 'POST', `/api/incidents/${incident.id}/notes`, { text: 'hello' })).status, 403);
    const audit = (await h.call('viewer', 'GET', '/api/audit')).json.entries.filter((e: { action: string }) => e.action === 'incident.annotated');
    assert.deepEqual(audit.map((e: { actor: string }) => e.actor), ['api:operator-bot', 'api:operator-bot']);
  } finally {
    await h.close();
  }
});

test('close: the remediation run in flight is cancelled, its approval denied, the incident resolved by the operator; twice is 409', async () => {
  const h = await ApiHarness.open();
  try {
    const incident = await openIncident(h);
    // A remediation waiting for approval, named and referenced by its incident as the loop does it.
    const reference = remediationReference(incident, 0);
    await h.knowledge.incidents.setRemediation(incident.id, reference);
    const runId = reference.runId;
    await h.engine.start(gated, undefined, { id: runId });
    await until('the run waiting', async () => (await h.engine.getRun(runId))?.status === 'waiting');
    await h.store.requestApproval({ id: `${runId}:1`, incidentId: incident.id, action: 'restart db', status: 'pending', requestedAt: Date.now(), expiresAt: Date.now() + 600_000, decidedAt: null, decidedBy: null, reason: null });
    await h.knowledge.incidents.setStatus(incident.id, 'awaiting-approval');

    assert.equal((await h.call('operator', 'POST', `/api/incidents/${incident.id}/close`, {})).status, 400, 'a reason is required');
    assert.equal((await h.call('operator', 'POST', `/api/incidents/${incident.id}/close`, { reason: '  ' })).status, 400);
    assert.equal((await h.call('viewer', 'POST', `/api/incidents/${incident.id}/close`, { reason: 'fixed' })).status, 403);
    assert.equal((await h.engine.getRun(runId))?.status, 'waiting', 'refused closes changed nothing');

    const closed = await h.call('operator', 'POST', `/api/incidents/${incident.id}/close`, { reason: 'replaced the disk by hand' });
    assert.equal(closed.status, 200, closed.text);
    assert.equal(closed.json.incident.status, 'resolved');
    assert.equal(closed.json.incident.resolution, 'operator');
    assert.equal(closed.json.incident.resolvedBy, 'api:operator-bot');
    assert.deepEqual(closed.json.cancelledRuns, [{ id: runId, stopped: true }]);
    assert.deepEqual(closed.json.deniedApprovals, [`${runId}:1`]);
    assert.equal((await h.engine.getRun(runId))?.status, 'cancelled');
    const approval = await h.store.getApproval(`${runId}:1`);
    assert.equal(approval?.status, 'denied');
    assert.equal(approval?.decidedBy, 'api:operator-bot');

    const shown = (await h.call('viewer', 'GET', `/api/incidents/${incident.id}`)).json;
    const note = shown.entries.find((e: { kind: string; data: { cancelledRuns?: string[] } }) => e.kind === 'note' && e.data.cancelledRuns);
    assert.deepEqual(note.data.cancelledRuns, [runId]);
    assert.match(note.data.detail, new RegExp(`cancelled remediation ${runId}; denied pending approval ${runId}:1`));
    assert.deepEqual(shown.entries.at(-1).data, { outcome: 'resolved', by: 'api:operator-bot', detail: 'replaced the disk by hand' });

    const twice = await h.call('admin', 'POST', `/api/incidents/${incident.id}/close`, { reason: 'again' });
    assert.equal(twice.status, 409);
    assert.equal(twice.json.error.code, 'HS_INCIDENT_RESOLVED');
    assert.match(twice.json.error.message, /already resolved \(closed by api:operator-bot\)/);
    assert.equal((await h.call('operator', 'POST', `/api/incidents/${incident.id}/acknowledge`, {})).status, 409, 'nothing to acknowledge once resolved');
    assert.equal((await h.call('operator', 'POST', `/api/incidents/${incident.id}/notes`, { text: 'post-mortem: disk model recalled' })).status, 200, 'notes are still welcome');
    assert.equal((await h.call('operator', 'POST', '/api/incidents/inc-nothing/close', { reason: 'x' })).status, 404);

    const audit = (await h.call('viewer', 'GET', '/api/audit?limit=100')).json.entries as { actor: string; action: string; subject: string; data: Record<string, unknown> }[];
    const byOperator = audit.filter((e) => e.actor === 'api:operator-bot').map((e) => `${e.action} ${e.subject}`);
    assert.deepEqual(byOperator, [`approval.denied ${incident.id}`, `incident.resolved ${incident.id}`, `incident.annotated ${incident.id}`]);
    assert.deepEqual(audit.find((e) => e.action === 'incident.resolved')?.data, { by: 'api:operator-bot', resolution: 'operator', summary: 'closed by api:operator-bot: replaced the disk by hand' });
    assert.equal((await h.call('viewer', 'GET', '/api/audit/verify')).json.ok, true);
  } finally {
    await h.close();
  }
});

test('close an escalated incident whose remediation already ended: nothing to cancel, and the explanation says so', async () => {
  const h = await ApiHarness.open();
  try {
    const incident = await openIncident(h, 'cache');
    const reference = remediationReference(incident, 0);
    await h.knowledge.incidents.setRemediation(incident.id, reference);
    const runId = reference.runId;
    const ended = await h.engine.start(failing, undefined, { id: runId });
    await assert.rejects(ended.result({ timeout: 20_000 }));
    await h.knowledge.incidents.setStatus(incident.id, 'escalated', 'no rung helped; escalated');

    const closed = await h.call('operator', 'POST', `/api/incidents/${incident.id}/close`, { reason: 'cache node replaced' });
    assert.equal(closed.status, 200, closed.text);
    assert.deepEqual([closed.json.cancelledRuns, closed.json.deniedApprovals], [[], []]);
    assert.equal((await h.engine.getRun(runId))?.status, 'failed', 'a finished run is left as it ended');
    const explained = (await h.knowledge.incidents.explain(incident.id))!;
    assert.ok(explained.entries.some((e) => e.kind === 'note' && e.data.detail === 'closed by api:operator-bot: no remediation was in flight'));
    assert.deepEqual([explained.incident.status, explained.incident.resolution, explained.incident.resolvedBy], ['resolved', 'operator', 'api:operator-bot']);
  } finally {
    await h.close();
  }
});
