import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorRateExporterConfig, UpHarness } from './loop-harness.js';

test('homeostat up: after a scraped service steps its clock back, its samples are stored in arrival order and counted, and its error rate opens an incident', async () => {
  const h = new UpHarness(errorRateExporterConfig('clock-step-exporter.js'));
  try {
    await h.up();
    const incident = await h.waitForIncident((i) => i.symptom === 'app-errors', 20_000, 'an incident for app-errors');
    assert.equal(incident.element, 'app');
    // Every scrape after the step is behind the first sample: each is counted, none dropped.
    const reordered = async () => Number(/homeostat_metric_samples_restamped_total\{reason="reordered",source="scrape:app#0"\} (\d+)\n/.exec(await h.metrics())?.[1] ?? 0);
    await h.waitFor(async () => (await reordered()) >= 3, 10_000, 'three scrapes counted as reordered');
    const metrics = await h.metrics();
    assert.doesNotMatch(metrics, /homeostat_metric_samples_dropped_total\{[^}]*source="scrape:app#0"/, 'none of them dropped');
  } finally {
    await h.close();
  }
});
