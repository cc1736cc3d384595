// Throughput and latency of 10-step workflows with trivial steps, in one process, on
// the embedded SQLite store: sequential (start → await result, one after another) and
// 50 concurrent (50 kept in flight), in both durability modes.
//
// Each round runs every scenario once, on a fresh SQLite file in a temp dir, for
// BENCH_SECONDS after a warm-up; the scenario order rotates every round. Reported
// figures are medians over BENCH_ROUNDS rounds.
//
//   node engine/throughput.mjs [--json]          (from bench/, after `npm run build` at the root)
//   BENCH_ROUNDS=5 BENCH_SECONDS=5 BENCH_WARMUP_SECONDS=1 node engine/throughput.mjs
//   HOMEOSTAT_DIST=dist-bench node engine/throughput.mjs   (a development build)
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { defineTenSteps, fmt, isMain, loadHomeostat, machine, median, quantile, removeDir, tempDir } from './common.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const STEPS = 10;

const homeostat = await loadHomeostat();
const workflow = defineTenSteps(homeostat);

const SCENARIOS = [
  { durability: 'normal', mode: 'sequential', inFlight: 1 },
  { durability: 'normal', mode: 'concurrent', inFlight: CONCURRENCY },
  { durability: 'full', mode: 'sequential', inFlight: 1 },
  { durability: 'full', mode: 'concurrent', inFlight: CONCURRENCY },
];

/** Keep `inFlight` workflows outstanding for `seconds`; returns count, elapsed, latencies. */
async function drive(engine, inFlight, seconds, latencies) {
  const started = performance.now();
  const until = started + seconds * 1000;
  let completed = 0;
  async function lane() {
    while (performance.now() < until) {
      const t0 = performance.now();
      const run = await engine.start(workflow, { n: 0 });
      const value = await run.result();
      if (value !== STEPS) throw new Error(`workflow returned ${value}, expected ${STEPS}`);
      latencies?.push(performance.now() - t0);
      completed++;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { completed, elapsedMs: performance.now() - started };
}

async function runScenario({ durability, inFlight }) {
  const dir = tempDir('throughput');
  const file = path.join(dir, 'engine.db');
  const url = durability === 'full' ? `sqlite:${file}?durability=full` : `sqlite:${file}`;
  const engine = await homeostat.Engine.open({ store: url, workflows: [workflow], worker: { concurrency: Math.max(100, inFlight) } });
  try {
    await drive(engine, inFlight, WARMUP_SECONDS);
    const latencies = [];
    const { completed, elapsedMs } = await drive(engine, inFlight, SECONDS, latencies);
    const workflowsPerSec = completed / (elapsedMs / 1000);
    return {
      completed,
      workflowsPerSec,
      stepsPerSec: workflowsPerSec * STEPS,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
    };
  } finally {
    await engine.close();
    removeDir(dir);
  }
}

export async function measureThroughput({ log = () => undefined } = {}) {
  const perScenario = SCENARIOS.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < SCENARIOS.length; k++) {
      const index = (k + round) % SCENARIOS.length;
      const scenario = SCENARIOS[index];
      const result = await runScenario(scenario);
      perScenario[index].push(result);
      log(
        `round ${round + 1}/${ROUNDS} ${scenario.durability.padEnd(6)} ${scenario.mode.padEnd(10)} ` +
          `${fmt(result.workflowsPerSec)} wf/s, p50 ${fmt(result.p50Ms, 2)} ms, p99 ${fmt(result.p99Ms, 2)} ms`,
      );
    }
  }
  return SCENARIOS.map((scenario, i) => {
    const rounds = perScenario[i];
    const pick = (key) => median(rounds.map((r) => r[key]));
    return {
      ...scenario,
      rounds: rounds.length,
      workflowsPerSec: pick('workflowsPerSec'),
      stepsPerSec: pick('stepsPerSec'),
      p50Ms: pick('p50Ms'),
      p99Ms: pick('p99Ms'),
      workflowsPerRound: pick('completed'),
      allRoundsWorkflowsPerSec: rounds.map((r) => Math.round(r.workflowsPerSec)),
    };
  });
}

export function throughputTable(results) {
  const lines = [
    '| Durability | Mode | Workflows/s | Steps/s | p50 latency | p99 latency | Rounds (wf/s each) |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const mode = r.mode === 'sequential' ? 'sequential (1 in flight)' : `concurrent (${r.inFlight} in flight)`;
    const durability = r.durability === 'full' ? '`durability=full`' : 'default (`normal`)';
    lines.push(
      `| ${durability} | ${mode} | ${fmt(r.workflowsPerSec)} | ${fmt(r.stepsPerSec)} | ${fmt(r.p50Ms, 2)} ms | ${fmt(r.p99Ms, 2)} ms | ${r.allRoundsWorkflowsPerSec.join(', ')} |`,
    );
  }
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const json = process.argv.includes('--json');
  const results = await measureThroughput({ log: (line) => process.stderr.write(`${line}\n`) });
  if (json) process.stdout.write(`${JSON.stringify({ machine: machine(), results })}\n`);
  else process.stdout.write(`${throughputTable(results)}\n`);
}
