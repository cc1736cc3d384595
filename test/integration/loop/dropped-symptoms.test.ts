import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DropCounter, type DropReport } from '../../../src/telemetry/drop-counter.js';
import { MetricsRegistry } from '../../../src/telemetry/metrics.js';
import { waitUntil } from '../helpers/wait.js';
import { loopHarness } from './loop-harness.js';

const SYSTEM = `
services:
  api: { command: node, args: [a.js] }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }]
escalation: { retryEvery: 1h }
`;

test('symptoms beyond the loop\'s buffer are counted on /metrics and reported in one line with their count, not dropped silently', async () => {
  const reports: DropReport[] = [];
  const registry = new MetricsRegistry();
  const drops = new DropCounter({ report: (r) => reports.push(r), intervalMs: 60_000 });
  drops.register(registry);
  const h = await loopHarness(SYSTEM, { worker: false, onDropped: (buffer, count) => drops.drop(buffer, count) });
  try {
    // A burst within one turn of the event loop: all wait for the same reconcile, the buffer holds 50 per service.
    for (let i = 0; i < 80; i++) h.symptom('process-crashed', 'api', { n: String(i) });
    const incident = await waitUntil(async () => (await h.all())[0], { timeoutMs: 5_000, message: 'the incident' });
    assert.match(registry.render(), /^homeostat_dropped_total\{buffer="loop-symptoms"\} 30$/m);
    assert.equal(reports.length, 1, `one report for the burst: ${JSON.stringify(reports)}`);
    assert.deepEqual({ buffer: reports[0]!.buffer, total: reports[0]!.total }, { buffer: 'loop-symptoms', total: 1 });
    drops.close();
    assert.deepEqual(reports.at(-1), { buffer: 'loop-symptoms', what: 'loop-symptoms', dropped: 29, total: 30 }, 'the rest in one more report');
    // The oldest 50 were kept: they opened the incident.
    const chain = (await h.knowledge.incidents.explain(incident.id))!.entries;
    const kept = chain.filter((e) => e.kind === 'symptom').map((e) => Number((e.data.labels as Record<string, string>).n));
    assert.deepEqual(kept, Array.from({ length: 50 }, (_, i) => i));
  } finally {
    drops.close();
    await h.close();
  }
});
