// MTTD and MTTR per fault kind: a real `homeostat up` (child process) on the example
// system (examples/system: api ×2, worker, dependency + standby), faults injected one at
// a time, each injection waited out until its incident is resolved (verified healthy).
//
// Per injection, from the store `up` writes (element events and incidents, Date.now()
// of the same machine):
//   detect  = injection → first symptom event of the instance (process-exited,
//             liveness failing, resource-breach) — for error responses, the incident;
//   opened  = injection → incident opened (the loop's MTTD);
//   healthy = injection → the replacement process's first passing probe;
//   mttr    = injection → incident resolved (verified healthy for `healthyFor`).
// Plus the service's own start time: process-spawned → first passing probe.
//
// Usage: npm run build && node bench/loop/mttr.mjs [injections=10] [dist=dist] [kinds=crash,hang,sigstop,leak,errors]
// The bench config is examples/system/homeostat.yaml with: ports shifted by +1000 (so it
// does not collide with a running example), its own stateDir and store, and the
// guardrails that would otherwise *refuse* repeated injections relaxed (per-element
// budget 5/10 min → 1000, api crash-loop detection 5 restarts/30 s → 1000, restart
// backoff reset after 10 s → 1 s), and `correlation.reopenWithin: 0` so that each injection
// opens its own incident rather than re-opening the previous one (the same replica's fault
// again within 5 min re-opens it otherwise). `verify.healthyFor` stays 2 s unless HEALTHY_FOR is set.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const N = Number(process.argv[2] ?? 10);
const dist = resolve(process.argv[3] ?? 'dist');
const kinds = (process.argv[4] ?? 'crash,hang,sigstop,leak,errors').split(',');
const healthyFor = process.env.HEALTHY_FOR ?? '2s';
const repo = fileURLToPath(new URL('../..', import.meta.url));
const { openStore } = await import(pathToFileURL(join(dist, 'src/store/open-store.js')).href);

const OFFSET = 1_000;
const port = (p) => p + OFFSET;
const dir = mkdtempSync(join(tmpdir(), 'homeostat-mttr-'));
let yaml = readFileSync(join(repo, 'examples/system/homeostat.yaml'), 'utf8');
for (const p of [4100, 4200, 4300, 4310]) yaml = yaml.replaceAll(String(p), String(port(p)));
yaml = yaml
  .replace(/^stateDir: .*$/m, `stateDir: ${join(dir, 'state')}`)
  .replaceAll('cwd: ../../dist/examples/system', `cwd: ${join(dist, 'examples/system')}`)
  // 50 injections can need more than the default 50 actions an hour in all (a busy loop is also
  // a CPU breach): the global budget is relaxed too, else the last injections are refused.
  .replace('budgets: { perElement: { max: 5, window: 10m } }', 'budgets: { perElement: { max: 1000, window: 10m }, global: { max: 1000, window: 1h } }')
  .replace('crashLoop: { restarts: 5, window: 30s, retryEvery: 15s }', 'crashLoop: { restarts: 1000, window: 30s, retryEvery: 15s }')
  .replace('restartBackoff: { initial: 200ms, max: 10s, resetAfter: 10s }', 'restartBackoff: { initial: 200ms, max: 10s, resetAfter: 1s }')
  .replaceAll('healthyFor: 2s', `healthyFor: ${healthyFor}`)
  .concat('\ncorrelation: { reopenWithin: 0 }\n');
for (const needle of ['max: 1000', 'restarts: 1000', 'resetAfter: 1s', 'reopenWithin: 0']) if (!yaml.includes(needle)) throw new Error(`bench config: could not set ${needle}`);
const configFile = join(dir, 'homeostat.yaml');
writeFileSync(configFile, yaml);
const storeUrl = `sqlite:${join(dir, 'homeostat.db')}`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The ports must be free: a leftover example system would make every spawn fail (EADDRINUSE).
const { createServer } = await import('node:net');
for (const p of [4100, 4101, 4200, 4300, 4310].map(port)) {
  await new Promise((ok, fail) => {
    const server = createServer().once('error', () => fail(new Error(`port ${p} is in use: stop whatever listens there first`)));
    server.listen(p, '127.0.0.1', () => server.close(ok));
  });
}
const log = createWriteStream(join(dir, 'up.log'));
const up = spawn(process.execPath, [join(dist, 'src/cli/bin.js'), 'up', '-c', configFile, '--store', storeUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
up.stdout.pipe(log);
up.stderr.pipe(log);
let upExited = false;
up.once('exit', () => (upExited = true));

const post = (url) => fetch(url, { method: 'POST', signal: AbortSignal.timeout(2_000) }).then((r) => r.json());
const healthy = (p) =>
  fetch(`http://127.0.0.1:${p}/healthz`, { signal: AbortSignal.timeout(300) }).then(
    async (r) => (r.ok ? JSON.parse((await r.text()).replace(/^ok$/, '{}')) : undefined),
    () => undefined,
  );

// A second handle on the same SQLite file (WAL: readers never block `up`).
const store = await openStore(storeUrl);
const started = Date.now();
const rows = [];
const allEvents = [];
try {
for (;;) {
  if (upExited) throw new Error(`homeostat up exited; see ${join(dir, 'up.log')}`);
  const all = await Promise.all([port(4100), port(4101), port(4300)].map(healthy));
  const workerUp = (await store.listEvents({ element: 'worker', kinds: ['probe-changed'], limit: 10 })).some((e) => JSON.parse(e.data).to === 'passing');
  if (all.every(Boolean) && workerUp) break;
  if (Date.now() - started > 30_000) throw new Error('example system did not come up in 30 s');
  await sleep(100);
}
await sleep(3_000); // let configGoodAfter pass and the first scrapes settle
while ((await store.listIncidents({ unresolved: true, limit: 1 })).length > 0) {
  if (Date.now() - started > 90_000) throw new Error('an incident stayed open after start-up');
  await sleep(200);
}

const data = (e) => ({ ...JSON.parse(e.data), at: e.at, kind: e.kind, element: e.element });
let lastEventId = (await store.listEvents({ limit: 1 })).at(-1)?.id ?? 0;
async function eventsSince() {
  const out = [];
  for (;;) {
    const page = await store.listEvents({ sinceId: lastEventId, limit: 1_000 });
    if (page.length === 0) return out;
    out.push(...page.map(data));
    lastEventId = page.at(-1).id;
  }
}

/** Injects one fault; returns { service, instance, at, stop? }. */
const inject = {
  async crash(i) {
    const p = port(4100) + (i % 2);
    const at = Date.now();
    await post(`http://127.0.0.1:${p}/fault/crash`).catch(() => undefined);
    return { service: 'api', instance: `api#${i % 2}`, at };
  },
  async hang(i) {
    const p = port(4100) + (i % 2);
    const at = Date.now();
    await post(`http://127.0.0.1:${p}/fault/hang`).catch(() => undefined);
    return { service: 'api', instance: `api#${i % 2}`, at };
  },
  async sigstop(i) {
    const p = port(4100) + (i % 2);
    const { pid } = await healthy(p);
    const at = Date.now();
    process.kill(pid, 'SIGSTOP');
    return { service: 'api', instance: `api#${i % 2}`, at };
  },
  async leak() {
    const at = Date.now();
    await post(`http://127.0.0.1:${port(4200)}/fault/leak?mb=32&every=100`);
    return { service: 'worker', instance: 'worker#0', at };
  },
  async errors(i) {
    const p = port(4100) + (i % 2);
    const at = Date.now();
    await post(`http://127.0.0.1:${p}/fault/errors?rate=1`);
    // Traffic, so errors happen: 20 requests/s to that replica until it is replaced.
    let stop = false;
    void (async () => {
      while (!stop) {
        await fetch(`http://127.0.0.1:${p}/work`, { signal: AbortSignal.timeout(500) }).then((r) => r.arrayBuffer(), () => undefined);
        await sleep(50);
      }
    })();
    return { service: 'api', instance: `api#${i % 2}`, at, stop: () => (stop = true) };
  },
};

const isSymptomOf = (e, instance) =>
  e.instance === instance && (e.kind === 'process-exited' || e.kind === 'resource-breach' || (e.kind === 'probe-changed' && e.probe === 'liveness' && e.to === 'failing'));

async function once(kind, i) {
  await eventsSince();
  const before = new Set((await store.listIncidents({ limit: 20 })).map((x) => x.id));
  const fault = await inject[kind](i);
  const deadline = fault.at + 40_000;
  let incident;
  for (;;) {
    await sleep(25);
    allEvents.push(...(await eventsSince()));
    const fresh = (await store.listIncidents({ limit: 20 })).filter((x) => !before.has(x.id) && x.element === fault.service);
    incident = fresh.at(-1);
    if (incident?.status === 'resolved' || incident?.status === 'escalated') break;
    if (Date.now() > deadline || upExited) break;
  }
  fault.stop?.();
  const events = allEvents.filter((e) => e.at >= fault.at);
  const symptom = events.find((e) => isSymptomOf(e, fault.instance));
  const spawned = events.find((e) => e.kind === 'process-spawned' && e.instance === fault.instance);
  const passing = spawned && events.find((e) => e.kind === 'probe-changed' && e.instance === fault.instance && e.to === 'passing' && e.at >= spawned.at);
  const ms = (t) => (t === undefined || t === null ? null : t - fault.at);
  const row = {
    kind,
    i,
    instance: fault.instance,
    status: incident?.status ?? 'no incident',
    symptom: incident?.symptom ?? null,
    detect: kind === 'errors' ? ms(incident?.openedAt) : ms(symptom?.at),
    opened: ms(incident?.openedAt),
    healthy: ms(passing?.at),
    mttr: incident?.status === 'resolved' ? ms(incident.resolvedAt) : null,
    startMs: spawned && passing ? passing.at - spawned.at : null,
  };
  console.error(JSON.stringify(row));
  // Let the replaced instance settle (restart backoff reset, scrapes) before the next one.
  await sleep(kind === 'errors' ? 2_500 : 1_200);
  return row;
}

  for (const kind of kinds) for (let i = 0; i < N; i++) rows.push(await once(kind, i));
} finally {
  up.kill('SIGTERM');
  await new Promise((r) => (upExited ? r() : up.once('exit', r)));
  await store.close();
}

const pct = (values, p) => {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)];
};
const summary = {};
for (const kind of kinds) {
  const r = rows.filter((x) => x.kind === kind);
  summary[kind] = {
    injections: r.length,
    resolved: r.filter((x) => x.status === 'resolved').length,
    symptoms: [...new Set(r.map((x) => x.symptom))].join(','),
    detectP50: pct(r.map((x) => x.detect), 50),
    detectP90: pct(r.map((x) => x.detect), 90),
    openedP50: pct(r.map((x) => x.opened), 50),
    openedP90: pct(r.map((x) => x.opened), 90),
    healthyP50: pct(r.map((x) => x.healthy), 50),
    healthyP90: pct(r.map((x) => x.healthy), 90),
    mttrP50: pct(r.map((x) => x.mttr), 50),
    mttrP90: pct(r.map((x) => x.mttr), 90),
  };
}
const starts = [...allEvents]
  .filter((e) => e.kind === 'process-spawned')
  .map((s) => {
    const pass = allEvents.find((e) => e.kind === 'probe-changed' && e.instance === s.instance && e.to === 'passing' && e.at >= s.at);
    return pass ? { element: s.element, ms: pass.at - s.at } : undefined;
  })
  .filter(Boolean);
const startTime = {};
for (const element of new Set(starts.map((s) => s.element))) {
  const v = starts.filter((s) => s.element === element).map((s) => s.ms);
  startTime[element] = { n: v.length, p50: pct(v, 50), p90: pct(v, 90) };
}
console.log(JSON.stringify({ healthyFor, injectionsPerKind: N, summary, startTime, seconds: Math.round((Date.now() - started) / 1_000) }, null, 1));
if (process.env.KEEP !== '1') rmSync(dir, { recursive: true, force: true });
else console.error(`kept ${dir}`);
