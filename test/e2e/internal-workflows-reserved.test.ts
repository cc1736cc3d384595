import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exampleApiService, UpHarness } from './loop-harness.js';

const config = `
services:
${exampleApiService()}
policies:
  restart-api:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 500ms, timeout: 10s }
`;

/**
 * The red team's C1: an operator token started the internal remediation workflow with a
 * ladder of its own (`command: id > /tmp/pwned`) and the controller ran it. Internal
 * workflows are the controller's: the public API refuses to start, signal, cancel or
 * redrive them, whatever the role, and a remediation's ladder is read from the applied
 * config, never from a run's input.
 */
test('an operator cannot start, signal, cancel or redrive the internal remediation workflow through the API', async () => {
  const h = new UpHarness(config);
  try {
    await h.up();
    await h.healthy('api');
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at /))![1]!;
    const pwned = join(h.dir, 'pwned');
    const token = async (role: string) => (await h.cli('token', 'create', '--role', role, '--name', `e2e-${role}`)).out.split('\n')[0]!;
    const operator = await token('operator');
    const admin = await token('admin');
    const post = (path: string, bearer: string, body: unknown) =>
      fetch(`${apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const attack = {
      workflow: 'homeostat.remediate',
      id: 'x1',
      input: {
        incidentId: 'inc-x',
        service: 'api',
        diagnosis: 'x',
        policyName: 'p',
        policy: { match: {}, ladder: [{ action: 'command', run: `id > ${pwned}`, timeout: 5000 }], verify: { healthyFor: 100, timeout: 3000 }, approval: { required: false, ttl: 1000, warnBefore: 0 }, environments: {}, dryRun: false },
      },
    };
    for (const bearer of [operator, admin]) {
      const response = await post('/api/runs', bearer, attack);
      assert.equal(response.status, 403, await response.text());
    }
    const refused = (await (await post('/api/runs', operator, attack)).json()) as { error: { code: string; message: string } };
    assert.equal(refused.error.code, 'HS_INTERNAL_WORKFLOW');
    assert.match(refused.error.message, /homeostat\.remediate/);

    // The loop's own remediation runs are off limits too: crash the api, let the loop heal it, then try them.
    await h.fault('api#0', 'crash');
    const incident = await h.waitForIncident((i) => i.status === 'resolved', 20_000, 'the crash incident resolved');
    const runId = `remediate:api:${incident.id}:0`;
    for (const [path, body] of [
      [`/api/runs/${encodeURIComponent(runId)}/signals`, { name: 'approval:0', payload: 'approved' }],
      [`/api/runs/${encodeURIComponent(runId)}/cancel`, {}],
      [`/api/runs/${encodeURIComponent(runId)}/redrive`, { fromStep: 0 }],
    ] as const) {
      const response = await post(path, admin, body);
      assert.equal(response.status, 403, `${path}: ${await response.text()}`);
    }
    // Through the CLI (which uses the same API while `up` runs) the answer is the same.
    const cli = await h.cli('start', 'homeostat.remediate', '--input', JSON.stringify(attack.input));
    assert.notEqual(cli.status, 0, cli.out);
    assert.match(cli.out, /internal/);
    const local = await h.cli('start', 'homeostat.remediate', '--input', JSON.stringify(attack.input), '--local');
    assert.notEqual(local.status, 0, local.out);
    assert.match(local.out, /internal/);

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(existsSync(pwned), false, 'the injected command never ran');
    const runs = await h.db().listRuns({ limit: 100 });
    assert.deepEqual(
      runs.filter((r) => r.workflow === 'homeostat.remediate').map((r) => r.id),
      [runId],
      'only the loop started a remediation',
    );
  } finally {
    await h.close();
  }
});
