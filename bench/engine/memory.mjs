// Peak RSS of one worker process over 100,000 10-step workflows (50 in flight), on a
// fresh SQLite file: RSS is sampled every BENCH_MEMORY_SAMPLE_EVERY completions; at
// 10k, 50k and 100k the heap is also measured after a full GC (when node runs with
// --expose-gc, as run.mjs does), the clearest sign of anything retained per run.
// Memory must not grow with the number of completed runs.
//
//   node --expose-gc engine/memory.mjs [--json]     BENCH_MEMORY_WORKFLOWS=100000
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { defineTenSteps, fmt, isMain, loadHomeostat, machine, removeDir, tempDir } from './common.mjs';

const TOTAL = Number(process.env.BENCH_MEMORY_WORKFLOWS ?? 100_000);
const IN_FLIGHT = Number(process.env.BENCH_CONCURRENCY ?? 50);
const SAMPLE_EVERY = Number(process.env.BENCH_MEMORY_SAMPLE_EVERY ?? 1_000);
const CHECKPOINTS = [1_000, 10_000, 25_000, 50_000, 75_000, 100_000].filter((n) => n <= TOTAL);
if (!CHECKPOINTS.includes(TOTAL)) CHECKPOINTS.push(TOTAL);

const MiB = 2 ** 20;
const homeostat = await loadHomeostat();
const workflow = defineTenSteps(homeostat);

export async function measureMemory({ log = () => undefined } = {}) {
  const dir = tempDir('memory');
  const engine = await homeostat.Engine.open({ store: `sqlite:${path.join(dir, 'engine.db')}`, workflows: [workflow] });
  const samples = []; // { completed, rssMiB }
  const checkpoints = []; // { completed, rssMiB, heapUsedMiB, heapAfterGcMiB, workflowsPerSec }
  let peakRss = 0;
  let started = 0;
  let completed = 0;
  let segmentStart = performance.now();
  let segmentCompleted = 0;
  const t0 = performance.now();

  function sample() {
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    samples.push({ completed, rssMiB: rss / MiB });
  }

  async function checkpoint() {
    const now = performance.now();
    const workflowsPerSec = (completed - segmentCompleted) / ((now - segmentStart) / 1000);
    const { rss, heapUsed } = process.memoryUsage();
    let heapAfterGc = null;
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      heapAfterGc = process.memoryUsage().heapUsed;
    }
    const entry = {
      completed,
      rssMiB: rss / MiB,
      heapUsedMiB: heapUsed / MiB,
      heapAfterGcMiB: heapAfterGc === null ? null : heapAfterGc / MiB,
      workflowsPerSec,
    };
    checkpoints.push(entry);
    log(
      `${fmt(completed)} workflows: RSS ${fmt(entry.rssMiB, 1)} MiB, heap ${fmt(entry.heapUsedMiB, 1)} MiB` +
        (heapAfterGc === null ? '' : ` (${fmt(entry.heapAfterGcMiB, 1)} MiB after GC)`) +
        `, ${fmt(workflowsPerSec)} wf/s since the previous checkpoint`,
    );
    segmentStart = performance.now();
    segmentCompleted = completed;
  }

  // Runs are started up to the next checkpoint only; the lane that completes the last
  // of them measures, then lets every lane go on. So each checkpoint sees no run in flight.
  let limit = CHECKPOINTS[0];
  let resume = null;
  let resumed = Promise.resolve();

  async function lane() {
    for (;;) {
      while (started >= limit && started < TOTAL) await resumed;
      if (started >= TOTAL) return;
      started++;
      if (started === limit) resumed = new Promise((resolve) => (resume = resolve));
      const run = await engine.start(workflow, { n: 0 });
      const value = await run.result();
      if (value !== 10) throw new Error(`workflow returned ${value}, expected 10`);
      completed++;
      if (completed % SAMPLE_EVERY === 0) sample();
      if (completed === limit) {
        await checkpoint();
        limit = CHECKPOINTS[checkpoints.length] ?? TOTAL;
        resume?.();
      }
    }
  }

  try {
    sample();
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  } finally {
    await engine.close();
    removeDir(dir);
  }
  const at = (n) => checkpoints.find((c) => c.completed === n);
  return {
    workflows: completed,
    inFlight: IN_FLIGHT,
    sampleEvery: SAMPLE_EVERY,
    seconds: (performance.now() - t0) / 1000,
    peakRssMiB: peakRss / MiB,
    checkpoints,
    at10k: at(10_000) ?? null,
    at50k: at(50_000) ?? null,
    at100k: at(100_000) ?? null,
    samples,
  };
}

export function memoryTable(result) {
  const lines = [
    '| Completed workflows | RSS | Heap used | Heap after full GC | Workflows/s in the segment before |',
    '|---:|---:|---:|---:|---:|',
  ];
  for (const c of result.checkpoints) {
    lines.push(
      `| ${fmt(c.completed)} | ${fmt(c.rssMiB, 1)} MiB | ${fmt(c.heapUsedMiB, 1)} MiB | ${c.heapAfterGcMiB === null ? 'n/a' : `${fmt(c.heapAfterGcMiB, 1)} MiB`} | ${fmt(c.workflowsPerSec)} |`,
    );
  }
  lines.push(`| **peak RSS** (sampled every ${fmt(result.sampleEvery)}) | **${fmt(result.peakRssMiB, 1)} MiB** | | | |`);
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const json = process.argv.includes('--json');
  const result = await measureMemory({ log: (line) => process.stderr.write(`${line}\n`) });
  if (json) process.stdout.write(`${JSON.stringify({ machine: machine(), result })}\n`);
  else process.stdout.write(`${memoryTable(result)}\n`);
}
