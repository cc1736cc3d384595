// Takeover time: from SIGKILL of the worker that owns a run, mid-run, to the first step
// of that run starting on a surviving worker. Two worker processes share one SQLite
// file with default worker settings (lease 800 ms, heartbeat 200 ms, poll 100 ms);
// this process only starts runs and kills workers.
//
// Every step of the probe workflow reports (run id, step, pid, Date.now()) to this
// process over IPC as it starts; the worker also reports when it claims a run by
// takeover. Per repetition: start a run, wait until its owner has started step 3, wait
// a random 0–100 ms (so kills land at every phase of the heartbeat), SIGKILL the owner,
// wait for a step of that run on the other worker, let the run finish (its output is
// checked), and replace the killed worker.
//
//   node engine/takeover.mjs [--json]     BENCH_TAKEOVER_REPS=20 (default 25)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { fmt, isMain, loadHomeostat, machine, median, quantile, removeDir, tempDir } from './common.mjs';

const REPS = Number(process.env.BENCH_TAKEOVER_REPS ?? 25);
const PROBE_STEPS = 30;
const STEP_MS = 25;
const WORKFLOW = 'takeover-probe';

const homeostat = await loadHomeostat();

function probeWorkflow() {
  return homeostat.defineWorkflow(WORKFLOW, async (ctx) => {
    let sum = 0;
    for (let seq = 1; seq <= PROBE_STEPS; seq++) {
      sum += await ctx.step(`step-${seq}`, async () => {
        process.send?.({ type: 'step', runId: ctx.runId, seq, pid: process.pid, at: Date.now() });
        await new Promise((resolve) => setTimeout(resolve, STEP_MS));
        return seq;
      });
    }
    return sum;
  });
}

async function workerMain(storeUrl) {
  const engine = await homeostat.Engine.open({ store: storeUrl, workflows: [probeWorkflow()] });
  engine.on((event) => {
    if (event.type === 'run-claimed' && event.takeover) {
      process.send?.({ type: 'claimed', runId: event.runId, pid: process.pid, at: Date.now(), epoch: event.epoch });
    }
  });
  process.on('disconnect', () => void engine.close(1_000).finally(() => process.exit(0)));
  process.send?.({ type: 'ready', pid: process.pid });
}

/** Parent side: the pool of worker processes and the messages they send. */
class Workers {
  constructor(storeUrl) {
    this.storeUrl = storeUrl;
    this.children = new Map(); // pid → child
    this.listeners = new Set();
    this.killed = new Set();
  }

  async spawn() {
    const child = fork(fileURLToPath(import.meta.url), ['--worker', this.storeUrl], {
      env: process.env,
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (message) => {
      if (this.killed.has(message.pid)) return; // sent before the kill landed, delivered after
      for (const listener of this.listeners) listener(message);
    });
    child.on('exit', () => this.children.delete(child.pid));
    await this.waitFor((m) => m.type === 'ready' && m.pid === child.pid, 15_000, 'a worker to start');
    this.children.set(child.pid, child);
    return child;
  }

  waitFor(predicate, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const listener = (message) => {
        if (!predicate(message)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(message);
      };
      this.listeners.add(listener);
    });
  }

  /** SIGKILL a worker; resolves with the time just before the signal, once it has exited. */
  async kill(pid) {
    const child = this.children.get(pid);
    if (!child) throw new Error(`no worker with pid ${pid}`);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.killed.add(pid);
    const at = Date.now();
    child.kill('SIGKILL');
    await exited;
    return at;
  }

  async close() {
    const exits = [...this.children.values()].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of this.children.values()) child.disconnect();
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    for (const child of this.children.values()) child.kill('SIGKILL');
  }
}

export async function measureTakeover({ log = () => undefined } = {}) {
  const dir = tempDir('takeover');
  const storeUrl = `sqlite:${path.join(dir, 'engine.db')}`;
  const workers = new Workers(storeUrl);
  const client = await homeostat.Engine.open({ store: storeUrl, worker: false });
  const samples = [];
  try {
    await workers.spawn();
    await workers.spawn();
    for (let rep = 1; rep <= REPS; rep++) {
      const run = await client.start(WORKFLOW, null);
      const third = await workers.waitFor((m) => m.type === 'step' && m.runId === run.id && m.seq === 3, 10_000, `step 3 of run ${run.id}`);
      const owner = third.pid;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 100));
      const resumedOnSurvivor = workers.waitFor((m) => m.type === 'step' && m.runId === run.id && m.pid !== owner, 15_000, `run ${run.id} to resume`);
      const claimedBySurvivor = workers.waitFor((m) => m.type === 'claimed' && m.runId === run.id && m.pid !== owner, 15_000, `run ${run.id} to be claimed`);
      const killedAt = await workers.kill(owner);
      const [resumed, claimed] = await Promise.all([resumedOnSurvivor, claimedBySurvivor]);
      const sample = { takeoverMs: resumed.at - killedAt, claimMs: claimed.at - killedAt, resumedAtStep: resumed.seq };
      samples.push(sample);
      const output = await client.result(run.id, { timeout: '30s' });
      const expected = (PROBE_STEPS * (PROBE_STEPS + 1)) / 2;
      if (output !== expected) throw new Error(`run ${run.id} returned ${output}, expected ${expected}`);
      log(`rep ${rep}/${REPS}: kill → claim ${sample.claimMs} ms, kill → first step on survivor ${sample.takeoverMs} ms (step ${sample.resumedAtStep})`);
      await workers.spawn(); // replace the killed worker
    }
  } finally {
    await workers.close();
    await client.close();
    removeDir(dir);
  }
  const takeover = samples.map((s) => s.takeoverMs);
  const claim = samples.map((s) => s.claimMs);
  return {
    repetitions: samples.length,
    settings: { leaseMs: 800, heartbeatMs: 200, pollMs: 100, workers: 2 },
    takeover: { median: median(takeover), p90: quantile(takeover, 0.9), max: Math.max(...takeover), min: Math.min(...takeover) },
    claim: { median: median(claim), p90: quantile(claim, 0.9), max: Math.max(...claim), min: Math.min(...claim) },
    samples,
  };
}

export function takeoverTable(result) {
  const row = (label, s) => `| ${label} | ${fmt(s.median)} ms | ${fmt(s.p90)} ms | ${fmt(s.max)} ms | ${fmt(s.min)} ms |`;
  return [
    `| ${result.repetitions} SIGKILLs, 2 workers, default settings | median | p90 | max | min |`,
    '|---|---:|---:|---:|---:|',
    row('kill → first step of the run starts on the survivor', result.takeover),
    row('kill → survivor claims the run (`run-claimed`, takeover)', result.claim),
  ].join('\n');
}

if (process.argv[2] === '--worker') {
  await workerMain(process.argv[3]);
} else if (isMain(import.meta.url)) {
  const json = process.argv.includes('--json');
  const result = await measureTakeover({ log: (line) => process.stderr.write(`${line}\n`) });
  if (json) process.stdout.write(`${JSON.stringify({ machine: machine(), result })}\n`);
  else process.stdout.write(`${takeoverTable(result)}\n`);
}
