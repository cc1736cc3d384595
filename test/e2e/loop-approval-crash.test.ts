import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleApiService, UpHarness } from './loop-harness.js';

/**
 * What held under the red team (kept so in a test): `up` SIGKILLed while a remediation
 * waits for approval; after the restart the approval still gates the action, and the
 * approved action runs exactly once.
 */
test('up killed while an action waits for approval: after the restart, approving runs the action exactly once', async () => {
  const out = mkdtempSync(join(tmpdir(), 'homeostat-approval-crash-'));
  const h = new UpHarness(`
services:
${exampleApiService('api', '300ms')}
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: command, run: "echo ran >> ${join(out, 'ran.txt')}", timeout: 5s }]
    approval: { required: true, ttl: 60s, warnBefore: 0ms }
    verify: { healthyFor: 300ms, timeout: 10s }
escalation: { retryEvery: 1h }
`);
  const ran = () => {
    try {
      return readFileSync(join(out, 'ran.txt'), 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  try {
    await h.up();
    await h.healthy('api');
    await h.fault('api#0', 'crash');
    const waiting = await h.waitForIncident((i) => i.status === 'awaiting-approval', 20_000, 'the incident awaiting approval');
    await h.down('SIGKILL');
    await h.killSpawned();
    await h.up();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(ran(), 0, 'nothing ran without the approval, before or after the restart');
    const approved = await h.cli('approve', waiting.id, '--by', 'alice');
    assert.equal(approved.status, 0, approved.out);
    await h.waitForIncident((i) => i.id === waiting.id && i.status === 'resolved', 20_000, 'the approved command resolving the incident');
    assert.equal(ran(), 1, 'the approved command ran exactly once');
    const audit = await h.db().listAudit({ afterSeq: 0, limit: 1_000 });
    const actions = audit.filter((a) => a.action === 'action.command');
    assert.equal(actions.length, 1);
    const data = JSON.parse(actions[0]!.data) as Record<string, unknown>;
    assert.equal(data.approvedBy, 'operator:alice', 'the action names who approved it');
    assert.equal(data.policy, 'crash');
    assert.equal(typeof data.configVersion, 'number');
  } finally {
    await h.close();
    rmSync(out, { recursive: true, force: true });
  }
});
