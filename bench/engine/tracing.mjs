// The cost of OpenTelemetry tracing on the engine benchmark's workload (10-step workflows
// with trivial steps on the embedded SQLite store, default durability; see throughput.mjs),
// interleaved in one process, the order rotating every round:
//
//   baseline  the library built from the commit before tracing existed (no tracing code);
//   off       this build, no OTEL_* variable set (tracing off: the default);
//   on        this build with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP sink
//             (a child process that counts the spans it receives and discards them), through
//             the batch span processor — every span exported, not dropped (queue sized for it);
//             protobuf-encoded, the default;
//   on, http/json      the same, JSON-encoded (OTEL_EXPORTER_OTLP_PROTOCOL=http/json);
//   on, 10 % sampled   the same with OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG 0.1.
//
// Each variant runs sequentially (1 in flight) and concurrently (50 in flight) for
// BENCH_SECONDS after a warm-up, on a fresh SQLite file; medians over BENCH_ROUNDS rounds of
// throughput, latency and this process's CPU time per workflow (the sink's not included).
//
//   npm run bench:tracing                      (from bench/, after `npm run build` at the root)
//   BENCH_ROUNDS=5 BENCH_SECONDS=3 npm run bench:tracing
//   BENCH_BASELINE_DIST=/path/to/dist          a ready build of the code before tracing
//   BENCH_BASELINE_REF=<commit>                build the baseline from this commit instead of
//                                              the parent of the first tracing commit
//   BENCH_STEPS=http                           each step makes one HTTP GET to a local server in
//                                              its own process (a step doing I/O, as real
//                                              steps do) instead of returning a number
//   BENCH_COMPARE_DIST=/path/to/dist           also run "on" and "on, 10 % sampled" with this
//   BENCH_COMPARE_LABEL=<label>                build (e.g. an earlier tracing), labelled so
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { defineTenSteps, fmt, libraryPath, loadHomeostat, machine, median, quantile, removeDir, repoRoot, tempDir } from './common.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const STEPS = 10;
const STEP_KIND = process.env.BENCH_STEPS ?? 'trivial';
if (!['trivial', 'http'].includes(STEP_KIND)) throw new Error(`BENCH_STEPS: trivial or http, not ${STEP_KIND}`);
const OTEL_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER', 'OTEL_SDK_DISABLED', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'];

if (!existsSync(libraryPath)) {
  process.stderr.write(`bench/engine: ${libraryPath} is missing — run \`npm run build\` at the repository root first\n`);
  process.exit(1);
}
for (const name of OTEL_VARIABLES) delete process.env[name];

/** A build of the library as it was before tracing: given, or compiled here from git. */
function baselineLibrary() {
  if (process.env.BENCH_BASELINE_DIST) return path.resolve(process.env.BENCH_BASELINE_DIST, 'src', 'index.js');
  const git = (...args) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  // The parent of the first tracing commit (the one that gave runs their trace-context columns).
  const ref = process.env.BENCH_BASELINE_REF ?? `${git('log', '--format=%H', '-S', '0011_run_trace_context', '--', 'src/store/sqlite/migrations.ts').split('\n').at(-1)}^`;
  const commit = git('rev-parse', ref);
  const dir = path.join(tempDir('tracing-baseline'), commit.slice(0, 12));
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`building the baseline (${commit.slice(0, 12)}, before tracing) in ${dir}\n`);
  execFileSync('sh', ['-c', `git archive ${commit} src tsconfig.json package.json | tar -x -C "${dir}"`], { cwd: repoRoot });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  // Only the library (src/ without its tests): the baseline's tests and scripts are not needed.
  writeFileSync(path.join(dir, 'tsconfig.library.json'), JSON.stringify({ extends: './tsconfig.json', include: ['src'], exclude: ['src/**/*.test.ts'], compilerOptions: { declaration: false, sourceMap: false } }));
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.library.json'], { cwd: dir, stdio: 'inherit' });
  return path.join(dir, 'dist', 'src', 'index.js');
}

/**
 * The OTLP/HTTP sink, in its own process (as a collector would be): counts spans, answers 200.
 * JSON bodies: one "spanId" key a span. Protobuf bodies: the Span messages of
 * ExportTraceServiceRequest (field 1) → ResourceSpans.scope_spans (2) → ScopeSpans.spans (2).
 */
async function startSink() {
  const source = `
    const http = require('node:http');
    let spans = 0, requests = 0;
    function varint(b, at) { let v = 0, m = 1, x; do { x = b[at.i++]; v += (x & 127) * m; m *= 128; } while (x & 128); return v; }
    function lengthDelimited(b, wanted, each) {
      const at = { i: 0 };
      while (at.i < b.length) {
        const key = varint(b, at), type = key & 7;
        if (type === 0) varint(b, at); else if (type === 1) at.i += 8; else if (type === 5) at.i += 4;
        else if (type === 2) { const n = varint(b, at); if ((key >>> 3) === wanted) each(b.subarray(at.i, at.i + n)); at.i += n; }
        else throw new Error('wire type ' + type);
      }
    }
    const protobufSpans = (body) => { let n = 0; lengthDelimited(body, 1, (r) => lengthDelimited(r, 2, (s) => lengthDelimited(s, 2, () => n++))); return n; };
    const server = http.createServer((req, res) => {
      if (req.method === 'GET') return res.end(JSON.stringify({ spans, requests }));
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        requests++;
        const body = Buffer.concat(chunks);
        if (String(req.headers['content-type']).startsWith('application/x-protobuf')) { spans += protobufSpans(body); res.setHeader('content-type', 'application/x-protobuf'); return res.end(); }
        spans += body.toString('utf8').split('"spanId":').length - 1; res.setHeader('content-type', 'application/json'); res.end('{}');
      });
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    child.once('exit', (code) => reject(new Error(`the sink exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    count: async () => (await (await fetch(url)).json()).spans,
    stop: () => child.kill(),
  };
}

/** A loopback HTTP server in its own process, for steps that do I/O: answers every GET with a small JSON body. */
async function startEchoServer() {
  const source = `
    const http = require('node:http');
    const server = http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"ok":true}'); });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    child.once('exit', (code) => reject(new Error(`the echo server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

/** Ten steps that each GET the echo server: the same shape as defineTenSteps, with I/O in every step. */
function defineTenHttpSteps(homeostat, url) {
  return homeostat.defineWorkflow('ten-http-steps', async (ctx, input) => {
    let acc = input?.n ?? 0;
    for (let i = 0; i < STEPS; i++) {
      acc = await ctx.step(`s${i}`, async () => {
        const answer = await fetch(url);
        if (!(await answer.json()).ok) throw new Error('the echo server did not answer ok');
        return acc + 1;
      });
    }
    return acc;
  });
}

async function drive(engine, workflow, inFlight, seconds, latencies) {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const until = started + seconds * 1000;
  let completed = 0;
  async function lane() {
    while (performance.now() < until) {
      const t0 = performance.now();
      const value = await (await engine.start(workflow, { n: 0 })).result();
      if (value !== STEPS) throw new Error(`workflow returned ${value}, expected ${STEPS}`);
      latencies?.push(performance.now() - t0);
      completed++;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  // CPU time of this process (engine, store, span export; not the sink's) over the window:
  // steadier than throughput on a shared machine, where waiting for a core inflates wall time.
  const cpu = process.cpuUsage(cpuBefore);
  return { completed, elapsedMs: performance.now() - started, cpuUsPerWorkflow: (cpu.user + cpu.system) / completed };
}

const sink = await startSink();
const current = await loadHomeostat();
const baseline = await import(pathToFileURL(baselineLibrary()).href);
// Sized so that no span is dropped at these rates: the figures include exporting all of them.
const EXPORT_ALL = { OTEL_BSP_MAX_QUEUE_SIZE: '200000', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096', OTEL_BSP_SCHEDULE_DELAY: '200' };
const VARIANTS = [
  { name: 'baseline', homeostat: baseline, env: {} },
  { name: 'off', homeostat: current, env: {} },
  // OTLP/HTTP, protobuf-encoded: the spec's default, what no OTEL_EXPORTER_OTLP_PROTOCOL gives.
  { name: 'on', homeostat: current, env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, ...EXPORT_ALL } },
  // The same, JSON-encoded (what the code before the protocol variable was honoured sent).
  { name: 'on, http/json', homeostat: current, env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', ...EXPORT_ALL } },
  // The same, with the standard sampler keeping one trace in ten (whole runs: parent-based).
  { name: 'on, 10 % sampled', homeostat: current, env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1', ...EXPORT_ALL } },
];
// Another build of the tracing code, side by side with this one (e.g. before a change to it).
if (process.env.BENCH_COMPARE_DIST) {
  const compared = await import(pathToFileURL(path.resolve(process.env.BENCH_COMPARE_DIST, 'src', 'index.js')).href);
  const label = process.env.BENCH_COMPARE_LABEL ?? 'compared build';
  for (const v of VARIANTS.filter((x) => x.name === 'on' || x.name === 'on, 10 % sampled')) VARIANTS.push({ ...v, name: `${v.name} (${label})`, homeostat: compared });
}
const MODES = [
  { mode: 'sequential', inFlight: 1 },
  { mode: 'concurrent', inFlight: CONCURRENCY },
];
const echo = STEP_KIND === 'http' ? await startEchoServer() : undefined;
const workflows = new Map(VARIANTS.map((v) => [v.name, echo ? defineTenHttpSteps(v.homeostat, echo.url) : defineTenSteps(v.homeostat)]));

async function runOnce(variant, { inFlight }) {
  const dir = tempDir('tracing');
  Object.assign(process.env, variant.env);
  const workflow = workflows.get(variant.name);
  const before = await sink.count();
  const engine = await variant.homeostat.Engine.open({ store: `sqlite:${path.join(dir, 'engine.db')}`, workflows: [workflow], worker: { concurrency: Math.max(100, inFlight) } });
  let result;
  try {
    const warmup = await drive(engine, workflow, inFlight, WARMUP_SECONDS);
    const latencies = [];
    const { completed, elapsedMs, cpuUsPerWorkflow } = await drive(engine, workflow, inFlight, SECONDS, latencies);
    result = { completed, all: warmup.completed + completed, workflowsPerSec: completed / (elapsedMs / 1000), cpuUsPerWorkflow, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
  } finally {
    await engine.close(); // the last engine flushes and shuts tracing down
    for (const name of Object.keys(variant.env)) delete process.env[name];
    removeDir(dir);
  }
  result.spans = (await sink.count()) - before;
  return result;
}

const startedAt = new Date();
const before = machine();
const cells = [];
for (const variant of VARIANTS) for (const mode of MODES) cells.push({ variant, mode, rounds: [] });
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < cells.length; k++) {
    const cell = cells[(k + round) % cells.length];
    const result = await runOnce(cell.variant, cell.mode);
    cell.rounds.push(result);
    process.stderr.write(`round ${round + 1}/${ROUNDS} ${cell.variant.name.padEnd(16)} ${cell.mode.mode.padEnd(10)} ${fmt(result.workflowsPerSec)} wf/s, ${fmt(result.cpuUsPerWorkflow)} µs CPU/wf, p50 ${fmt(result.p50Ms, 2)} ms, p99 ${fmt(result.p99Ms, 2)} ms${result.spans ? `, ${fmt(result.spans)} spans received` : ''}\n`);
  }
}
sink.stop();
echo?.stop();
const after = machine();

const summary = cells.map(({ variant, mode, rounds }) => ({
  variant: variant.name,
  mode: mode.mode,
  inFlight: mode.inFlight,
  workflowsPerSec: median(rounds.map((r) => r.workflowsPerSec)),
  cpuUsPerWorkflow: median(rounds.map((r) => r.cpuUsPerWorkflow)),
  p50Ms: median(rounds.map((r) => r.p50Ms)),
  p99Ms: median(rounds.map((r) => r.p99Ms)),
  spansPerWorkflow: median(rounds.map((r) => r.spans / r.all)),
  allRounds: rounds.map((r) => Math.round(r.workflowsPerSec)),
}));

const lines = [
  `Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${STEP_KIND === 'http' ? 'steps each making one loopback HTTP GET (BENCH_STEPS=http)' : 'trivial steps'}, on ${before.cores} cores (${before.cpu}), Node ${before.node.replace(/^v/, '')}; load average before: ${before.loadavg}; after: ${after.loadavg}. ${ROUNDS} rounds of ${SECONDS} s (after ${WARMUP_SECONDS} s warm-up) per cell, interleaved.`,
  '',
  '| Mode | Variant | Workflows/s (median) | vs baseline | CPU per workflow (median) | vs baseline | p50 latency | p99 latency | Spans exported per workflow | Rounds (wf/s each) |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
];
for (const row of summary) {
  const base = summary.find((r) => r.variant === 'baseline' && r.mode === row.mode);
  const ratio = row.workflowsPerSec / base.workflowsPerSec;
  const versus = (r) => (row.variant === 'baseline' ? '1.00' : `${r.toFixed(2)} (${r >= 1 ? '+' : '−'}${Math.abs((r - 1) * 100).toFixed(1)} %)`);
  const vs = versus(ratio);
  const cpuVs = versus(row.cpuUsPerWorkflow / base.cpuUsPerWorkflow);
  const mode = row.mode === 'sequential' ? 'sequential (1 in flight)' : `concurrent (${row.inFlight} in flight)`;
  lines.push(`| ${mode} | ${row.variant} | ${fmt(row.workflowsPerSec)} | ${vs} | ${fmt(row.cpuUsPerWorkflow)} µs | ${cpuVs} | ${fmt(row.p50Ms, 2)} ms | ${fmt(row.p99Ms, 2)} ms | ${row.variant.startsWith('on') ? fmt(row.spansPerWorkflow, 1) : '—'} | ${row.allRounds.join(', ')} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ machine: before, summary })}\n`);
