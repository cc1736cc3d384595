/**
 * `npm start`: the autonomic loop on the example system, with scripted faults, for about
 * 40 seconds. It runs `homeostat up` on examples/system/homeostat.yaml (its own store in a
 * temp folder), crashes an API replica, hangs the other, makes the worker leak memory,
 * prints each incident as the loop opens, handles and resolves it, then stops `up` and
 * prints a summary. Exits 0 when every incident resolved, 1 otherwise.
 *
 * Run: `npm start` (or `node dist/examples/system/loop-demo.js` after `npm run build`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/index.js';

const bin = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const config = fileURLToPath(new URL('../../../examples/system/homeostat.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'homeostat-demo-'));
const storeUrl = `sqlite:${join(dir, 'homeostat.db')}`;
const started = Date.now();
const clock = () => `${((Date.now() - started) / 1_000).toFixed(1).padStart(5)}s`;
const say = (line: string) => console.log(`${clock()}  ${line}`);

const faults: { at: number; what: string; url: string }[] = [
  { at: 6_000, what: 'crash api#0 (exit 1)', url: 'http://127.0.0.1:4100/fault/crash' },
  { at: 16_000, what: 'hang api#1 (busy loop: alive, answers nothing)', url: 'http://127.0.0.1:4101/fault/hang' },
  { at: 26_000, what: 'make worker leak memory past maxMemory', url: 'http://127.0.0.1:4200/fault/leak?mb=32&every=100' },
];
const RUN_FOR_MS = Number(process.env.DEMO_SECONDS ?? 42) * 1_000;

console.log('homeostat: the autonomic loop on examples/system (api ×2, worker, dependency + standby)');
console.log(`scripted faults at ${faults.map((f) => `${f.at / 1_000}s`).join(', ')}; stops by itself after ${RUN_FOR_MS / 1_000}s\n`);

const up = spawn(process.execPath, [bin, 'up', '-c', config, '--store', storeUrl, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
let metricsUrl = '';
const relay = (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n')) {
    if (!line.trim()) continue;
    const metrics = /loop metrics at (\S+),/.exec(line);
    if (metrics) metricsUrl = metrics[1]!;
    if (line.startsWith('loop: ')) say(line.slice(6));
    else if (/^homeostat up: supervising/.test(line)) say('homeostat up: supervising 5 services, loop running');
    else if (/^homeostat up: dashboard at /.test(line)) say(`${line.slice('homeostat up: '.length)} — open it to watch the faults live`);
    else if (/error|HS_/i.test(line)) say(line);
  }
};
up.stdout.on('data', relay);
up.stderr.on('data', relay);
const exited = new Promise<number>((resolve) => up.once('exit', (code) => resolve(code ?? 1)));

const timers = faults.map((fault) =>
  setTimeout(() => {
    say(`FAULT: ${fault.what}`);
    fetch(fault.url, { method: 'POST', signal: AbortSignal.timeout(2_000) })
      .then((r) => r.arrayBuffer())
      .catch((error: unknown) => say(`  (could not inject: ${(error as Error).message})`));
  }, fault.at),
);

const stop = new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, RUN_FOR_MS);
  process.once('SIGINT', () => {
    clearTimeout(timer);
    resolve();
  });
});
const early = await Promise.race([stop.then(() => undefined), exited]);
for (const timer of timers) clearTimeout(timer);
let metricsText = '';
if (early === undefined) {
  metricsText = metricsUrl ? await fetch(metricsUrl).then((r) => r.text()).catch(() => '') : '';
  say('time is up: stopping homeostat up (every process stops gracefully)');
  up.kill('SIGTERM');
  await exited;
} else {
  say(`homeostat up exited early with status ${early}`);
}

const store = await openStore(storeUrl);
const incidents = (await store.listIncidents({ limit: 100 })).reverse();
const audit = await store.listAudit({ afterSeq: 0, limit: 10_000 });
await store.close();
const resolved = incidents.filter((i) => i.status === 'resolved');
const metric = (name: string) => [...metricsText.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
console.log('\nsummary');
for (const incident of incidents) {
  const took = incident.resolvedAt ? `${((incident.resolvedAt - incident.openedAt) / 1_000).toFixed(1)} s` : '-';
  console.log(`  ${incident.id}  ${incident.element.padEnd(10)} ${incident.symptom.padEnd(18)} ${incident.status.padEnd(10)} ${took.padStart(6)}  ${incident.summary}`);
}
if (incidents.length === 0) console.log('  no incidents');
console.log(`  ${resolved.length}/${incidents.length} incidents resolved; ${metric('homeostat_actions_total')} actions; ${audit.length} audit entries (hash-chained)`);
const mttr = metric('homeostat_mttr_seconds_count') ? metric('homeostat_mttr_seconds_sum') / metric('homeostat_mttr_seconds_count') : undefined;
if (mttr !== undefined) console.log(`  mean time to repair ${mttr.toFixed(1)} s (first symptom → verified healthy)`);
console.log(`\nexplore (the store is kept until you delete ${dir}):`);
console.log(`  npx homeostat incidents --all --store ${storeUrl}`);
if (incidents[0]) console.log(`  npx homeostat incident show ${incidents[0].id} --store ${storeUrl}`);
console.log(`  npx homeostat audit verify --store ${storeUrl}`);
if (process.env.DEMO_CLEANUP === '1') rmSync(dir, { recursive: true, force: true });
process.exit(incidents.length > 0 && resolved.length === incidents.length ? 0 : 1);
