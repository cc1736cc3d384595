// The fault-injection root-cause benchmark (issue 6) on examples/shop: one long-lived
// `homeostat up` supervises the six shop services; a load generator drives steady traffic at
// the gateway; this script scrapes every service's /metrics each tick. For each fault kind ×
// service × repetition it records a normal period, injects the fault, records the anomalous
// period, heals and waits for recovery, writes the two tables and runs the offline path
// `homeostat analyze rca --normal … --anomalous … --graph examples/shop/graph.json --json`,
// recording the rank of the true cause. Prints AC@1, AC@3 and Avg@5 per fault kind and overall
// and writes the raw results to bench/rca/results/.
//
// Offline pass: the remediation policies are removed from the config `up` runs, so a fault
// stays visible for the whole anomalous period (the supervisor still restarts what exits, and
// the symptoms and incidents still come and go). `--live` keeps the policies (the loop
// detects, correlates, diagnoses and repairs) and reads the loop's own diagnosis of each fault
// through the CLI (see live-diagnosis.mjs). Its offline figures come from the same injections
// but a remediation may end a fault a few seconds in: the offline figures of record are those
// of a run without --live. (A dry run would not do for live: its incidents stay escalated and
// every later symptom of the group joins them.)
//
// Run after a build, from the repository root:
//   nice -n 10 node bench/rca/run.mjs --dist dist --reps 5
// Options: --dist DIR (compiled tree, default dist) --reps N --normal S --anomalous S --every MS
//   --rps N --faults cpu,leak,... --services gateway,... --base-port P --out FILE --keep --live
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { markdownTable, summarise } from './accuracy.mjs';
import { Scraper, tableRows, toCsv } from './scrape-table.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined && !args[i + 1].startsWith('--') ? args[i + 1] : fallback;
};
const flag = (name) => args.includes(`--${name}`);

const FAULTS = ['cpu', 'leak', 'latency', 'errors', 'crash', 'config'];
const dist = resolve(root, option('dist', 'dist'));
const reps = Number(option('reps', '5'));
const normalSeconds = Number(option('normal', '8'));
const anomalousSeconds = Number(option('anomalous', '8'));
const everyMs = Number(option('every', '1000'));
const rps = Number(option('rps', '20'));
const basePort = Number(option('base-port', '4510'));
const live = flag('live');
const keep = flag('keep');
const faults = option('faults', FAULTS.join(',')).split(',');
const graphPath = join(root, 'examples/shop/graph.json');
const graph = JSON.parse(readFileSync(graphPath, 'utf8'));
const allServices = Object.keys(graph);
const services = option('services', allServices.join(',')).split(',');
const outPath = resolve(root, option('out', `bench/rca/results/${live ? 'live' : 'offline'}-${new Date().toISOString().slice(0, 10)}.json`));
for (const f of faults) if (!FAULTS.includes(f)) throw new Error(`unknown fault "${f}"; known: ${FAULTS.join(', ')}`);
for (const s of services) if (!allServices.includes(s)) throw new Error(`unknown service "${s}"; known: ${allServices.join(', ')}`);

const bin = join(dist, 'src/cli/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'homeostat-rca-'));
const configPath = join(dir, 'homeostat.yaml');
const markers = join(dir, 'markers');
mkdirSync(markers, { recursive: true });
const started = Date.now();
const say = (line) => console.log(`${((Date.now() - started) / 1_000).toFixed(0).padStart(5)}s  ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The config `up` runs: the example's, with absolute paths, the chosen ports, a temp state
// folder and (offline) no remediation policies.
const shift = basePort - 4510;
const config = parse(readFileSync(join(root, 'examples/shop/homeostat.yaml'), 'utf8'));
config.stateDir = join(dir, 'state');
const urls = {};
for (const [name, service] of Object.entries(config.services)) {
  service.command = process.execPath;
  service.cwd = join(dist, 'examples/shop');
  service.port += shift;
  service.env.SHOP_STATE_DIR = markers;
  service.env.SHOP_DEPENDENCIES = service.env.SHOP_DEPENDENCIES.replace(/:(\d+)/g, (_, port) => `:${Number(port) + shift}`);
  urls[name] = `http://127.0.0.1:${service.port}`;
}
if (!live) config.policies = {};
// Faults come every ~20 s here, far denser than in production: the loop's normal period (5 min
// by default) would hold the last cases' faults, and its config window (10 min) the last cases'
// config edits, and its 30 s correlation window would join a case's symptoms to the last
// case's incident. Live, all three shrink to this benchmark's cadence (≥ 11 s between a heal
// and the next injection); the defaults are kept otherwise.
if (live) config.correlation = { ...(config.correlation ?? {}), window: '5s', normalPeriod: '10s', configWindow: '6s' };
// And its action budgets: a case or two of remediation every 20 s would use up the default
// global budget (50 an hour) within the first rep, after which incidents stay escalated.
if (live) config.guardrails = { ...(config.guardrails ?? {}), budgets: { perElement: { max: 1_000, window: '10m' }, global: { max: 10_000, window: '1h' } } };
const goodText = stringify(config);
const badText = (service) => {
  const bad = parse(stringify(config));
  bad.services[service].env.MAX_INFLIGHT = '0';
  return stringify(bad);
};
writeFileSync(configPath, goodText);

const children = [];
const up = spawn(process.execPath, [bin, 'up', '-c', configPath, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
children.push(up);
const upLines = [];
for (const stream of [up.stdout, up.stderr]) stream.on('data', (chunk) => upLines.push(...chunk.toString().split('\n').filter(Boolean)));
let upExited = false;
up.once('exit', (code) => {
  upExited = true;
  say(`homeostat up exited (${code})`);
});
const cleanup = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
process.once('SIGINT', () => {
  cleanup();
  process.exit(130);
});

async function healthy(service) {
  try {
    return (await fetch(`${urls[service]}/healthz`, { signal: AbortSignal.timeout(500) })).ok;
  } catch {
    return false;
  }
}

async function waitFor(check, ms, what) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    if (upExited) throw new Error(`homeostat up exited while waiting for ${what}:\n${upLines.slice(-20).join('\n')}`);
    await sleep(200);
  }
  return false;
}

const scraper = new Scraper(urls, everyMs);
/** Healthy again: every service answered the last 3 scrapes, without errors. */
async function recovered() {
  const ticks = scraper.ticks.slice(-4);
  if (ticks.length < 4) return false;
  const { rows, header } = tableRows(allServices, ticks[0], ticks.slice(1));
  return rows.every((row) =>
    header.every((name, i) => {
      const value = row[i];
      if (name.endsWith('_up')) return value === 1;
      if (name.endsWith('_errors')) return value === 0;
      return true;
    }),
  );
}

async function post(service, path) {
  const response = await fetch(`${urls[service]}${path}`, { method: 'POST', signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
}

async function inject(fault, service) {
  switch (fault) {
    case 'cpu':
      return post(service, `/fault/cpu?busy=60&every=100&for=${anomalousSeconds + 5}`);
    case 'leak':
      return post(service, '/fault/leak?mb=4&every=250&max=160');
    case 'latency':
      return post(service, '/fault/latency?ms=150');
    case 'errors':
      return post(service, '/fault/errors?rate=1');
    case 'crash':
      return post(service, `/fault/crash?for=${anomalousSeconds + 2}`).catch(() => undefined);
    case 'config':
      writeFileSync(configPath, badText(service));
      return undefined;
  }
}

async function heal(fault, service) {
  if (fault === 'config') writeFileSync(configPath, goodText);
  else if (fault === 'crash') rmSync(join(markers, `${service}.crash-until`), { force: true });
  else await post(service, '/fault/heal').catch(() => undefined);
}

function runRca(normalCsv, anomalousCsv) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, 'analyze', 'rca', '--normal', normalCsv, '--anomalous', anomalousCsv, '--graph', graphPath, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.once('exit', (code) => (code === 0 ? resolvePromise(JSON.parse(out)) : reject(new Error(`analyze rca exited ${code}: ${err}`))));
  });
}

let liveDiagnosis;
if (live) liveDiagnosis = await import('./live-diagnosis.mjs');

const cases = [];
let load;
try {
  const allUp = await waitFor(async () => (await Promise.all(allServices.map(healthy))).every(Boolean), 30_000, 'the services');
  if (!allUp) throw new Error(`the shop did not come up:\n${upLines.slice(-20).join('\n')}`);
  load = spawn(process.execPath, [join(dist, 'examples/shop/load.js'), '--url', urls.gateway, '--rps', String(rps), '--report', '0'], { stdio: 'ignore' });
  children.push(load);
  scraper.start();
  say(`shop up (${allServices.join(', ')}), load ${rps} rps at the gateway; ${faults.length} faults × ${services.length} services × ${reps} reps, normal ${normalSeconds} s, anomalous ${anomalousSeconds} s`);
  await sleep(5_000); // warm-up: JIT, connection pools

  const plan = [];
  for (let rep = 1; rep <= reps; rep++) for (const fault of faults) for (const service of services) plan.push({ fault, service, rep });
  const pending = [];
  for (const [index, { fault, service, rep }] of plan.entries()) {
    if (!(await waitFor(recovered, 60_000, 'recovery'))) say(`warning: not fully recovered before ${fault}/${service}#${rep}; going on`);
    const normalFrom = Date.now() / 1_000;
    await sleep(normalSeconds * 1_000);
    const injectedAt = Date.now() / 1_000;
    await inject(fault, service);
    await sleep(anomalousSeconds * 1_000);
    const anomalousTo = Date.now() / 1_000;
    // Asked after the heal, while the next case records: the incident stays in the store.
    const diagnosis = live ? liveDiagnosis.incidentDiagnosis(bin, configPath, injectedAt, 10_000) : Promise.resolve(undefined);
    await heal(fault, service);

    const normal = scraper.span(normalFrom, injectedAt);
    const anomalous = scraper.span(injectedAt, anomalousTo);
    const caseDir = join(dir, 'cases', `${fault}-${service}-${rep}`);
    mkdirSync(caseDir, { recursive: true });
    writeFileSync(join(caseDir, 'normal.csv'), toCsv(tableRows(allServices, normal.previous, normal.ticks)));
    writeFileSync(join(caseDir, 'anomalous.csv'), toCsv(tableRows(allServices, anomalous.previous, anomalous.ticks)));
    const record = { fault, service, rep, injectedAt: Number(injectedAt.toFixed(3)) };
    cases.push(record);
    pending.push(
      Promise.all([runRca(join(caseDir, 'normal.csv'), join(caseDir, 'anomalous.csv')), diagnosis]).then(([ranking, diagnosis]) => {
        const position = ranking.findIndex((c) => c.element === service);
        record.rank = position < 0 ? null : position + 1;
        record.top = ranking.slice(0, 3).map((c) => ({ element: c.element, score: Number(c.score.toFixed(4)) }));
        if (live) {
          // Ranked by service: a config-version candidate and its service count as one place.
          const elements = [...new Set((diagnosis?.candidates ?? []).map((c) => c.element))];
          const position = elements.indexOf(service);
          record.live = { incident: diagnosis?.incident ?? null, cause: diagnosis?.cause ?? null, rank: position < 0 ? null : position + 1, top: elements.slice(0, 3) };
        }
        writeResults();
        say(`${String(index + 1).padStart(3)}/${plan.length} ${fault.padEnd(7)} ${service.padEnd(9)} #${rep}: rank ${record.rank ?? '-'} (top ${record.top.map((t) => t.element).join(' > ')})${live ? `; live rank ${record.live.rank ?? '-'} (${record.live.top.join(' > ') || 'no incident'})` : ''}`);
      }),
    );
  }
  await Promise.all(pending);
} finally {
  scraper.stop();
  cleanup();
  await new Promise((r) => (upExited ? r() : up.once('exit', r)));
  if (!keep) rmSync(dir, { recursive: true, force: true });
  else say(`tables kept in ${dir}/cases`);
}

writeResults();
const summary = summarise(cases, faults);
console.log(`\noffline (homeostat analyze rca):\n${markdownTable(summary)}`);
if (live) console.log(`\nlive (the loop's incident diagnosis):\n${markdownTable(liveSummary())}`);
console.log(`\nraw results: ${outPath}`);

function liveSummary() {
  return summarise(cases.filter((c) => c.rank !== undefined).map((c) => ({ ...c, rank: c.live?.rank ?? null })), faults);
}

/** Written after every case too, so an interrupted run keeps what it measured. */
function writeResults() {
  const done = cases.filter((c) => c.rank !== undefined);
  const summary = summarise(done, faults);
  const result = {
    benchmark: 'rca fault injection on examples/shop (offline: homeostat analyze rca)',
    date: new Date().toISOString(),
    command: `node bench/rca/run.mjs ${args.join(' ')}`.trim(),
    node: process.version,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} when written`,
    settings: { reps, normalSeconds, anomalousSeconds, everyMs, rps, faults, services, policies: live ? 'enabled (live)' : 'removed (offline pass)' },
    summary,
    ...(live ? { live: liveSummary() } : {}),
    cases: done,
  };
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, `${JSON.stringify(result, null, 1)}\n`);
}
