// Traffic bench: what clients see while a 2-replica HTTP service is faulted, homeostat's
// front door (`expose:`) side by side with PM2 cluster mode (`pm2 start app.mjs -i 2`), on
// the same app (app.mjs) and the same load, in one run:
//   baseline (no fault) · SIGKILL of one replica · a planned restart of the service
//   (homeostat: the restart action, rolling behind the front door; PM2: `pm2 reload`,
//   its graceful rolling reload) · a hang of one replica (SIGSTOP: alive, listening, never
//   answering; homeostat finds it by its liveness probe) · a failover to a standby pair
//   (homeostat only: PM2 has none)
// Each scenario (after a warm-up of SECONDS/2, not counted): CONCURRENCY keep-alive loops
// for SECONDS, the fault at a third of it;
// every answer other than 200, every connection error and every request unanswered after
// CLIENT_TIMEOUT (a real client gives up too) is a failed request. Then the
// latency the front door adds: p50 of sequential GETs through it minus p50 straight to a
// replica, alternating blocks. Medians over REPEATS runs, each on fresh processes.
//
// Usage (repository root, after `npm run build`): cd bench && npm ci && npm run bench:traffic
// Env: HOMEOSTAT_DIST (default ../dist), REPEATS (3), SECONDS (6), CONCURRENCY (8), DELAY (ms per request, 5),
// CLIENT_TIMEOUT (ms, 5000).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.env.HOMEOSTAT_DIST ?? join(here, '../../dist'));
const pm2Bin = join(here, '../node_modules/pm2/bin/pm2');
const app = join(here, 'app.mjs');
const REPEATS = Number(process.env.REPEATS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 6);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const DELAY = Number(process.env.DELAY ?? 5);
const CLIENT_TIMEOUT = Number(process.env.CLIENT_TIMEOUT ?? 5_000);
const OVERHEAD_BLOCKS = 10;
const OVERHEAD_BLOCK = 300;
const tmp = mkdtempSync(join(tmpdir(), 'homeostat-bench-traffic-'));
const pm2Home = join(tmp, 'pm2');
const log = (...args) => console.error(...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET over `agent`: its latency in ms, or the reason it failed (`timeout` after CLIENT_TIMEOUT). */
function get(url, agent) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(url, { agent, timeout: CLIENT_TIMEOUT }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? { ms: performance.now() - started } : { failed: `HTTP ${res.statusCode}` }));
      res.on('error', (error) => resolve({ failed: error.message }));
    });
    req.on('error', (error) => resolve({ failed: error.code ?? error.message }));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.end();
  });
}

/** Steady load for `seconds`; `fault` runs at a third of it. */
async function steady(url, fault, seconds = SECONDS) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = [];
  const failures = new Map();
  const until = performance.now() + seconds * 1000;
  const loops = Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < until) {
      const result = await get(url, agent);
      if (result.failed) failures.set(result.failed, (failures.get(result.failed) ?? 0) + 1);
      else latencies.push(result.ms);
    }
  });
  const faulted = fault ? sleep((seconds * 1000) / 3).then(fault) : Promise.resolve();
  await Promise.all([...loops, faulted]);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const failed = [...failures.values()].reduce((a, b) => a + b, 0);
  return { ok: latencies.length, failed, reasons: Object.fromEntries(failures), p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

/** p50 of sequential GETs through `front` minus straight to `direct`, in alternating blocks. */
async function addedLatency(front, direct) {
  const p50s = { front: [], direct: [] };
  for (let block = 0; block < OVERHEAD_BLOCKS; block++) {
    for (const [name, url] of block % 2 ? [['direct', direct], ['front', front]] : [['front', front], ['direct', direct]]) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const times = [];
      for (let i = 0; i < OVERHEAD_BLOCK; i++) {
        const result = await get(url, agent);
        if (!result.failed) times.push(result.ms);
      }
      agent.destroy();
      times.sort((a, b) => a - b);
      p50s[name].push(quantile(times, 0.5));
    }
  }
  return { front: median(p50s.front), direct: median(p50s.direct), added: median(p50s.front) - median(p50s.direct) };
}

// ---- homeostat: the supervisor and its front doors in host.mjs ----
async function homeostatRun(repeat) {
  const dir = join(tmp, `hs-${repeat}`);
  const front = await freePort();
  const service = (name, extra) => `  ${name}:
    command: ${process.execPath}
    args: [${app}, --port, "{{port}}"]
    replicas: 2
    probes:
      readiness: { http: /healthz, period: 200ms, timeout: 500ms, failureThreshold: 1 }
      liveness: { http: /healthz, period: 200ms, timeout: 500ms, failureThreshold: 2 }
${extra}`;
  execFileSync('mkdir', ['-p', dir]);
  const config = join(dir, 'homeostat.yaml');
  writeFileSync(config, `stateDir: state\nservices:\n${service('app', `    standby: app-b\n    expose: { port: ${front} }\n`)}${service('app-b', '')}`);
  const host = spawn(process.execPath, [join(here, 'host.mjs'), config, dist], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: host.stdout })[Symbol.asyncIterator]();
  const ask = async (command) => {
    if (command) host.stdin.write(`${command}\n`);
    return JSON.parse((await lines.next()).value);
  };
  await ask();
  const ready = async (service = 'app') => {
    for (let i = 0; i < 200; i++) {
      if ((await ask(`routable ${service}`)).length === 2) return;
      await sleep(50);
    }
    throw new Error(`${service} never had two ready replicas`);
  };
  await ready();
  await ready('app-b');
  const url = `http://127.0.0.1:${front}/?delay=${DELAY}`;
  const results = {};
  await steady(url, undefined, SECONDS / 2); // warm-up, not counted
  results.baseline = await steady(url);
  const pids = await ask('pids');
  results.sigkill = await steady(url, async () => process.kill(pids['app#0'], 'SIGKILL'));
  await ready();
  results.restart = await steady(url, () => ask('restart app'));
  await ready();
  const hung = (await ask('pids'))['app#0'];
  results.hang = await steady(url, async () => process.kill(hung, 'SIGSTOP'));
  continueIfAlive(hung); // its liveness probe has SIGKILLed it by now: nothing to continue
  await ready();
  const [replica] = await ask('routable app');
  results.overhead = await addedLatency(`http://127.0.0.1:${front}/`, `http://127.0.0.1:${replica.port}/`);
  results.failover = await steady(url, () => ask('failover app'));
  await ask('stop');
  rmSync(dir, { recursive: true, force: true });
  return results;
}

// ---- PM2 cluster mode ----
/** A pm2 command that does not block the load loops (they share this process's event loop). */
function pm2Async(...args) {
  return promisify(execFile)(process.execPath, [pm2Bin, ...args], { env: { ...process.env, PM2_HOME: pm2Home, PORT: String(pm2Port) } });
}
function pm2(...args) {
  return execFileSync(process.execPath, [pm2Bin, ...args], { env: { ...process.env, PM2_HOME: pm2Home, PORT: String(pm2Port) }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
let pm2Port = 0;
function pm2Pids() {
  return JSON.parse(pm2('jlist'))
    .filter((p) => p.name === 'app' && p.pm2_env.status === 'online')
    .map((p) => p.pid);
}
async function pm2Ready() {
  for (let i = 0; i < 200; i++) {
    if (pm2Pids().length === 2) {
      // Online as PM2 sees it; listening too?
      const probe = await get(`http://127.0.0.1:${pm2Port}/healthz`, undefined);
      if (!probe.failed) return;
    }
    await sleep(100);
  }
  throw new Error('pm2 never had two online workers');
}
async function pm2Run() {
  pm2Port = await freePort();
  pm2('start', app, '-i', '2', '--name', 'app');
  await pm2Ready();
  await sleep(500);
  const url = `http://127.0.0.1:${pm2Port}/?delay=${DELAY}`;
  const results = {};
  await steady(url, undefined, SECONDS / 2); // warm-up, not counted
  results.baseline = await steady(url);
  const [victim] = pm2Pids();
  results.sigkill = await steady(url, async () => process.kill(victim, 'SIGKILL'));
  await pm2Ready();
  results.restart = await steady(url, () => pm2Async('reload', 'app'));
  await pm2Ready();
  const [hung] = pm2Pids();
  results.hang = await steady(url, async () => process.kill(hung, 'SIGSTOP'));
  continueIfAlive(hung); // PM2 does not notice a hang: the worker is still there, stopped
  await pm2Ready();
  pm2('kill');
  return results;
}

/** SIGCONT a process stopped by the hang scenario, if it still exists. */
function continueIfAlive(pid) {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // gone
  }
}

const quantile = (sorted, q) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : '–');

const runs = { homeostat: [], pm2: [] };
const loadBefore = loadavg()[0].toFixed(1);
try {
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    // Alternate who goes first, so neither always runs on a warmer machine.
    for (const who of repeat % 2 ? ['pm2', 'homeostat'] : ['homeostat', 'pm2']) {
      log(`repeat ${repeat + 1}/${REPEATS}: ${who}`);
      const result = who === 'pm2' ? await pm2Run() : await homeostatRun(repeat);
      runs[who].push(result);
      log(JSON.stringify(result));
    }
  }
} finally {
  try {
    pm2('kill');
  } catch {
    // not running
  }
}
const cell = (who, scenario) => {
  const list = runs[who].map((r) => r[scenario]).filter(Boolean);
  if (list.length === 0) return 'n/a (no failover)';
  return `**${median(list.map((r) => r.failed))}** failed of ${median(list.map((r) => r.ok + r.failed))} (${list.map((r) => r.failed).join(', ')}); p50 ${ms(median(list.map((r) => r.p50)))}, p99 ${ms(median(list.map((r) => r.p99)))}`;
};
const pm2Version = JSON.parse(readFileSync(join(here, '../node_modules/pm2/package.json'), 'utf8')).version;
const overhead = runs.homeostat.map((r) => r.overhead);
console.log(
  [
    `Run ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, pm2 ${pm2Version}; load average ${loadBefore} before, ${loadavg()[0].toFixed(1)} after; ${REPEATS} repeats of ${SECONDS} s × ${CONCURRENCY} keep-alive loops, ${DELAY} ms per request; homeostat's replicas have a readiness and a liveness probe (200 ms period, 500 ms timeout; liveness fails after 2).`,
    '',
    '| scenario (fault at a third of the run) | homeostat front door, 2 replicas | PM2 cluster mode, 2 workers |',
    '|---|---|---|',
    `| no fault | ${cell('homeostat', 'baseline')} | ${cell('pm2', 'baseline')} |`,
    `| SIGKILL one replica | ${cell('homeostat', 'sigkill')} | ${cell('pm2', 'sigkill')} |`,
    `| planned restart of the service (homeostat: restart action; PM2: \`pm2 reload\`) | ${cell('homeostat', 'restart')} | ${cell('pm2', 'restart')} |`,
    `| hang one replica (SIGSTOP; clients give up after ${CLIENT_TIMEOUT / 1000} s) | ${cell('homeostat', 'hang')} | ${cell('pm2', 'hang')} |`,
    `| failover to a standby pair | ${cell('homeostat', 'failover')} | ${cell('pm2', 'failover')} |`,
    '',
    `Latency the front door adds (sequential GETs, no delay, median of ${OVERHEAD_BLOCKS} alternating blocks of ${OVERHEAD_BLOCK}): p50 ${ms(median(overhead.map((o) => o.front)))} through it vs ${ms(median(overhead.map((o) => o.direct)))} straight to a replica: **+${ms(median(overhead.map((o) => o.added)))}** (per repeat: ${overhead.map((o) => o.added.toFixed(3)).join(', ')} ms).`,
  ].join('\n'),
);
rmSync(tmp, { recursive: true, force: true });
