import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpHarness } from './loop-harness.js';

test('after a crash the supervisor respawns the process; the loop does not restart it a second time, and says so', async () => {
  const h = new UpHarness(`
services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    restartBackoff: { initial: 50ms, max: 1s }
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }, { action: stop-start }]
    verify: { healthyFor: 500ms, timeout: 15s }
`);
  try {
    await h.up();
    await h.healthy('api');
    await h.fault('api#0', 'crash');
    const incident = await h.waitForIncident((i) => i.status === 'resolved', 30_000, 'the crash incident resolved');
    const action = (await h.knowledge().incidents.explain(incident.id))!.entries.find((e) => e.kind === 'action')!;
    assert.equal(action.data.skipped, true, JSON.stringify(action.data));
    assert.match(String(action.data.detail), /skipped: api#0 was already restarted by the supervisor \(its restart policy, after it exited\) \d+ ms after the symptom/);
    assert.match((await h.cli('incident', 'show', incident.id)).out, /step 1: restart api#0: done — skipped: api#0 was already restarted by the supervisor/);
    await h.down();
    const spawns = (await h.db().listEvents({ element: 'api', kinds: ['process-spawned'], limit: 100 })).length;
    assert.equal(spawns, 2, 'the first start and the supervisor respawn: no second restart');
  } finally {
    await h.close();
  }
});
