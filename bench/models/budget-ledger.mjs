// What a reservation in the budget ledger costs as the day's attempts grow, with and
// without day budgets (`globalPerDay`, `perWorkflowPerDay`): the store's
// `reserveModelAttempt` + `settleModelAttempt` on the embedded default store, as a model
// call makes them. The ledger is filled with settled attempts (no budget checked), then
// BENCH_LEDGER_SAMPLES reservations are timed at each size. Own process; one JSON line.
//
//   node models/budget-ledger.mjs
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadHomeostat, median, removeDir, tempDir } from '../engine/common.mjs';

const SIZES = (process.env.BENCH_LEDGER_SIZES ?? '1000,10000,30000').split(',').map(Number);
const SAMPLES = Number(process.env.BENCH_LEDGER_SAMPLES ?? 200);

const homeostat = await loadHomeostat();
const dir = tempDir('models-ledger');
const store = await homeostat.openStore(`sqlite:${path.join(dir, 'ledger.db')}`);
const day = new Date().toISOString().slice(0, 10);
const DAY_BUDGETS = [
  { scope: 'workflow', maxTokens: 1e12 },
  { scope: 'global', maxTokens: 1e12 },
];
let sequence = 0;

async function attempt(limits) {
  const id = sequence++;
  const reservation = {
    runId: `run-${id}`,
    workflow: 'ledger',
    stepSeq: 1,
    step: 'model:ledger',
    stepAttempt: 1,
    day,
    provider: 'standin',
    model: 'stand-in-small',
    promptHash: 'a'.repeat(64),
    reservedTokens: 300,
    reservedCostMicros: 160,
    startedAt: Date.now(),
  };
  const t0 = performance.now();
  const reserved = await store.reserveModelAttempt(reservation, limits);
  const reserveMs = performance.now() - t0;
  if (!reserved.reserved) throw new Error('a reservation was refused under limits it cannot reach');
  await store.settleModelAttempt(reserved.id, { outcome: 'ok', tokensIn: 20, tokensOut: 13, costMicros: 11, latencyMs: 1, finishedAt: Date.now(), error: null, validationErrors: null, reply: null });
  return reserveMs;
}

const results = [];
try {
  for (const size of SIZES) {
    while (sequence < size) await attempt([]);
    const timed = async (limits) => {
      const samples = [];
      for (let i = 0; i < SAMPLES; i++) samples.push(await attempt(limits));
      return median(samples);
    };
    const withoutMs = await timed([]);
    const withDayBudgetsMs = await timed(DAY_BUDGETS);
    results.push({ attemptsToday: size, withoutMs, withDayBudgetsMs });
    process.stderr.write(`ledger of ${size} attempts: reserve ${withoutMs.toFixed(3)} ms without budgets, ${withDayBudgetsMs.toFixed(3)} ms with day budgets\n`);
  }
  process.stdout.write(`${JSON.stringify({ samples: SAMPLES, results })}\n`);
} finally {
  await store.close();
  removeDir(dir);
}
