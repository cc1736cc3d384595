import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorRateExporterConfig, UpHarness } from './loop-harness.js';

test('homeostat up: a scraped sample a day ahead is dropped and counted, and the error rate behind it still opens an incident', async () => {
  const h = new UpHarness(errorRateExporterConfig('poisoning-exporter.js'));
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
