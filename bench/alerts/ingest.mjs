// Alert ingestion: alerts per second the Alertmanager receiver turns into symptoms, on the
// embedded default (SQLite store, WAL). Everything real but Alertmanager: the HTTP API
// listening on loopback (fastify, schema validation, token authentication against the
// store), the receiver (mapping, de-duplication) and the autonomic loop recording every
// symptom in its incident's explanation chain. Alertmanager-shaped notifications of
// `batch` alerts each (one group), `concurrency` posts in flight, every alert a new
// episode across `services` services; then the same notifications again (redeliveries: all
// duplicates, no symptom).
// Usage: npm run build && node bench/alerts/ingest.mjs [alerts=50000] [batch=100] [concurrency=4] [dist=dist] [services=1000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const total = Number(process.argv[2] ?? 50_000);
const batch = Number(process.argv[3] ?? 100);
const concurrency = Number(process.argv[4] ?? 4);
const dist = resolve(process.argv[5] ?? 'dist');
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { parseConfig } = await load('src/config/load-config.js');
const { Knowledge } = await load('src/knowledge/knowledge.js');
const { SqliteStore } = await load('src/store/sqlite/sqlite-store.js');
const { Engine } = await load('src/workflow/engine.js');
const { AutonomicLoop } = await load('src/controller/autonomic-loop.js');
const { TimeSeriesStore } = await load('src/monitor/time-series.js');
const { buildApi } = await load('src/api/api-server.js');
const { ApiTokens } = await load('src/api/api-tokens.js');
const { LiveEventHub } = await load('src/api/live-events.js');
const { alertReception } = await load('src/api/alerts/alert-intake.js');

const SERVICES = Number(process.argv[6] ?? 1_000);
const dir = mkdtempSync(join(tmpdir(), 'homeostat-alerts-bench-'));
const store = SqliteStore.open(join(dir, 'homeostat.db'));
const services = Array.from({ length: SERVICES }, (_, i) => `  svc-${i}: { command: node }`).join('\n');
const { config } = parseConfig(`services:\n${services}\nescalation: { retryEvery: 1h }\nalerts: { maxFiring: ${total} }\n`, { file: join(dir, 'homeostat.yaml') });
const knowledge = new Knowledge(store);
const control = { instances: () => [], isHealthy: () => true, restart: async () => {}, stopStart: async () => {}, scale: async () => {} };
const engine = await Engine.open({ store, worker: false });
let dropped = 0;
const loop = new AutonomicLoop({ config, knowledge, engine, control, concurrency: 8, onDropped: (_buffer, count) => (dropped += count) });
loop.start();
let observed = 0;
const alerts = alertReception(
  {
    config: config.alerts,
    elements: { isService: (name) => Object.hasOwn(config.services, name), replicas: () => [] },
    observe: (symptom) => {
      observed++;
      loop.observe(symptom);
    },
  },
  {},
);
const tokens = new ApiTokens(store);
const { token } = await tokens.create('alertmanager', 'operator', 'bench');
const live = new LiveEventHub(store);
const app = await buildApi({ store, knowledge, engine, tokens, series: new TimeSeriesStore(), live, now: Date.now, alerts }, { bodyLimit: 8 << 20 });
const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/api/alerts/alertmanager`;

const startsAt = new Date().toISOString();
const notifications = [];
for (let i = 0; i < total; i += batch) {
  const alertsOf = [];
  for (let j = i; j < Math.min(total, i + batch); j++) {
    alertsOf.push({ status: 'firing', labels: { alertname: `Alert${j % 7}`, job: `svc-${j % SERVICES}`, instance: `10.0.0.${j % 250}:9100`, severity: 'page', shard: String(j) }, annotations: { summary: `alert ${j}` }, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus/graph', fingerprint: j.toString(16).padStart(16, '0') });
  }
  notifications.push(JSON.stringify({ version: '4', groupKey: `{}:{shard="${i}"}`, truncatedAlerts: 0, status: 'firing', receiver: 'homeostat', groupLabels: {}, commonLabels: { severity: 'page' }, commonAnnotations: {}, externalURL: 'http://alertmanager', alerts: alertsOf }));
}

async function postAll() {
  const answers = [];
  let next = 0;
  const worker = async () => {
    while (next < notifications.length) {
      const body = notifications[next++];
      const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      answers.push(await response.json());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

const idle = () => loop.loop.queue.length === 0 && loop.loop.queue.inFlight === 0;
const started = performance.now();
const first = await postAll();
const ingestedSeconds = (performance.now() - started) / 1_000;
for (;;) {
  await new Promise((r) => setTimeout(r, 5));
  if (idle()) {
    await new Promise((r) => setTimeout(r, 20));
    if (idle()) break;
  }
}
const recordedSeconds = (performance.now() - started) / 1_000;
const fired = first.reduce((n, a) => n + a.fired, 0);

const replayStarted = performance.now();
const replay = await postAll();
const replaySeconds = (performance.now() - replayStarted) / 1_000;
const duplicates = replay.reduce((n, a) => n + a.duplicates, 0);

// Nothing skipped to go fast: every alert a symptom, every symptom's signal recorded in its
// incident's chain (a repeat of a symptom name already described there is its signal only).
let signals = 0;
const incidents = await store.listIncidents({ limit: 10_000 });
for (const incident of incidents) for (const entry of await store.listIncidentEntries(incident.id)) if (entry.kind === 'signal') signals++;
if (fired !== total || observed !== total || duplicates !== total || signals + dropped !== total) throw new Error(`incomplete: ${fired} fired, ${observed} observed, ${duplicates} duplicates on replay, ${signals} signals recorded and ${dropped} dropped for ${total} alerts`);
console.log(
  JSON.stringify({
    alerts: total,
    batch,
    concurrency,
    services: SERVICES,
    incidents: incidents.length,
    alertsPerSecondIngested: Math.round(total / ingestedSeconds),
    alertsPerSecondRecorded: Math.round(total / recordedSeconds),
    redeliveriesPerSecond: Math.round(total / replaySeconds),
    signalsRecorded: signals,
    droppedByLoopBuffers: dropped,
  }),
);
live.close();
await app.close();
await loop.stop();
await engine.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
