// Loop throughput: symptoms handled per second by the real AutonomicLoop (work queue,
// reconcile, incidents and explanation entries in a real SQLite store) with 1,000
// managed elements, and the controller's RSS with 1,000 elements and 10,000 series.
// Usage: npm run build && node bench/loop/throughput.mjs [symptoms=50000] [dist=dist]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const total = Number(process.argv[2] ?? 50_000);
const dist = resolve(process.argv[3] ?? 'dist');
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { parseConfig } = await load('src/config/load-config.js');
const { Knowledge } = await load('src/knowledge/knowledge.js');
const { SqliteStore } = await load('src/store/sqlite/sqlite-store.js');
const { Engine } = await load('src/workflow/engine.js');
const { AutonomicLoop } = await load('src/controller/autonomic-loop.js');
const { TimeSeriesStore } = await load('src/monitor/time-series.js');

const ELEMENTS = 1_000;
const dir = mkdtempSync(join(tmpdir(), 'homeostat-loop-bench-'));
const store = SqliteStore.open(join(dir, 'bench.db'));
const { config } = parseConfig('services:\n  api: { command: node }\nescalation: { retryEvery: 1h }\n', { file: join(dir, 'homeostat.yaml') });
const knowledge = new Knowledge(store);
const control = { instances: () => [], isHealthy: () => true, restart: async () => {}, stopStart: async () => {}, scale: async () => {} };
const engine = await Engine.open({ store, worker: false });
let handled = 0;
const loop = new AutonomicLoop({ config, knowledge, engine, control, concurrency: 8 });
const reconcile = loop.loop;
loop.start();
const started = performance.now();
for (let i = 0; i < total; i++) {
  const element = `svc-${i % ELEMENTS}`;
  loop.observe({ name: 'process-crashed', element, instance: `${element}#0`, at: Date.now(), labels: { code: '1' }, signal: { kind: 'process-exited', code: 1 } });
  handled++;
  if (i % 1_000 === 999) await new Promise((r) => setImmediate(r));
}
// Wait until the queue has drained (every pending symptom recorded).
const entries = async () => (await store.listIncidents({ limit: 10_000 })).length;
const idle = () => reconcile.queue.length === 0 && reconcile.queue.inFlight === 0;
for (;;) {
  await new Promise((r) => setTimeout(r, 5));
  if (idle()) {
    await new Promise((r) => setTimeout(r, 5));
    if (idle()) break;
  }
}
const seconds = (performance.now() - started) / 1_000;
const incidents = await entries();
const series = new TimeSeriesStore({ maxSeries: 10_000, maxPointsPerSeries: 60 });
for (let s = 0; s < 10_000; s++) for (let p = 0; p < 60; p++) series.append('m', { service: `svc-${s % ELEMENTS}`, instance: `i${s}` }, p, Date.now() + p * 1_000);
globalThis.gc?.();
const rss = process.memoryUsage().rss;
// Nothing is skipped to go fast: every symptom is a signal entry in its incident's chain
// (none dropped by the per-element buffer here), every incident has its decisions, and the
// audit log's hash chain verifies.
let signals = 0;
let decisions = 0;
for (const incident of await store.listIncidents({ limit: 10_000 })) {
  for (const entry of await store.listIncidentEntries(incident.id)) {
    if (entry.kind === 'signal') signals++;
    else if (entry.kind === 'diagnosis' || entry.kind === 'policy' || entry.kind === 'escalation') decisions++;
  }
}
const audit = await knowledge.audit.verify();
if (signals !== handled || decisions !== 3 * incidents || !audit.ok) throw new Error(`incomplete record: ${signals} signals for ${handled} symptoms, ${decisions} decisions, audit ${JSON.stringify(audit.firstBad ?? audit.ok)}`);
console.log(JSON.stringify({ symptoms: handled, elements: ELEMENTS, incidents, seconds: +seconds.toFixed(2), symptomsPerSecond: Math.round(handled / seconds), signalsRecorded: signals, auditEntries: audit.checked, series: series.seriesCount, rssMB: +(rss / 1_048_576).toFixed(1) }));
await loop.stop();
await engine.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
