// Supervisor benchmark: homeostat side by side with PM2 in one run.
//   (1) process exit → replacement spawned (median over ≥ 20 SIGKILLs each, alternating)
//   (2) hang (busy loop, SIGSTOP) → detected and restarted (PM2 has no hang detection)
//   (3) memory limit crossed → restarted
//   (4) the supervisor's own RSS and CPU with 50 processes (homeostat: 250 ms HTTP
//       liveness probes on each; PM2: no probes, it has none)
// "Spawned" is the new process's own `performance.timeOrigin`, reported by fixture.mjs.
//
// Usage (repository root, after `npm run build`): cd bench && npm ci && npm run bench:supervisor
// Env: HOMEOSTAT_DIST (default ../dist), CRASHES (default 25), OVERHEAD_SECONDS (default 20).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.env.HOMEOSTAT_DIST ?? join(here, '../../dist'));
const homeostatBin = join(dist, 'src/cli/bin.js');
const pm2Bin = join(here, '../node_modules/pm2/bin/pm2');
const fixture = join(here, 'fixture.mjs');
const CRASHES = Number(process.env.CRASHES ?? 25);
const OVERHEAD_SECONDS = Number(process.env.OVERHEAD_SECONDS ?? 20);
const tmp = mkdtempSync(join(tmpdir(), 'homeostat-bench-sup-'));
const pm2Home = join(tmp, 'pm2');
const log = (...args) => console.error(...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nowMs = () => performance.timeOrigin + performance.now();

// ---- collector: fixtures report their start ----
const starts = new Map(); // name -> [{ pid, startedAt }]
const waiters = new Set();
const collector = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    res.end();
    const start = JSON.parse(body);
    if (!starts.has(start.name)) starts.set(start.name, []);
    starts.get(start.name).push(start);
    for (const waiter of waiters) waiter();
  });
});
await new Promise((resolve) => collector.listen(0, '127.0.0.1', resolve));
const REPORT_URL = `http://127.0.0.1:${collector.address().port}/`;

function latestStart(name) {
  return starts.get(name)?.at(-1);
}
function waitForStart(name, notPid, timeoutMs) {
  return new Promise((resolve) => {
    const check = () => {
      const start = latestStart(name);
      if (start && start.pid !== notPid) {
        waiters.delete(check);
        clearTimeout(timer);
        resolve(start);
      }
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      resolve(undefined);
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}

// ---- /proc sampling of a daemon ----
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
function procSample(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS, rssBytes: rssKb * 1024, at: nowMs() };
}
async function measureDaemon(pid, seconds) {
  const first = procSample(pid);
  const rss = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1_000);
    rss.push(procSample(pid).rssBytes);
  }
  const last = procSample(pid);
  return { cpuPercent: ((last.cpuSeconds - first.cpuSeconds) / ((last.at - first.at) / 1_000)) * 100, rssBytes: median(rss), rssMax: Math.max(...rss) };
}

/** `up`'s reaper (the process that stops its children if `up` is killed): a child of `up` running reaper-process.js. */
function reaperOf(pid) {
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]);
      if (ppid === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('reaper-process')) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

// ---- supervisors ----
const fixtureEnv = (name, port) => ({ FIXTURE_NAME: name, REPORT_URL, PORT: String(port) });

async function startHomeostat(dir, services, sampleEvery = '250ms') {
  const yaml = [`stateDir: ${join(dir, 'state')}`, `resources: { sampleEvery: ${sampleEvery} }`, 'services:'];
  for (const service of services) {
    yaml.push(`  ${service.name}:`, `    command: ${process.execPath}`, `    args: [${JSON.stringify(fixture)}]`, `    port: ${service.port}`);
    yaml.push(`    env: ${JSON.stringify(fixtureEnv(service.name, service.port))}`);
    // Every crash in the bench comes after ≥ 1.2 s of uptime: a stable run, so no backoff (as in PM2's default).
    yaml.push('    restartBackoff: { resetAfter: 1s }', '    crashLoop: { restarts: 1000 }');
    if (service.maxMemory) yaml.push(`    maxMemory: ${service.maxMemory}`);
    if (service.liveness) yaml.push('    probes:', '      liveness: { http: /healthz, period: 250ms, timeout: 200ms, failureThreshold: 3 }');
  }
  mkdirp(dir);
  const config = join(dir, 'homeostat.yaml');
  writeFileSync(config, `${yaml.join('\n')}\n`);
  const child = spawn(process.execPath, [homeostatBin, 'up', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return { pid: child.pid, stop: () => stopChild(child), stderr: () => stderr };
}

function mkdirp(dir) {
  execFileSync('mkdir', ['-p', dir]);
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

function pm2(...args) {
  return execFileSync(process.execPath, [pm2Bin, ...args], { env: { ...process.env, PM2_HOME: pm2Home }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function startPm2(services) {
  const apps = services.map((service) => ({
    name: service.name,
    script: fixture,
    env: fixtureEnv(service.name, service.port),
    autorestart: true,
    ...(service.maxMemory ? { max_memory_restart: service.maxMemory.replace('MB', 'M') } : {}),
  }));
  const ecosystem = join(tmp, `ecosystem-${services[0].name}.config.cjs`);
  writeFileSync(ecosystem, `module.exports = ${JSON.stringify({ apps }, null, 2)};\n`);
  pm2('start', ecosystem);
  return { pid: Number(readFileSync(join(pm2Home, 'pm2.pid'), 'utf8')) };
}

function pm2Kill() {
  try {
    pm2('kill');
  } catch {
    // not running
  }
}

// ---- helpers ----
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const fmtMs = (ms) => (ms === undefined ? 'n/a' : ms >= 1_000 ? `${(ms / 1_000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const fmtMb = (bytes) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
async function httpGet(port, path) {
  try {
    await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1_000) });
  } catch {
    // a hang answers, then stops answering
  }
}

async function waitUp(names, timeoutMs = 30_000) {
  for (const name of names) {
    if (!(await waitForStart(name, -1, timeoutMs))) throw new Error(`${name} did not start`);
  }
  await sleep(300);
}

const results = { respawn: {}, hang: {}, memory: {}, overhead: {} };
const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

try {
  // ---------- (1)–(3): both supervisors running at once ----------
  const hsServices = [
    { name: 'hs-crash', port: 17101 },
    { name: 'hs-hang', port: 17102, liveness: true },
    { name: 'hs-mem', port: 17103, maxMemory: '150MB' },
  ];
  const pmServices = [
    { name: 'pm2-crash', port: 17201 },
    { name: 'pm2-hang', port: 17202 },
    { name: 'pm2-mem', port: 17203, maxMemory: '150MB' },
  ];
  const hs = await startHomeostat(join(tmp, 'hs1'), hsServices);
  startPm2(pmServices);
  await waitUp([...hsServices, ...pmServices].map((s) => s.name));
  log('(1) respawn after SIGKILL');
  const respawn = { homeostat: [], pm2: [] };
  for (let i = 0; i < CRASHES; i++) {
    for (const [who, name] of i % 2 ? [['pm2', 'pm2-crash'], ['homeostat', 'hs-crash']] : [['homeostat', 'hs-crash'], ['pm2', 'pm2-crash']]) {
      const victim = latestStart(name);
      const killedAt = nowMs();
      process.kill(victim.pid, 'SIGKILL');
      const next = await waitForStart(name, victim.pid, 10_000);
      if (next) respawn[who].push(next.startedAt - killedAt);
    }
    await sleep(1_200);
  }
  results.respawn = { homeostat: respawn.homeostat, pm2: respawn.pm2 };
  log(`   homeostat median ${fmtMs(median(respawn.homeostat))}, pm2 median ${fmtMs(median(respawn.pm2))}`);

  log('(2) hangs');
  const hang = { homeostat: { busy: [], sigstop: [] }, pm2: { busy: [], sigstop: [] } };
  for (let trial = 0; trial < 3; trial++) {
    for (const kind of ['busy', 'sigstop']) {
      const victim = latestStart('hs-hang');
      const at = nowMs();
      if (kind === 'busy') await httpGet(17102, '/hang');
      else process.kill(victim.pid, 'SIGSTOP');
      const next = await waitForStart('hs-hang', victim.pid, 10_000);
      hang.homeostat[kind].push(next ? next.startedAt - at : undefined);
      await sleep(1_500);
    }
  }
  for (const kind of ['busy', 'sigstop']) {
    const victim = latestStart('pm2-hang');
    if (kind === 'busy') await httpGet(17202, '/hang');
    else process.kill(victim.pid, 'SIGSTOP');
    const next = await waitForStart('pm2-hang', victim.pid, 10_000);
    hang.pm2[kind].push(next ? next.startedAt : undefined);
    // unstick it for the next trial: PM2 restarts a killed process
    process.kill(victim.pid, 'SIGKILL');
    await waitForStart('pm2-hang', victim.pid, 10_000);
    await sleep(500);
  }
  results.hang = hang;
  log(`   homeostat busy ${hang.homeostat.busy.map(fmtMs).join(', ')}; sigstop ${hang.homeostat.sigstop.map(fmtMs).join(', ')}; pm2 restarted: ${hang.pm2.busy[0] !== undefined}, ${hang.pm2.sigstop[0] !== undefined}`);

  log('(3) memory limit (both leak at once)');
  const memory = { homeostat: [], pm2: [] };
  for (let trial = 0; trial < 2; trial++) {
    const hsVictim = latestStart('hs-mem');
    const pmVictim = latestStart('pm2-mem');
    const at = nowMs();
    await Promise.all([httpGet(17103, '/leak'), httpGet(17203, '/leak')]);
    const [hsNext, pmNext] = await Promise.all([waitForStart('hs-mem', hsVictim.pid, 60_000), waitForStart('pm2-mem', pmVictim.pid, 60_000)]);
    memory.homeostat.push(hsNext ? hsNext.startedAt - at : undefined);
    memory.pm2.push(pmNext ? pmNext.startedAt - at : undefined);
    log(`   trial ${trial + 1}: homeostat ${fmtMs(memory.homeostat.at(-1))}, pm2 ${fmtMs(memory.pm2.at(-1))}`);
    await sleep(1_500);
  }
  results.memory = memory;
  await hs.stop();
  pm2Kill();

  // ---------- (4): overhead with 50 processes ----------
  log(`(4) overhead with 50 processes, ${OVERHEAD_SECONDS} s each`);
  const fifty = (prefix, base, liveness) => Array.from({ length: 50 }, (_, i) => ({ name: `${prefix}-${i}`, port: base + i, liveness }));
  const hsFifty = fifty('hs-n', 17300, true);
  // RSS and CPU sampled every second (the default) here; every 250 ms in (3).
  const hs50 = await startHomeostat(join(tmp, 'hs50'), hsFifty, '1s');
  await waitUp(hsFifty.map((s) => s.name), 60_000);
  await sleep(3_000);
  const reaper = reaperOf(hs50.pid);
  const [daemon, reaperUse] = await Promise.all([measureDaemon(hs50.pid, OVERHEAD_SECONDS), reaper === undefined ? undefined : measureDaemon(reaper, OVERHEAD_SECONDS)]);
  results.overhead.homeostat = daemon;
  results.overhead.homeostatReaper = reaperUse ?? null;
  await hs50.stop();
  const pmFifty = fifty('pm-n', 17400, false);
  const pm50 = startPm2(pmFifty);
  await waitUp(pmFifty.map((s) => s.name), 60_000);
  await sleep(3_000);
  results.overhead.pm2 = await measureDaemon(pm50.pid, OVERHEAD_SECONDS);
  pm2Kill();
  log(`   homeostat ${fmtMb(results.overhead.homeostat.rssBytes)} ${results.overhead.homeostat.cpuPercent.toFixed(1)}% CPU; pm2 ${fmtMb(results.overhead.pm2.rssBytes)} ${results.overhead.pm2.cpuPercent.toFixed(1)}% CPU`);
} finally {
  pm2Kill();
  collector.close();
  rmSync(tmp, { recursive: true, force: true });
}

// ---------- report ----------
const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const pm2Version = JSON.parse(readFileSync(join(here, '../node_modules/pm2/package.json'), 'utf8')).version;
const r = results;
const range = (values) => {
  const known = values.filter((v) => v !== undefined);
  return known.length ? `${fmtMs(Math.min(...known))}–${fmtMs(Math.max(...known))}` : 'n/a';
};
const lines = [
  `Run ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, pm2 ${pm2Version}; load average ${loadBefore} before, ${loadAfter} after.`,
  '',
  '| scenario | homeostat | PM2 |',
  '|---|---:|---:|',
  `| (1) SIGKILL → replacement spawned, median of ${r.respawn.homeostat.length} / ${r.respawn.pm2.length} (min–max) | **${fmtMs(median(r.respawn.homeostat))}** (${range(r.respawn.homeostat)}) | **${fmtMs(median(r.respawn.pm2))}** (${range(r.respawn.pm2)}) |`,
  `| (2a) busy loop → restarted (liveness 250 ms × 3, timeout 200 ms) | ${r.hang.homeostat.busy.map(fmtMs).join(', ')} | ${r.hang.pm2.busy[0] === undefined ? 'not detected (10 s)' : 'restarted'} |`,
  `| (2b) SIGSTOP → restarted | ${r.hang.homeostat.sigstop.map(fmtMs).join(', ')} | ${r.hang.pm2.sigstop[0] === undefined ? 'not detected (10 s)' : 'restarted'} |`,
  `| (3) leak 200 MiB/s past 150 MB → restarted | ${r.memory.homeostat.map(fmtMs).join(', ')} | ${r.memory.pm2.map(fmtMs).join(', ')} |`,
  `| (4) supervisor RSS, 50 processes (median over ${OVERHEAD_SECONDS} s) | ${fmtMb(r.overhead.homeostat.rssBytes)} (with 50 × 250 ms HTTP probes) | ${fmtMb(r.overhead.pm2.rssBytes)} (no probes) |`,
  `| (4) supervisor CPU, 50 processes (% of one core) | ${r.overhead.homeostat.cpuPercent.toFixed(1)} % | ${r.overhead.pm2.cpuPercent.toFixed(1)} % |`,
  `| (4) homeostat's reaper beside it (stops the 50 if \`up\` is killed): RSS, CPU | ${r.overhead.homeostatReaper ? `${fmtMb(r.overhead.homeostatReaper.rssBytes)}, ${r.overhead.homeostatReaper.cpuPercent.toFixed(1)} %` : 'not found'} | (none) |`,
];
console.log(lines.join('\n'));
log(JSON.stringify({ ...results, loadBefore, loadAfter }));
