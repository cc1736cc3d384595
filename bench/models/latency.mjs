// (1) The model step's added latency over a bare HTTP call to the same stand-in server.
//
// One workflow run on the embedded default store (a SQLite file, WAL, synchronous=NORMAL)
// makes BENCH_LATENCY_CALLS model calls through `models.call` — each a durable step:
// a read of the call's attempts, reserve, the request, settle, the step's checkpoint — and, interleaved with
// them, the same number of bare `fetch` calls of the same request (same body, JSON answer
// read) — plain, and with homeostat's fetch options (see bareChatCompletion) — so all see
// the same server, sockets and load. The order within each triple rotates. Reported:
// p50/p95 of each, the step's differences from both, and the medians of the per-triple
// differences. Runs in its own process; prints one JSON line.
//
//   node models/latency.mjs <baseUrl> [durability]
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadHomeostat, median, quantile, removeDir, tempDir } from '../engine/common.mjs';
import { bareChatCompletion, modelsConfig } from './common.mjs';

const CALLS = Number(process.env.BENCH_LATENCY_CALLS ?? 2_000);
const WARMUP_CALLS = Number(process.env.BENCH_LATENCY_WARMUP_CALLS ?? 300);
/** Calls per workflow run: a run's history stays small, as in a real pipeline. */
const CALLS_PER_RUN = 100;

const [baseUrl, durability = 'normal'] = process.argv.slice(2);
const homeostat = await loadHomeostat();
const dir = tempDir('models-latency');
const file = path.join(dir, 'latency.db');
let engine;
const models = homeostat.createModels({ config: modelsConfig(baseUrl), store: () => engine.store });
const prompt = 'Summarise this document as JSON with a summary and a sentiment.';

const probe = homeostat.defineWorkflow('model-latency-probe', async (ctx, { calls, first }) => {
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const timeBare = async () => {
      const t0 = performance.now();
      await bareChatCompletion(baseUrl, prompt);
      return performance.now() - t0;
    };
    const timeLike = async () => {
      const t0 = performance.now();
      await bareChatCompletion(baseUrl, prompt, { likeHomeostat: true });
      return performance.now() - t0;
    };
    const timeStep = async () => {
      const t0 = performance.now();
      await models.call(ctx, `call-${i}`, { prompt });
      return performance.now() - t0;
    };
    // Rotate which goes first, so none always meets the warmer socket or the later GC.
    const order = [timeBare, timeLike, timeStep];
    const shift = (first + i) % 3;
    const timed = new Map();
    for (let k = 0; k < 3; k++) {
      const f = order[(k + shift) % 3];
      timed.set(f, await f());
    }
    samples.push([timed.get(timeBare), timed.get(timeStep), timed.get(timeLike)]);
  }
  return samples;
});

async function measure(total) {
  const pairs = [];
  for (let done = 0; done < total; done += CALLS_PER_RUN) {
    const run = await engine.start(probe, { calls: Math.min(CALLS_PER_RUN, total - done), first: done });
    pairs.push(...(await run.result()));
  }
  return pairs;
}

try {
  engine = await homeostat.Engine.open({ store: durability === 'full' ? `sqlite:${file}?durability=full` : `sqlite:${file}`, workflows: [probe] });
  await measure(WARMUP_CALLS);
  const pairs = await measure(CALLS);
  const bare = pairs.map(([b]) => b);
  const step = pairs.map(([, s]) => s);
  const like = pairs.map(([, , l]) => l);
  const result = {
    calls: pairs.length,
    durability,
    bare: { p50Ms: quantile(bare, 0.5), p95Ms: quantile(bare, 0.95) },
    like: { p50Ms: quantile(like, 0.5), p95Ms: quantile(like, 0.95) },
    step: { p50Ms: quantile(step, 0.5), p95Ms: quantile(step, 0.95) },
    addedP50Ms: quantile(step, 0.5) - quantile(bare, 0.5),
    addedP95Ms: quantile(step, 0.95) - quantile(bare, 0.95),
    pairedMedianMs: median(pairs.map(([b, s]) => s - b)),
    addedOverLikeP50Ms: quantile(step, 0.5) - quantile(like, 0.5),
    addedOverLikeP95Ms: quantile(step, 0.95) - quantile(like, 0.95),
    pairedOverLikeMedianMs: median(pairs.map(([, s, l]) => s - l)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await engine?.close();
  removeDir(dir);
}
