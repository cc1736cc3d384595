import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../e2e/dashboard-harness.js';
import { UpHarness } from '../e2e/loop-harness.js';
import { PrivateNodeExporter } from './node-exporter.js';

/**
 * A real exporter as a static scrape target: homeostat scrapes Debian's node_exporter by
 * URL, its series belong to the element the target names (`host`), and a rule on one of
 * them opens the incident on `host`, not on the exporter.
 */
test('homeostat up scrapes a real node_exporter as a url target mapped to element host; a rule on its series opens an incident on host', async () => {
  const exporter = await PrivateNodeExporter.start(await freePort());
  const metricsPort = await freePort();
  // Any machine has more than 1 byte of memory: the rule fires as soon as the series is scraped.
  const h = new UpHarness(`monitor:
  metricsPort: ${metricsPort}
  scrape:
    - { url: "${exporter.url}", name: node, element: host, every: 500ms, timeout: 2s }
symptoms:
  host-memory-present: { service: host, metric: node_memory_MemTotal_bytes, above: 1 }
`);
  try {
    await h.up();
    const incident = await h.waitForIncident((i) => i.element === 'host', 30_000, 'an incident on host');
    assert.equal(incident.symptom, 'host-memory-present');
    const metrics = await h.metrics();
    assert.match(metrics, /homeostat_scrape_up\{target="node"\} 1/);
    assert.doesNotMatch(metrics, /homeostat_scrape_skipped_lines_total\{target="node"\}/, 'node_exporter’s exposition parses without a skipped line');
  } finally {
    await h.close();
    await exporter.close();
  }
});
