import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/workflow/engine.js';
import { UpHarness } from './loop-harness.js';

test('case 8: the controller killed mid-remediation → restarted → the remediation resumes without repeating finished steps', async () => {
  const h = new UpHarness(`
services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }, { action: stop-start }]
    verify: { healthyFor: 3s, timeout: 30s }
`);
  try {
    await h.up();
    await h.healthy('api');
    await h.fault('api#0', 'crash');
    const incident = await h.waitForIncident((i) => i.status === 'remediating', 20_000, 'the remediation under way');
    // Wait until the restart is done and verification is in progress, then kill -9 the controller.
    // (the act step's checkpoint written, so the kill lands in `verify:0`).
    const engine = await Engine.open({ store: h.db(), worker: false });
    try {
      // The incident says `remediating` a moment before its run exists: not found yet is "not yet".
      const described = () => engine.describe(`remediate:api:${incident.id}:0`).catch(() => undefined);
      await h.waitFor(async () => (await described())?.steps.some((s) => s.name === 'act:0' && s.status === 'completed'), 10_000, 'the restart step checkpointed');
    } finally {
      await engine.close();
    }
    await h.down('SIGKILL');
    await h.killSpawned();
    const lines = h.lines.length;
    await h.up();
    await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 40_000, 'the resumed remediation resolving the incident');
    const chain = (await h.knowledge().incidents.explain(incident.id))!.entries;
    assert.equal(chain.filter((e) => e.kind === 'action').length, 1, `the restart ran once: ${JSON.stringify(chain.map((e) => e.kind))}`);
    assert.equal(chain.filter((e) => e.kind === 'guard').length, 1, 'the guard was not re-checked (its result was checkpointed)');
    assert.equal(chain.filter((e) => e.kind === 'verification').length, 1);
    assert.equal(chain.at(-1)!.data.outcome, 'resolved');
    const audit = await h.db().listAudit({ afterSeq: 0, limit: 1_000 });
    assert.equal(audit.filter((a) => a.action === 'action.restart').length, 1);
    assert.equal((await h.db().listIncidents({ limit: 10 })).length, 1, 'no second incident');
    await h.waitForLine(new RegExp(`incident ${incident.id} resolved (externally )?after`), 10_000, lines);
  } finally {
    await h.close();
  }
});
