import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { UpHarness } from './loop-harness.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

test('homeostat up: a scraped sample a day ahead is dropped and counted, and the error rate behind it still opens an incident', async () => {
  const h = new UpHarness(`
services:
  app:
    command: $NODE
    args: [poisoning-exporter.js, --port, "{{port}}"]
    cwd: ${FIXTURES}
    probes:
      liveness: { http: /healthz, period: 500ms, timeout: 1s, failureThreshold: 3 }
monitor:
  scrape: [{ service: app, every: 300ms }]
symptoms:
  app-errors: { service: app, metric: app_errors_total, aggregate: rate, window: 5s, above: 5 }
`);
  try {
    await h.up();
    const incident = await h.waitForIncident((i) => i.symptom === 'app-errors', 20_000, 'an incident for app-errors');
    assert.equal(incident.element, 'app');
    const metrics = await h.metrics();
    assert.match(metrics, /homeostat_metric_samples_dropped_total\{reason="future_timestamp",source="scrape:app#0"\} 1\n/);
  } finally {
    await h.close();
  }
});
