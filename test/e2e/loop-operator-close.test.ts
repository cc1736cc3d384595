import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiDiscovery } from '../../src/cli/api-discovery.js';
import { remediationReference } from '../../src/execute/remediation-reference.js';
import { UpHarness } from './loop-harness.js';

// An approval-gated restart: after a crash the remediation run waits, in flight, for a person.
const CONFIG = `services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
policies:
  api-crash:
    match: { symptom: [process-crashed], service: [api] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 300ms, timeout: 10s }
    approval: { required: true, ttl: 10m }
escalation: { retryEvery: 1h }
`;

test('an operator acknowledges, annotates and closes an incident whose remediation waits for approval: through the API of a real up, then on the store', async () => {
  const h = new UpHarness(CONFIG);
  try {
    await h.up();
    await h.healthy('api');
    const found = JSON.parse(readFileSync(join(h.dir, 'state', 'api.json'), 'utf8')) as ApiDiscovery;
    const apiActor = `api:local-up-${found.pid}`;

    await h.fault('api#0', 'crash');
    const waiting = await h.waitForIncident((i) => i.status === 'awaiting-approval', 30_000, 'the incident awaiting approval');
    const runId = remediationReference(waiting, 0).runId;
    // The approval is asked for in a step; the run suspends right after.
    await h.waitFor(async () => (await h.db().getRun(runId))?.status === 'waiting', 20_000, 'the remediation run waiting for the approval');

    // Acknowledge: through the running up's API, so as its token.
    const acked = await h.cli('incident', 'ack', waiting.id);
    assert.equal(acked.status, 0, acked.out);
    assert.match(acked.out, new RegExp(`incident ${waiting.id} acknowledged by ${apiActor} at `));
    assert.match((await h.cli('incidents')).out, new RegExp(`${waiting.id}\\s+api\\s+awaiting-approval\\s+process-crashed\\s.*\\s${apiActor}\\s`));
    assert.match((await h.cli('incident', 'show', waiting.id)).out, new RegExp(`acknowledged by ${apiActor} at `));
    const noted = await h.cli('incident', 'note', waiting.id, 'api#0', 'ran out of file handles;', 'raising the limit by hand');
    assert.equal(noted.status, 0, noted.out);
    assert.match((await h.cli('incident', 'show', waiting.id)).out, new RegExp(`note\\s+${apiActor}: api#0 ran out of file handles; raising the limit by hand`));

    const noReason = await h.cli('incident', 'close', waiting.id);
    assert.equal(noReason.status, 2, 'closing without a reason is a usage error');
    assert.match(noReason.out, /needs --reason TEXT/);

    const closed = await h.cli('incident', 'close', waiting.id, '--reason', 'raised the limit and restarted it by hand');
    assert.equal(closed.status, 0, closed.out);
    assert.match(closed.out, new RegExp(`incident ${waiting.id} closed by ${apiActor}\\n  cancelled remediation ${runId}\\n  denied pending approval ${runId}:0`));
    // What the running controller's store now holds.
    assert.equal((await h.db().getRun(runId))?.status, 'cancelled');
    assert.equal((await h.db().getApproval(`${runId}:0`))?.status, 'denied');
    const resolved = (await h.db().getIncident(waiting.id))!;
    assert.deepEqual([resolved.status, resolved.resolution, resolved.resolvedBy, resolved.acknowledgedBy], ['resolved', 'operator', apiActor, apiActor]);
    const shown = await h.cli('incident', 'show', waiting.id);
    assert.match(shown.out, new RegExp(`resolved by hand: closed by ${apiActor}`));
    assert.match(shown.out, new RegExp(`closed by ${apiActor}: cancelled remediation ${runId}; denied pending approval ${runId}:0`));
    assert.match(shown.out, new RegExp(`RESOLVED by ${apiActor} — raised the limit and restarted it by hand`));
    const audit = (await h.db().listAudit({ afterSeq: 0, limit: 10_000 })).filter((e) => e.subject === waiting.id && e.actor === apiActor).map((e) => e.action);
    assert.deepEqual(audit, ['incident.acknowledged', 'incident.annotated', 'approval.denied', 'incident.resolved']);

    const twice = await h.cli('incident', 'close', waiting.id, '--reason', 'again');
    assert.equal(twice.status, 1);
    assert.match(twice.out, /HS_INCIDENT_RESOLVED: incident \S+ is already resolved \(closed by api:local-up-\d+\).*\(HTTP 409 from http:\/\/127\.0\.0\.1:\d+\)/);

    // The same on the store (--local), as a named operator: up's worker still stops the run.
    await h.healthy('api');
    await h.fault('api#0', 'crash');
    const second = await h.waitForIncident((i) => i.id !== waiting.id && i.status === 'awaiting-approval', 30_000, 'a second incident awaiting approval');
    const secondRun = remediationReference(second, 0).runId;
    await h.waitFor(async () => (await h.db().getRun(secondRun))?.status === 'waiting', 20_000, 'the second remediation run waiting for the approval');
    assert.equal((await h.cli('incident', 'ack', second.id, '--local', '--by', 'alice')).status, 0);
    const closedLocally = await h.cli('incident', 'close', second.id, '--local', '--by', 'alice', '--reason', 'handled in the maintenance window');
    assert.equal(closedLocally.status, 0, closedLocally.out);
    // The CLI's engine has no worker: up's picks the cancelled run up on its next poll (a loaded machine may take longer than the 5 s the close waits).
    assert.match(closedLocally.out, new RegExp(`incident ${second.id} closed by operator:alice\\n  (cancelled|cancel requested for) remediation ${secondRun}\\n  denied pending approval ${secondRun}:0`));
    const secondResolved = (await h.db().getIncident(second.id))!;
    assert.deepEqual([secondResolved.status, secondResolved.resolution, secondResolved.resolvedBy, secondResolved.acknowledgedBy], ['resolved', 'operator', 'operator:alice', 'operator:alice']);
    await h.waitFor(async () => (await h.db().getRun(secondRun))?.status === 'cancelled', 30_000, 'the second remediation run cancelled');

    // After up stopped: the store, and the rules are the same.
    await h.down();
    const lateAck = await h.cli('incident', 'ack', second.id, '--by', 'bob');
    assert.equal(lateAck.status, 1);
    assert.match(lateAck.out, /HS_INCIDENT_RESOLVED/);
    const postMortem = await h.cli('incident', 'note', second.id, '--by', 'bob', 'post-mortem in the wiki');
    assert.equal(postMortem.status, 0, postMortem.out);
    assert.match((await h.cli('incident', 'show', second.id)).out, /operator:bob: post-mortem in the wiki/);
    const tooLong = await h.cli('incident', 'note', second.id, 'x'.repeat(2_049));
    assert.equal(tooLong.status, 1);
    assert.match(tooLong.out, /HS_INVALID_NOTE: the note is 2049 bytes; at most 2048/);
    const unknown = await h.cli('incident', 'close', 'inc-nothing', '--reason', 'x');
    assert.equal(unknown.status, 1);
    assert.match(unknown.out, /HS_INCIDENT_NOT_FOUND/);
    // Closed stays closed: the controller did not write over the operator's resolution.
    for (const id of [waiting.id, second.id]) assert.equal((await h.db().getIncident(id))?.resolution, 'operator');
  } finally {
    await h.close();
  }
});
