import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { serveMetrics } from './metrics-server.js';

test('/metrics renders the registry, /healthz says whether this process leads, anything else is a 404', async () => {
  const registry = new MetricsRegistry();
  registry.counter('homeostat_test_total', 'A test counter.').inc({ kind: 'a' }, 2);
  let leader = false;
  const server = await serveMetrics({ port: 0, registry, isLeader: () => leader });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const metrics = await fetch(server.url);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4');
    assert.match(await metrics.text(), /^homeostat_test_total\{kind="a"\} 2$/m);
    assert.equal((await fetch(`${server.url}?name[]=x`)).status, 200, 'a query string is still /metrics');
    const base = server.url.replace(/\/metrics$/, '');
    leader = true;
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.headers.get('content-type'), 'application/json');
    assert.deepEqual(await health.json(), { status: 'ok', leader: true });
    const other = await fetch(`${base}/metricsz`);
    assert.equal(other.status, 404);
    assert.equal(await other.text(), 'not found: try /metrics');
  } finally {
    await server.close();
  }
});

test('a port in use is HS_METRICS_LISTEN, naming the port and the setting', async () => {
  const first = await serveMetrics({ port: 0, registry: new MetricsRegistry(), isLeader: () => false });
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(serveMetrics({ port, registry: new MetricsRegistry(), isLeader: () => false }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'HS_METRICS_LISTEN');
      assert.match(error.message, new RegExp(`cannot serve /metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\(set monitor\\.metricsPort, 0 picks a free port\\)`));
      return true;
    });
  } finally {
    await first.close();
  }
});
