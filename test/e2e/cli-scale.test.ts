import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpHarness, exampleApiService } from './loop-harness.js';

/**
 * `homeostat scale` by hand, through the running `up`'s API: the replicas follow, the
 * operator is in the audit; a count outside the autoscale bounds, a service this node does
 * not supervise, or no `up` at all is refused and changes nothing.
 */
test('homeostat scale: through up\'s API, audited; out of autoscale bounds, unknown service, or no up running: refused', async () => {
  const h = new UpHarness(`services:
${exampleApiService('api')}
  bounded:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    replicas: 2
    autoscale: { min: 2, max: 3, metric: http_requests_in_flight, target: 100 }
`);
  try {
    const offline = await h.cli('scale', 'api', '2');
    assert.notEqual(offline.status, 0);
    assert.match(offline.out, /scaling api needs a running homeostat up/);

    await h.up();
    await h.healthy('api');
    const running = async (service: string) => (await h.db().listElementStates()).filter((s) => s.element === service && s.state === 'running').length;
    const scaled = await h.cli('scale', 'api', '3');
    assert.equal(scaled.status, 0, scaled.out);
    assert.match(scaled.out, /scaled api from 1 to 3 replicas/);
    await h.waitFor(async () => (await running('api')) === 3, 20_000, 'three api replicas');
    const entry = (await h.db().listAudit({ limit: 100 })).find((e) => e.action === 'service.scaled')!;
    assert.match(entry.actor, /^api:/, 'the operator who asked');
    assert.deepEqual(JSON.parse(entry.data), { from: 1, to: 3 });

    const outOfBounds = await h.cli('scale', 'bounded', '5');
    assert.notEqual(outOfBounds.status, 0);
    assert.match(outOfBounds.out, /bounded autoscales within 2\.\.3/);
    const unknown = await h.cli('scale', 'nope', '1');
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.out, /"nope" is not a service this node supervises/);
    const bad = await h.cli('scale', 'api', '-1');
    assert.notEqual(bad.status, 0);
    assert.equal(await running('bounded'), 2);
    assert.equal((await h.db().listAudit({ limit: 100 })).filter((e) => e.action === 'service.scaled').length, 1, 'nothing refused was audited as done');
  } finally {
    await h.close();
  }
});
