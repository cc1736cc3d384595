import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpHarness } from './loop-harness.js';

const service = (name: string) => `
  ${name}:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }`;

test('case 4: an approval-gated action waits; `homeostat approve` releases it; an unanswered approval expires and is denied', async () => {
  const h = new UpHarness(`services:${service('api')}${service('billing')}
environment: prod
policies:
  api-crash:
    match: { symptom: [process-crashed], service: [api] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 300ms, timeout: 10s }
    approval: { ttl: 60s, warnBefore: 5s }
    environments: { prod: { approval: { required: true } } }
  billing-crash:
    match: { symptom: [process-crashed], service: [billing] }
    ladder: [{ action: restart }]
    approval: { required: true, ttl: 1500ms, warnBefore: 500ms }
escalation: { retryEvery: 1h }
`);
  try {
    await h.up();
    await h.healthy('api');
    await h.healthy('billing');
    await h.fault('api#0', 'crash');
    const waiting = await h.waitForIncident((i) => i.element === 'api' && i.status === 'awaiting-approval', 20_000, 'the api incident awaiting approval');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await h.db().listAudit({ afterSeq: 0, limit: 1_000 })).filter((a) => a.action === 'action.restart').length, 0, 'nothing ran without approval');
    const shown = await h.cli('incident', 'show', waiting.id);
    assert.match(shown.out, /next: homeostat approve/);
    const approved = await h.cli('approve', waiting.id, '--by', 'alice', '--reason', 'looks safe');
    assert.equal(approved.status, 0, approved.out);
    assert.match(approved.out, /approved restart api#0 .* as operator:alice/);
    await h.waitForIncident((i) => i.id === waiting.id && i.status === 'resolved', 20_000, 'the approved restart resolving the incident');
    const again = await h.cli('approve', waiting.id);
    assert.equal(again.status, 1);
    assert.match(again.out, /HS_APPROVAL_NOT_FOUND|HS_APPROVAL_DECIDED/);

    await h.fault('billing#0', 'crash');
    const expired = await h.waitForIncident((i) => i.element === 'billing' && i.status === 'escalated', 20_000, 'the unanswered billing approval expired');
    const [approval] = (await h.db().listApprovals()).filter((a) => a.incidentId === expired.id);
    assert.equal(approval!.status, 'expired');
    assert.equal(approval!.decidedBy, 'controller');
    const text = (await h.cli('incident', 'show', expired.id)).out;
    assert.match(text, /approval \S+ expiring/);
    assert.match(text, /approval \S+ expired for restart billing#0 by controller \(no answer before the TTL \(default deny\)\)/);
    assert.equal((await h.db().listAudit({ afterSeq: 0, limit: 1_000 })).filter((a) => a.action === 'action.restart' && a.subject === expired.id).length, 0);
  } finally {
    await h.close();
  }
});

test('pause and resume: a paused service gets no action, and the guard says who paused it', async () => {
  const h = new UpHarness(`services:${service('api')}
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }]
escalation: { retryEvery: 1h }
`);
  try {
    await h.up();
    await h.healthy('api');
    const paused = await h.cli('pause', 'api', '--by', 'bob', '--reason', 'maintenance');
    assert.equal(paused.status, 0, paused.out);
    await h.fault('api#0', 'crash');
    const incident = await h.waitForIncident((i) => i.status === 'escalated', 20_000, 'the paused incident escalated');
    assert.match((await h.cli('incident', 'show', incident.id)).out, /DENIED by pause \(paused \(api\) by operator:bob: maintenance\)/);
    const resumed = await h.cli('resume', 'api');
    assert.equal(resumed.status, 0);
    assert.deepEqual(await h.db().listPauses(), []);
  } finally {
    await h.close();
  }
});
