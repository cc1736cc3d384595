import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpHarness } from './loop-harness.js';

test('homeostat up serves the API on loopback; a token made by `homeostat token create` opens it', async () => {
  const h = new UpHarness(`services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
`);
  try {
    await h.up();
    const line = await h.waitForLine(/API at (\S+) /);
    const apiUrl = /API at (\S+) /.exec(line)![1]!;
    assert.match(apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${apiUrl}/api/services`)).status, 401);
    const created = await h.cli('token', 'create', '--role', 'viewer', '--name', 'e2e');
    assert.equal(created.status, 0, created.out);
    const token = created.out.split('\n')[0]!;
    assert.match(token, /^hst_/);
    assert.match(created.out, /shown this once/);
    await h.healthy('api');
    const services = (await (await fetch(`${apiUrl}/api/services`, { headers: { authorization: `Bearer ${token}` } })).json()) as { services: { name: string; health: string }[] };
    assert.deepEqual(services.services.map((s) => s.name), ['api']);
    const approve = await fetch(`${apiUrl}/api/approvals/x/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(approve.status, 403);
    const listed = await h.cli('token', 'list');
    assert.match(listed.out, /e2e\s+viewer/);
    const audit = await h.cli('audit', 'verify');
    assert.equal(audit.status, 0, audit.out);
    await h.down();
  } finally {
    await h.close();
  }
});
