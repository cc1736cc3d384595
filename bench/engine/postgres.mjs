// homeostat on PostgreSQL, side by side with DBOS (@dbos-inc/dbos-sdk, a devDependency
// here) on the same server in the same run:
// 1. throughput of the same 10-step workflow with trivial steps, sequential (one in
//    flight) and 50 concurrent, for homeostat (durability normal and full) and DBOS;
//    each scenario of each round in a fresh child process, the order rotated per round,
//    medians over rounds;
// 2. worker takeover across processes: two worker processes, the owner of a run
//    SIGKILLed mid-run, time until the run's next step starts on the survivor;
// 3. leader failover: three candidate processes (LeaderElector defaults), the leader
//    SIGKILLed, time until a standby is elected.
//
//   npm run bench:postgres [-- --write]      (from bench/, after `npm run build` at the root)
//   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test  BENCH_ROUNDS=3 BENCH_SECONDS=5
//   BENCH_TAKEOVER_REPS=15 BENCH_FAILOVER_REPS=10  HOMEOSTAT_DIST=dist-pg
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { defineTenSteps, fmt, libraryPath, machine, median, quantile, repoRoot } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const BASE_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const TAKEOVER_REPS = Number(process.env.BENCH_TAKEOVER_REPS ?? 15);
const FAILOVER_REPS = Number(process.env.BENCH_FAILOVER_REPS ?? 10);
const SECTION = '## PostgreSQL store and DBOS';
const STEPS = 10;

const SCENARIOS = [
  { system: 'homeostat', durability: 'normal', mode: 'sequential', inFlight: 1 },
  { system: 'homeostat', durability: 'normal', mode: 'concurrent', inFlight: CONCURRENCY },
  { system: 'homeostat', durability: 'full', mode: 'sequential', inFlight: 1 },
  { system: 'homeostat', durability: 'full', mode: 'concurrent', inFlight: CONCURRENCY },
  { system: 'dbos', durability: 'full', mode: 'sequential', inFlight: 1 },
  { system: 'dbos', durability: 'full', mode: 'concurrent', inFlight: CONCURRENCY },
];

async function homeostat() {
  return import(pathToFileURL(libraryPath).href);
}

function schemaUrl(schema) {
  const url = new URL(BASE_URL);
  url.searchParams.set('schema', schema);
  return url;
}

async function dropSchema(schema) {
  const pg = (await import(pathToFileURL(path.join(repoRoot, 'node_modules', 'pg', 'lib', 'index.js')).href)).default;
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

/** Keep `inFlight` workflows outstanding for `seconds`; returns count, elapsed, latencies. */
async function drive(runOne, inFlight, seconds, latencies) {
  const started = performance.now();
  const until = started + seconds * 1000;
  let completed = 0;
  async function lane() {
    while (performance.now() < until) {
      const t0 = performance.now();
      const value = await runOne();
      if (value !== STEPS) throw new Error(`workflow returned ${value}, expected ${STEPS}`);
      latencies?.push(performance.now() - t0);
      completed++;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { completed, elapsedMs: performance.now() - started };
}

async function measure(runOne, inFlight) {
  await drive(runOne, inFlight, WARMUP_SECONDS);
  const latencies = [];
  const { completed, elapsedMs } = await drive(runOne, inFlight, SECONDS, latencies);
  return { completed, workflowsPerSec: completed / (elapsedMs / 1000), p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
}

/** Child: one homeostat scenario on a fresh schema. */
async function homeostatScenario({ durability, inFlight }) {
  const lib = await homeostat();
  const workflow = defineTenSteps(lib);
  const schema = `hs_bench_${randomBytes(4).toString('hex')}`;
  const url = schemaUrl(schema);
  if (durability === 'full') url.searchParams.set('durability', 'full');
  const engine = await lib.Engine.open({ store: url.toString(), workflows: [workflow], worker: { concurrency: Math.max(100, inFlight) } });
  try {
    return await measure(async () => (await engine.start(workflow, { n: 0 })).result(), inFlight);
  } finally {
    await engine.close();
    await dropSchema(schema);
  }
}

/** Child: one DBOS scenario (DBOS keeps its system tables in its own database on the same server). */
async function dbosScenario({ inFlight }) {
  const { DBOS } = await import('@dbos-inc/dbos-sdk');
  const url = new URL(BASE_URL);
  url.pathname = '/homeostat_bench_dbos';
  DBOS.setConfig({ name: 'homeostat-bench', systemDatabaseUrl: url.toString(), runAdminServer: false, logLevel: 'error' });
  const tenSteps = DBOS.registerWorkflow(
    async (n) => {
      let acc = n;
      for (let i = 0; i < STEPS; i++) acc = await DBOS.runStep(async () => acc + 1, { name: `s${i}` });
      return acc;
    },
    { name: 'ten-steps' },
  );
  await DBOS.launch();
  try {
    // startWorkflow + getResult, like homeostat's start + result (the workflow runs here).
    return await measure(async () => (await DBOS.startWorkflow(tenSteps)(0)).getResult(), inFlight);
  } finally {
    await DBOS.shutdown();
  }
}

function runChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [here, ...args], { cwd: path.dirname(here), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${signal ?? code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}

async function measureThroughput(log) {
  const perScenario = SCENARIOS.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < SCENARIOS.length; k++) {
      const index = (k + round) % SCENARIOS.length;
      const scenario = SCENARIOS[index];
      const result = await runChild(['--scenario', JSON.stringify(scenario)]);
      perScenario[index].push(result);
      log(`round ${round + 1}/${ROUNDS} ${scenario.system} ${scenario.durability} ${scenario.mode}: ${fmt(result.workflowsPerSec)} wf/s, p50 ${fmt(result.p50Ms, 2)} ms`);
    }
  }
  return SCENARIOS.map((scenario, i) => {
    const rounds = perScenario[i];
    const pick = (key) => median(rounds.map((r) => r[key]));
    return { ...scenario, workflowsPerSec: pick('workflowsPerSec'), p50Ms: pick('p50Ms'), p99Ms: pick('p99Ms'), allRounds: rounds.map((r) => Math.round(r.workflowsPerSec)) };
  });
}

// ---- takeover across processes -------------------------------------------------------

const PROBE_STEPS = 30;
const STEP_MS = 25;

async function takeoverWorker(url) {
  const lib = await homeostat();
  const probe = lib.defineWorkflow('pg-takeover-probe', async (ctx) => {
    let sum = 0;
    for (let seq = 1; seq <= PROBE_STEPS; seq++) {
      sum += await ctx.step(`step-${seq}`, async () => {
        process.send?.({ type: 'step', runId: ctx.runId, seq, pid: process.pid, at: Date.now() });
        await new Promise((resolve) => setTimeout(resolve, STEP_MS));
        return seq;
      });
    }
    return sum;
  });
  const engine = await lib.Engine.open({ store: url, workflows: [probe] });
  process.on('disconnect', () => void engine.close(1_000).finally(() => process.exit(0)));
  process.send?.({ type: 'ready', pid: process.pid });
}

/** Forked children and the IPC messages they send. */
class Children {
  constructor(mode, url) {
    this.mode = mode;
    this.url = url;
    this.children = new Map();
    this.listeners = new Set();
    this.killed = new Set();
  }
  async spawn() {
    const child = fork(here, [this.mode, this.url], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => {
      if (this.killed.has(m.pid)) return;
      for (const listener of this.listeners) listener(m);
    });
    child.on('exit', () => this.children.delete(child.pid));
    this.children.set(child.pid, child);
    await this.waitFor((m) => m.type === 'ready' && m.pid === child.pid, 15_000, 'a child to start');
    return child;
  }
  waitFor(predicate, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const listener = (m) => {
        if (!predicate(m)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(m);
      };
      this.listeners.add(listener);
    });
  }
  async kill(pid) {
    const child = this.children.get(pid);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.killed.add(pid);
    const at = Date.now();
    child.kill('SIGKILL');
    await exited;
    return at;
  }
  async close() {
    for (const child of this.children.values()) child.kill('SIGKILL');
  }
}

async function measureTakeover(log) {
  const lib = await homeostat();
  const schema = `hs_bench_${randomBytes(4).toString('hex')}`;
  const url = schemaUrl(schema).toString();
  const workers = new Children('--worker', url);
  const client = await lib.Engine.open({ store: url, worker: false });
  const samples = [];
  try {
    await workers.spawn();
    await workers.spawn();
    for (let rep = 1; rep <= TAKEOVER_REPS; rep++) {
      const run = await client.start('pg-takeover-probe', null);
      const third = await workers.waitFor((m) => m.type === 'step' && m.runId === run.id && m.seq === 3, 10_000, `step 3 of ${run.id}`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 100));
      const resumed = workers.waitFor((m) => m.type === 'step' && m.runId === run.id && m.pid !== third.pid, 15_000, `${run.id} to resume`);
      const killedAt = await workers.kill(third.pid);
      const sample = (await resumed).at - killedAt;
      samples.push(sample);
      const output = await client.result(run.id, { timeout: '30s' });
      if (output !== (PROBE_STEPS * (PROBE_STEPS + 1)) / 2) throw new Error(`run ${run.id} returned ${output}`);
      log(`takeover rep ${rep}/${TAKEOVER_REPS}: ${sample} ms`);
      await workers.spawn();
    }
  } finally {
    await workers.close();
    await client.close();
    await dropSchema(schema);
  }
  return { repetitions: samples.length, median: median(samples), p90: quantile(samples, 0.9), max: Math.max(...samples), min: Math.min(...samples) };
}

// ---- leader failover ------------------------------------------------------------------

async function candidate(url) {
  const { openStore } = await homeostat();
  const { LeaderElector } = await import(pathToFileURL(path.join(path.dirname(libraryPath), 'controller', 'leader-election.js')).href);
  const store = await openStore(url);
  const elector = new LeaderElector(store, { onElected: (term) => process.send?.({ type: 'elected', pid: process.pid, token: term.token, at: Date.now() }) });
  elector.start();
  process.on('disconnect', () => void elector.stop().finally(() => process.exit(0)));
  process.send?.({ type: 'ready', pid: process.pid });
}

async function measureFailover(log) {
  const schema = `hs_bench_${randomBytes(4).toString('hex')}`;
  const candidates = new Children('--candidate', schemaUrl(schema).toString());
  const samples = [];
  try {
    const first = candidates.waitFor((m) => m.type === 'elected', 15_000, 'a first leader');
    for (let i = 0; i < 3; i++) await candidates.spawn();
    let leader = await first;
    for (let rep = 1; rep <= FAILOVER_REPS; rep++) {
      // Kill at a random phase of the leader's renewal cycle.
      await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 400));
      const next = candidates.waitFor((m) => m.type === 'elected' && m.pid !== leader.pid, 15_000, 'a standby to lead');
      const killedAt = await candidates.kill(leader.pid);
      leader = await next;
      samples.push(leader.at - killedAt);
      log(`failover rep ${rep}/${FAILOVER_REPS}: ${leader.at - killedAt} ms (token ${leader.token})`);
      await candidates.spawn();
    }
  } finally {
    await candidates.close();
    await dropSchema(schema);
  }
  return { repetitions: samples.length, median: median(samples), p90: quantile(samples, 0.9), max: Math.max(...samples), min: Math.min(...samples) };
}

// ---- report ---------------------------------------------------------------------------

const NOTES = [
  'Both sides run the same workflow in the benchmarking process against the same server, each with a pool of 10 connections:',
  "homeostat `engine.start(workflow)` then `run.result()`; DBOS `DBOS.startWorkflow(workflow)(0)` then `getResult()`, its steps",
  '`DBOS.runStep`, its system tables in a database of their own (`homeostat_bench_dbos`). DBOS waits for the WAL flush on',
  "every commit; so does homeostat's `durability=full`, the like-for-like row. homeostat's default (`normal`) waits for it on",
  'every change of ownership or status (create, claim, suspend, finish, signal, cancel) and lets step checkpoints and',
  'heartbeats skip it (`synchronous_commit = off` for those statements only): a process crash or a clean database restart',
  'loses nothing; a database server crash may roll back the last fraction of a second of checkpoints, which then run',
  'again (the engine reloads histories after a restart, so no gap is written over).',
].join('\n');

function report({ throughput, takeover, failover, before, after, startedAt, serverVersion }) {
  const find = (system, durability, mode) => throughput.find((r) => r.system === system && r.durability === durability && r.mode === mode);
  const lines = [
    SECTION,
    '',
    `Measured ${startedAt.toISOString().slice(0, 10)} with \`cd bench && npm run bench:postgres -- --write\` on ${before.cpu} (${before.cores} cores), Node ${before.node}, ${serverVersion}`,
    `on the machine's shared server (127.0.0.1:5432, \`fsync\` and \`synchronous_commit\` on). Load average before: ${before.loadavg}; after: ${after.loadavg} — others run tests on this box, so absolute figures move between runs; the ratios within one run are what this section compares.`,
    '',
    `### Throughput: 10 trivial steps per workflow, ${ROUNDS} rounds of ${SECONDS} s (after ${WARMUP_SECONDS} s warm-up), each in a fresh process, order rotated; medians`,
    '',
    '| System | Durability | Mode | Workflows/s | p50 latency | p99 latency | Rounds (wf/s each) |',
    '|---|---|---|---:|---:|---:|---|',
  ];
  for (const r of throughput) {
    const name = r.system === 'dbos' ? 'DBOS 5.3.0' : 'homeostat';
    const durability = r.system === 'dbos' ? 'every commit flushed (its only mode)' : r.durability === 'full' ? '`durability=full`' : 'default (`normal`)';
    const mode = r.mode === 'sequential' ? 'sequential' : `${r.inFlight} concurrent`;
    lines.push(`| ${name} | ${durability} | ${mode} | ${fmt(r.workflowsPerSec)} | ${fmt(r.p50Ms, 1)} ms | ${fmt(r.p99Ms, 1)} ms | ${r.allRounds.join(', ')} |`);
  }
  const ratio = (durability, mode) => find('homeostat', durability, mode)?.workflowsPerSec / find('dbos', 'full', mode)?.workflowsPerSec;
  lines.push(
    '',
    `Ratio to DBOS: default durability ${fmt(ratio('normal', 'sequential'), 1)}× sequential, ${fmt(ratio('normal', 'concurrent'), 1)}× concurrent; ` +
      `\`durability=full\` ${fmt(ratio('full', 'sequential'), 1)}× sequential, ${fmt(ratio('full', 'concurrent'), 1)}× concurrent ` +
      '(per-round ratios, same rounds: ' +
      ['sequential', 'concurrent']
        .map((mode) => {
          const ours = find('homeostat', 'normal', mode)?.allRounds ?? [];
          const theirs = find('dbos', 'full', mode)?.allRounds ?? [];
          return `${mode} ${ours.map((v, i) => fmt(v / theirs[i], 1)).join(', ')}`;
        })
        .join('; ') +
      ').',
    '',
    NOTES,
    '',
    '### Takeover and failover across processes (default settings)',
    '',
    '| Measurement | Repetitions | median | p90 | max | min |',
    '|---|---:|---:|---:|---:|---:|',
    `| worker SIGKILLed mid-run → the run's next step starts on the other worker process (lease 800 ms, heartbeat 200 ms, poll 100 ms) | ${takeover.repetitions} | ${fmt(takeover.median)} ms | ${fmt(takeover.p90)} ms | ${fmt(takeover.max)} ms | ${fmt(takeover.min)} ms |`,
    `| leader SIGKILLed → a standby is elected (lease 1 s, renew every 333 ms, campaign every 200 ms; 3 candidates) | ${failover.repetitions} | ${fmt(failover.median)} ms | ${fmt(failover.p90)} ms | ${fmt(failover.max)} ms | ${fmt(failover.min)} ms |`,
  );
  return lines.join('\n');
}

const mode = process.argv[2];
if (mode === '--scenario') {
  const scenario = JSON.parse(process.argv[3]);
  const result = scenario.system === 'dbos' ? await dbosScenario(scenario) : await homeostatScenario(scenario);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else if (mode === '--worker') {
  await takeoverWorker(process.argv[3]);
} else if (mode === '--candidate') {
  await candidate(process.argv[3]);
} else {
  if (!existsSync(libraryPath)) {
    process.stderr.write(`bench/engine: ${libraryPath} is missing — run \`npm run build\` at the repository root first\n`);
    process.exit(1);
  }
  const log = (line) => process.stderr.write(`${line}\n`);
  const before = machine();
  const startedAt = new Date();
  const serverVersion = execFileSync('psql', [BASE_URL, '-Atc', 'SHOW server_version'], { encoding: 'utf8' }).trim().split(' ')[0];
  const only = new Set((process.env.BENCH_PG_ONLY ?? 'throughput,takeover,failover').split(','));
  const throughput = only.has('throughput') ? await measureThroughput(log) : [];
  const takeover = only.has('takeover') ? await measureTakeover(log) : { repetitions: 0 };
  const failover = only.has('failover') ? await measureFailover(log) : { repetitions: 0 };
  const after = machine();
  const text = report({ throughput, takeover, failover, before, after, startedAt, serverVersion: `PostgreSQL ${serverVersion}` });
  process.stdout.write(`${text}\n`);
  if (process.argv.includes('--write')) {
    const file = path.join(repoRoot, 'BENCHMARKS.md');
    const current = readFileSync(file, 'utf8');
    const start = current.indexOf(SECTION);
    let next;
    if (start >= 0) {
      const rest = current.indexOf('\n## ', start + SECTION.length);
      next = current.slice(0, start) + text + '\n' + (rest >= 0 ? current.slice(rest) : '');
    } else {
      next = `${current.trimEnd()}\n\n${text}\n`;
    }
    writeFileSync(file, next);
    log(`wrote ${SECTION} in ${file}`);
  }
}
