// One measured cell, in its own process: one system (homeostat, langgraph, or bare — ten
// plain fetches in a row, no durability: the floor; bare-like-homeostat: the same with
// homeostat's fetch options), one kind of node (trivial or model),
// `inFlight` pipelines kept outstanding for BENCH_SECONDS after BENCH_WARMUP_SECONDS, on a
// fresh file in a temp dir. Prints one JSON line.
//
//   node models/cell.mjs <system> <nodes> <inFlight> <durability> [baseUrl]
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { quantile, removeDir, tempDir } from '../engine/common.mjs';
import { NODES, bareChatCompletion } from './common.mjs';
import { durabilityOf, expectedOutput, openHomeostat, openLangGraph, promptOf } from './pipelines.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);

const [system, nodes, inFlightText, durabilityName, baseUrl] = process.argv.slice(2);
const inFlight = Number(inFlightText);
const durability = durabilityOf(durabilityName);
if (nodes !== 'trivial' && nodes !== 'model') throw new Error(`nodes is trivial or model, not ${nodes}`);
if (nodes === 'model' && !baseUrl) throw new Error('model nodes need the stand-in base URL');

function openBare({ likeHomeostat }) {
  if (nodes !== 'model') throw new Error('the bare floor is for model nodes only');
  return {
    async run(id) {
      let acc = 0;
      for (let node = 0; node < NODES; node++) acc += (await bareChatCompletion(baseUrl, promptOf(id, node), { likeHomeostat })).length;
      return acc;
    },
    close: async () => undefined,
  };
}

const dir = tempDir(`models-${system}`);
const file = path.join(dir, `${system}.db`);
const pipeline =
  system === 'homeostat'
    ? await openHomeostat({ file, durability, nodes, baseUrl, worker: { concurrency: Math.max(100, inFlight) } })
    : system === 'langgraph'
      ? openLangGraph({ file, durability, nodes, baseUrl })
      : system === 'bare' || system === 'bare-like-homeostat'
        ? openBare({ likeHomeostat: system === 'bare-like-homeostat' })
        : (() => {
            throw new Error(`system is homeostat, langgraph, bare or bare-like-homeostat, not ${system}`);
          })();

const expected = expectedOutput(nodes);
let sequence = 0;

async function drive(seconds, latencies) {
  const started = performance.now();
  const until = started + seconds * 1000;
  let completed = 0;
  async function lane() {
    while (performance.now() < until) {
      const t0 = performance.now();
      const output = await pipeline.run(`p-${process.pid}-${sequence++}`);
      if (output !== expected) throw new Error(`${system} pipeline returned ${output}, expected ${expected}`);
      latencies?.push(performance.now() - t0);
      completed++;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { completed, elapsedMs: performance.now() - started };
}

try {
  await drive(WARMUP_SECONDS);
  const latencies = [];
  const cpuBefore = process.cpuUsage();
  const { completed, elapsedMs } = await drive(SECONDS, latencies);
  const cpu = process.cpuUsage(cpuBefore);
  const pipelinesPerSec = completed / (elapsedMs / 1000);
  // CPU of this process only (the stand-in runs in its own): what each node costs the side itself,
  // whatever the server or other processes on the machine do to the wall clock.
  const cpuMsPerNode = (cpu.user + cpu.system) / 1000 / (completed * NODES);
  process.stdout.write(
    `${JSON.stringify({ system, nodes, inFlight, durability, completed, pipelinesPerSec, nodesPerSec: pipelinesPerSec * NODES, cpuMsPerNode, p50Ms: quantile(latencies, 0.5), p95Ms: quantile(latencies, 0.95) })}\n`,
  );
} finally {
  await pipeline.close();
  removeDir(dir);
}
