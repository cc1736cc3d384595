// Calls/s through resilience policies — homeostat, cockatiel@3 and opossum@9 side
// by side, in one process, on the same trivial async function.
//
// Each round runs every (scenario, library) cell for BENCH_ROUND_MS of sequential
// `await policy(fn)` calls; the order of libraries rotates every round so no
// library always runs first (JIT warm-up) or last (GC debt). Medians over the
// rounds are reported, with ratios measured in the same run.
//
//   npm run bench:resilience                      (from bench/, after `npm run build` at the root)
//   BENCH_ROUNDS=9 BENCH_ROUND_MS=800 node resilience/run.mjs
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import * as cockatiel from 'cockatiel';
import OpossumBreaker from 'opossum';

const homeostat = await import('../../dist/src/index.js').catch(() => import('../../dist/src/resilience/index.js'));

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 700);
const CHUNK = 2_000;

const work = async () => 42;

function opossum(options = {}) {
  const breaker = new OpossumBreaker(work, options);
  return () => breaker.fire();
}
// cockatiel's maxAttempts counts retries, homeostat's counts attempts: both below allow 3 calls in total.

/** Each scenario: library → a zero-argument function returning a promise of one call through the policy. */
const scenarios = {
  'bare function': {
    'bare': () => work,
  },
  'retry + circuit breaker': {
    homeostat: () => {
      const policy = homeostat.pipeline(
        homeostat.retry({ maxAttempts: 3 }),
        homeostat.circuitBreaker({ strategy: { kind: 'consecutive', threshold: 5 }, halfOpenAfter: 10_000 }),
      );
      return () => policy.execute(work);
    },
    cockatiel: () => {
      const policy = cockatiel.wrap(
        cockatiel.retry(cockatiel.handleAll, { maxAttempts: 2, backoff: new cockatiel.ExponentialBackoff() }),
        cockatiel.circuitBreaker(cockatiel.handleAll, {
          halfOpenAfter: 10_000,
          breaker: new cockatiel.ConsecutiveBreaker(5),
        }),
      );
      return () => policy.execute(work);
    },
    'opossum (defaults)': () => opossum(),
  },
  'bulkhead (10 slots, queue 100)': {
    homeostat: () => {
      const policy = homeostat.bulkhead({ maxConcurrent: 10, maxQueue: 100 });
      return () => policy.execute(work);
    },
    cockatiel: () => {
      const policy = cockatiel.bulkhead(10, 100);
      return () => policy.execute(work);
    },
    'opossum (defaults + capacity 10)': () => opossum({ capacity: 10 }),
  },
  'timeout (1 s, cooperative)': {
    homeostat: () => {
      const policy = homeostat.timeout(1_000);
      return () => policy.execute(work);
    },
    cockatiel: () => {
      const policy = cockatiel.timeout(1_000, cockatiel.TimeoutStrategy.Cooperative);
      return () => policy.execute(work);
    },
    'opossum (defaults + timeout 1 s)': () => opossum({ timeout: 1_000 }),
  },
};

async function measure(call) {
  const deadline = performance.now() + ROUND_MS;
  const started = performance.now();
  let calls = 0;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < CHUNK; i++) await call();
    calls += CHUNK;
    now = performance.now();
  }
  return (calls * 1000) / (now - started);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ');
const cells = []; // { scenario, library, call, samples }
for (const [scenario, libraries] of Object.entries(scenarios)) {
  for (const [library, make] of Object.entries(libraries)) cells.push({ scenario, library, call: make(), samples: [] });
}

// warm-up: a short pass over every cell
for (const cell of cells) for (let i = 0; i < 20_000; i++) await cell.call();

for (let round = 0; round < ROUNDS; round++) {
  for (const [scenario] of Object.entries(scenarios)) {
    const group = cells.filter((cell) => cell.scenario === scenario);
    for (let i = 0; i < group.length; i++) {
      const cell = group[(i + round) % group.length];
      cell.samples.push(await measure(cell.call));
    }
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}

const format = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`);
const lines = [];
lines.push(`Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.arch()}`);
lines.push(`${ROUNDS} rotated rounds × ${ROUND_MS} ms per cell, sequential awaited calls of \`async () => 42\`; median calls/s`);
lines.push('');
lines.push(`load average at start ${loadAtStart}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
lines.push('');
lines.push('| scenario | library | median calls/s | min–max | homeostat ÷ this (ratio of medians) | homeostat ÷ this (median of per-round ratios) |');
lines.push('|---|---|---:|---:|---:|---:|');
for (const [scenario] of Object.entries(scenarios)) {
  const group = cells.filter((cell) => cell.scenario === scenario);
  const ours = group.find((cell) => cell.library === 'homeostat');
  for (const cell of group) {
    const m = median(cell.samples);
    const ratio = ours && cell !== ours ? `${(median(ours.samples) / m).toFixed(2)}×` : '';
    // Cells of one round ran seconds apart, so their ratio is less exposed to load from other processes.
    const perRound =
      ours && cell !== ours ? `${median(cell.samples.map((s, round) => ours.samples[round] / s)).toFixed(2)}×` : '';
    lines.push(
      `| ${scenario} | ${cell.library} | ${format(m)} | ${format(Math.min(...cell.samples))}–${format(Math.max(...cell.samples))} | ${ratio} | ${perRound} |`,
    );
  }
}
console.log(lines.join('\n'));
