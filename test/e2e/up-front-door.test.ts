import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/supervisor/service-supervisor.js';
import { steadyLoad } from '../integration/traffic/steady-load.js';
import { UpHarness } from './loop-harness.js';

const FIXTURES = fileURLToPath(new URL('../integration/fixtures/', import.meta.url));

// The whole path under `homeostat up`: a metric symptom on app#0, the loop's restart action,
// the supervisor draining app#0 through the front door before its SIGTERM — and replicas that
// die at once on SIGTERM under a load of POSTs (never retried): only the drain keeps them whole.
test('up: a restart by the loop under steady load through the front door loses no request', async () => {
  const port = await freePort();
  const h = new UpHarness(`services:
  app:
    command: $NODE
    args: [traffic-app.js, --port, "{{port}}", --abrupt]
    cwd: ${FIXTURES}
    replicas: 2
    probes:
      readiness: { http: /healthz, period: 100ms, timeout: 500ms, failureThreshold: 1 }
    expose: { port: ${port} }
monitor:
  scrape: [{ service: app, every: 300ms }]
symptoms:
  flagged: { service: app, metric: app_flag, above: 0 }
policies:
  unflag:
    match: { symptom: [flagged] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 500ms, timeout: 15s }
`);
  try {
    await h.up();
    await h.waitForLine(new RegExp(`front door of app at http://127\\.0\\.0\\.1:${port}`));
    await h.healthy('app', 2);
    const load = steadyLoad(`http://127.0.0.1:${port}/?delay=20`, 4, 'POST');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pidBefore = await pidOf(h, 'app#0');
    await fetch(`http://127.0.0.1:${await h.portOf('app#0')}/flag`, { method: 'POST' }).then((r) => r.text());
    // (The flag may join the incident of the replicas' first readiness failures at start-up.)
    await h.waitForLine(/loop: incident \S+ resolved after .*restart app#0 helped/, 30_000);
    await h.healthy('app', 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const result = await load.stop();
    assert.notEqual(await pidOf(h, 'app#0'), pidBefore, 'app#0 was restarted');
    assert.deepEqual(result.failures, []);
    assert.ok(result.ok > 50, `answered: ${result.ok}`);
    const metrics = await h.metrics();
    assert.match(metrics, /homeostat_front_door_requests_total\{replica="app#0",service="app",status="2xx"\} \d+/);
    assert.match(metrics, /homeostat_front_door_pool_size\{service="app"\} 2/);
  } finally {
    await h.close();
  }
});

/** The pid of a replica's running process, from the states `up` saves. */
async function pidOf(h: UpHarness, instance: string): Promise<number | null> {
  const state = (await h.db().listElementStates()).find((s) => s.instance === instance);
  return state ? (JSON.parse(state.data) as { pid: number | null }).pid : null;
}
