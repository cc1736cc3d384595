// The autonomic loop benchmarks, one after the other: loop throughput and RSS
// (throughput.mjs, 3 runs, median) and MTTD/MTTR per fault kind on the example system
// (mttr.mjs). Prints the load average before and after, each result as JSON and the
// tables of BENCHMARKS.md's "Autonomic loop" section.
// Usage (from the repository root): npm run build && node bench/loop/run.mjs [dist=dist] [injections=10]
// or, from bench/: npm run bench:loop
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.argv[2] ?? join(here, '../../dist'));
const injections = process.argv[3] ?? '10';
const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');
const node = (args) => execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });

console.log(`# ${new Date().toISOString()}  load average before: ${load()}`);
const throughput = [];
for (let i = 0; i < 3; i++) {
  const result = JSON.parse(node(['--expose-gc', join(here, 'throughput.mjs'), '50000', dist]).trim().split('\n').at(-1));
  console.log(JSON.stringify(result));
  throughput.push(result);
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mttr = JSON.parse(node([join(here, 'mttr.mjs'), injections, dist]));
console.log(JSON.stringify(mttr));
console.log(`# load average after: ${load()}\n`);

console.log('| measure | runs | median | range | target |');
console.log('|---|---|---|---|---|');
const rates = throughput.map((r) => r.symptomsPerSecond);
const rss = throughput.map((r) => r.rssMB);
console.log(`| symptoms/s through the loop, 1,000 elements, 50,000 symptoms | 3 | ${median(rates).toLocaleString('en-US')} | ${Math.min(...rates).toLocaleString('en-US')}–${Math.max(...rates).toLocaleString('en-US')} | ≥ 10,000 |`);
console.log(`| RSS, 1,000 elements + 10,000 series (MB) | 3 | ${median(rss)} | ${Math.min(...rss)}–${Math.max(...rss)} | ≤ 200 |`);
console.log('');
const ms = (v) => (v === null || v === undefined ? '–' : `${v}`);
console.log(`| fault (symptom) | injections | resolved | detect p50 / p90 (ms) | incident opened p50 / p90 | healthy again p50 / p90 | MTTR p50 / p90 (healthyFor ${mttr.healthyFor}) |`);
console.log('|---|---|---|---|---|---|---|');
for (const [kind, s] of Object.entries(mttr.summary)) {
  console.log(`| ${kind} (${s.symptoms}) | ${s.injections} | ${s.resolved} | ${ms(s.detectP50)} / ${ms(s.detectP90)} | ${ms(s.openedP50)} / ${ms(s.openedP90)} | ${ms(s.healthyP50)} / ${ms(s.healthyP90)} | ${ms(s.mttrP50)} / ${ms(s.mttrP90)} |`);
}
console.log('');
console.log('| service start time (spawn → first passing probe) | n | p50 (ms) | p90 (ms) |');
console.log('|---|---|---|---|');
for (const [element, s] of Object.entries(mttr.startTime)) console.log(`| ${element} | ${s.n} | ${s.p50} | ${s.p90} |`);
