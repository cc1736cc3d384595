// The overhead of a 3-way quorum over a single agent task, end to end: the same workflow
// step handed to one agent (`agents.task`) or to three distinct agents, accepted when 2
// agree (`quorum.agents`, comparator json). Agents are separate processes (agent.mjs,
// instant handler, the same answer) over the HTTP API with their own tokens; one process
// holds the store, the engine's worker and the API.
// 1. latency: one run at a time, REPS runs of each kind, alternating; median and p90 of
//    start → result;
// 2. throughput: RUNS runs of each kind started at once; runs/s from the first start to
//    the last result; ROUNDS rounds, the kind order alternating.
//
//   npm run bench:agents:quorum            (from bench/, after `npm run build` at the root)
//   BENCH_STORE=sqlite|postgres  BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test
//   BENCH_REPS=40 BENCH_RUNS=300 BENCH_ROUNDS=3
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, machine, median, quantile, removeDir, repoRoot, tempDir } from '../engine/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(repoRoot, process.env.HOMEOSTAT_DIST ?? 'dist', 'src');
const REPS = Number(process.env.BENCH_REPS ?? 40);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STORE = process.env.BENCH_STORE ?? 'sqlite';
const BASE_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const lib = async (file) => import(pathToFileURL(path.join(dist, file)).href);
const { openStore, Engine, defineWorkflow, createAgentTasks, createAgentQuorum, AgentDispatcher } = await lib('index.js');
const { buildApi } = await lib('api/api-server.js');
const { ApiTokens } = await lib('api/api-tokens.js');
const { LiveEventHub } = await lib('api/live-events.js');
const { Knowledge } = await lib('knowledge/knowledge.js');
const { TimeSeriesStore } = await lib('monitor/time-series.js');

function spawnAgent(url, token, name) {
  const child = spawn(process.execPath, [path.join(here, 'agent.mjs'), url, token, name, '64', 'instant'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const registered = new Promise((resolve) => child.stdout.setEncoding('utf8').on('data', (chunk) => chunk.includes('"registered"') && resolve()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { registered, kill: async () => (child.kill('SIGKILL'), await exited) };
}

async function storeUrl() {
  if (STORE === 'sqlite') {
    const dir = tempDir('hs-bench-quorum-');
    return { url: `sqlite:${path.join(dir, 'homeostat.db')}`, drop: () => removeDir(dir) };
  }
  const schema = `bench_quorum_${randomBytes(4).toString('hex')}`;
  const url = new URL(BASE_URL);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    drop: async () => {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: BASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

const where = await storeUrl();
const store = await openStore(where.url);
const agents = createAgentTasks(store);
const quorum = createAgentQuorum(store);
const single = defineWorkflow('bench-single', async (ctx, input) => agents.task(ctx, 'work', { capability: 'bench', input }));
const threeWay = defineWorkflow('bench-quorum', async (ctx, input) => (await quorum.agents(ctx, 'work', { capability: 'bench', input, n: 3, k: 2, comparator: 'json' })).answer);
const engine = await Engine.open({ store, workflows: [single, threeWay], worker: { concurrency: 1_000 } });
const dispatcher = new AgentDispatcher(store, (runId, name, payload) => engine.signal(runId, name, payload));
dispatcher.startSweeping(200);
const tokens = new ApiTokens(store);
const live = new LiveEventHub(store, 1_000);
const app = await buildApi({ store, knowledge: new Knowledge(store), engine, tokens, series: new TimeSeriesStore(), live, now: Date.now, agents: dispatcher });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const children = [];
for (let i = 0; i < 3; i++) children.push(spawnAgent(url, (await tokens.create(`a${i}`, 'agent', 'bench')).token, `a${i}`));
await Promise.all(children.map((c) => c.registered));

const info = machine();
let n = 0;
const once = async (workflow) => {
  const started = performance.now();
  await (await engine.start(workflow, { n: n++ })).result({ timeout: '60s' });
  return performance.now() - started;
};
// Warm-up through both paths.
for (let i = 0; i < 10; i++) await Promise.all([once('bench-single'), once('bench-quorum')]);

const latency = { 'bench-single': [], 'bench-quorum': [] };
for (let i = 0; i < REPS; i++) for (const kind of i % 2 === 0 ? ['bench-single', 'bench-quorum'] : ['bench-quorum', 'bench-single']) latency[kind].push(await once(kind));

const throughput = { 'bench-single': [], 'bench-quorum': [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of round % 2 === 0 ? ['bench-single', 'bench-quorum'] : ['bench-quorum', 'bench-single']) {
    const started = performance.now();
    const handles = await Promise.all(Array.from({ length: RUNS }, () => engine.start(kind, { n: n++ })));
    await Promise.all(handles.map((h) => h.result({ timeout: '300s' })));
    throughput[kind].push(RUNS / ((performance.now() - started) / 1_000));
  }
}
const loadAfter = machine().loadavg;

await Promise.all(children.map((c) => c.kill()));
dispatcher.stop();
live.close();
await app.close();
await engine.close(1_000);
await store.close();
await where.drop();

const row = (kind) => {
  const l = latency[kind];
  const t = throughput[kind];
  return `${fmt(median(l), 1)} ms (${fmt(quantile(l, 0.9), 1)} ms) | ${fmt(median(t))} runs/s (${fmt(Math.min(...t))}–${fmt(Math.max(...t))})`;
};
console.log(`store ${STORE}; Node ${info.node}; ${info.cores} × ${info.cpu}; ${info.platform}; load ${info.loadavg} → ${loadAfter}; reps ${REPS}, runs ${RUNS}, rounds ${ROUNDS}`);
console.log(`| single task | ${row('bench-single')} |`);
console.log(`| 3-way quorum (k=2) | ${row('bench-quorum')} |`);
console.log(`latency ratio ${fmt(median(latency['bench-quorum']) / median(latency['bench-single']), 2)}×; throughput ratio ${fmt(median(throughput['bench-single']) / median(throughput['bench-quorum']), 2)}×`);
