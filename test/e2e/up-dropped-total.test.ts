import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UpHarness } from './loop-harness.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Every bounded buffer of `up` that can drop (docs/architecture.md, "Bounded buffers"). */
const BUFFERS = ['loop-symptoms', 'incident-symptoms', 'early-symptoms', 'recent-exits', 'element-events', 'metric-samples', 'resource-samples', 'live-events'];

test('homeostat up: every bounded buffer has its drop count on /metrics, and a drop is said once in the log with its count', async () => {
  // The exporter's one sample a day ahead is dropped by the monitor: a drop to see.
  const h = new UpHarness(`
services:
  app:
    command: $NODE
    args: [poisoning-exporter.js, --port, "{{port}}"]
    cwd: ${FIXTURES}
monitor:
  scrape: [{ service: app, every: 300ms }]
`);
  try {
    await h.up();
    const metrics = await h.waitFor(async () => {
      const text = await h.metrics();
      return /^homeostat_dropped_total\{buffer="metric-samples"\} [1-9]/m.test(text) && text;
    }, 15_000, 'the dropped sample counted');
    for (const buffer of BUFFERS) assert.match(metrics, new RegExp(`^homeostat_dropped_total\\{buffer="${buffer}"\\} \\d+$`, 'm'), `${buffer} on /metrics`);
    assert.match(metrics, /^homeostat_dropped_total\{buffer="loop-symptoms"\} 0$/m);
    const log = join(h.dir, 'state', 'homeostat.log');
    const said = await h.waitFor(() => {
      const lines = readFileSync(log, 'utf8').split('\n').filter((line) => line.includes('"buffer":"metric-samples"'));
      return lines.length > 0 && lines;
    }, 10_000, 'the drop in the log');
    assert.equal(said.length, 1, `one line, however many scrapes dropped a sample: ${said.join('\n')}`);
    assert.match(said[0]!, /"dropped":\d+,"total":\d+,"msg":"dropped \d+ scraped or pushed samples/);
  } finally {
    await h.close();
  }
});
