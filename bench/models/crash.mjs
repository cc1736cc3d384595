// (c) What each side survives when its process is SIGKILLed mid-pipeline.
//
// Per repetition and side: a child process starts `pipelines` ten-model-node pipelines at
// once on a fresh SQLite file; this process watches the stand-in's request count and
// SIGKILLs the child once half of all the pipelines' model calls have been asked for.
// A second child then resumes on the same file, as a user of each would:
// - homeostat: `Engine.open` with the workflow; its worker takes the dead worker's runs
//   over once their lease expires, and each run is awaited by id;
// - LangGraph: per thread, `getState`: a thread with a checkpoint and nodes still to run
//   is resumed with `invoke(null, config)`; one without any checkpoint is started again
//   from its input; a finished one is left alone.
// Counted: pipelines finished before the kill, in progress at the kill, resumed to the
// right output, started again from scratch; model calls repeated = completions the
// stand-in sent − 10 per pipeline (each pipeline needs exactly ten answers).
//
//   parent side: measureCrash(host, { system, pipelines, durability })  (see run.mjs)
//   child side:  node models/crash.mjs run|resume <system> <file> <durability> <baseUrl> <pipelines>
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain, removeDir, tempDir } from '../engine/common.mjs';
import { NODES } from './common.mjs';
import { expectedOutput, openHomeostat, openLangGraph } from './pipelines.mjs';

const idOf = (i) => `crash-${i}`;

async function runChild(system, file, durability, baseUrl, pipelines) {
  const ids = Array.from({ length: pipelines }, (_, i) => idOf(i));
  if (system === 'homeostat') {
    const side = await openHomeostat({ file, durability, nodes: 'model', baseUrl });
    const handles = await Promise.all(ids.map((id) => side.engine.start(side.workflow, { id }, { id })));
    process.send({ type: 'started' });
    await Promise.all(handles.map((handle) => handle.result()));
  } else {
    const side = openLangGraph({ file, durability, nodes: 'model', baseUrl });
    const runs = ids.map((id) => side.run(id));
    process.send({ type: 'started' });
    await Promise.all(runs);
  }
  process.send({ type: 'finished' }); // the kill came too late: nothing was interrupted
}

async function resumeChild(system, file, durability, baseUrl, pipelines) {
  const ids = Array.from({ length: pipelines }, (_, i) => idOf(i));
  const expected = expectedOutput('model');
  const tally = { finishedBeforeKill: 0, inProgressAtKill: 0, notStartedAtKill: 0, resumed: 0, startedAgain: 0, wrongOutputs: 0 };
  const started = Date.now();
  if (system === 'homeostat') {
    const homeostat = await (await import('../engine/common.mjs')).loadHomeostat();
    const storeUrl = durability === 'full' ? `sqlite:${file}?durability=full` : `sqlite:${file}`;
    // Look before any worker of this process can claim anything.
    const reader = await homeostat.Engine.open({ store: storeUrl, worker: false });
    const before = new Map();
    for (const id of ids) before.set(id, (await reader.getRun(id))?.status);
    await reader.close();
    const side = await openHomeostat({ file, durability, nodes: 'model', baseUrl });
    await Promise.all(
      ids.map(async (id) => {
        const status = before.get(id);
        if (status === 'completed') return void tally.finishedBeforeKill++;
        if (status === undefined) tally.notStartedAtKill++;
        else tally.inProgressAtKill++;
        const output = status === undefined ? await side.run(id) : await side.engine.result(id, { timeout: '60s' });
        if (output !== expected) tally.wrongOutputs++;
        else if (status === undefined) tally.startedAgain++;
        else tally.resumed++;
      }),
    );
    await side.close();
  } else {
    const side = openLangGraph({ file, durability, nodes: 'model', baseUrl });
    await Promise.all(
      ids.map(async (id) => {
        const config = { configurable: { thread_id: id } };
        const snapshot = await side.app.getState(config);
        let output;
        if (snapshot.createdAt === undefined) {
          tally.notStartedAtKill++;
          output = await side.run(id);
          if (output === expected) tally.startedAgain++;
        } else if (snapshot.next.length === 0) {
          tally.finishedBeforeKill++;
          return;
        } else {
          tally.inProgressAtKill++;
          output = (await side.app.invoke(null, config)).acc;
          if (output === expected) tally.resumed++;
        }
        if (output !== expected) tally.wrongOutputs++;
      }),
    );
    await side.close();
  }
  process.stdout.write(`${JSON.stringify({ ...tally, resumeMs: Date.now() - started })}\n`);
}

const here = fileURLToPath(import.meta.url);

function forkChild(args) {
  const child = fork(here, args, { execArgv: [], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const exited = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
  return { child, exited };
}

/** One repetition for one side: run, kill at half the calls, resume; the tallies and the calls counted by the stand-in. */
export async function measureCrash(host, { system, pipelines, durability = 'normal' }) {
  const dir = tempDir(`models-crash-${system}`);
  const file = path.join(dir, `${system}.db`);
  const args = [system, file, durability, host.baseUrl, String(pipelines)];
  try {
    const before = await host.counts();
    const killAt = before.requests + Math.ceil((pipelines * NODES) / 2);
    const { child, exited } = forkChild(['run', ...args]);
    let finishedFirst = false;
    child.on('message', (message) => {
      if (message.type === 'finished') finishedFirst = true;
    });
    let atKill;
    for (;;) {
      const counts = await host.counts();
      if (counts.requests >= killAt || finishedFirst) {
        child.kill('SIGKILL');
        atKill = counts;
        break;
      }
    }
    const ran = await exited;
    if (finishedFirst || ran.signal !== 'SIGKILL') throw new Error(`the ${system} child was not killed mid-pipeline (${ran.signal ?? ran.code})`);
    const resume = forkChild(['resume', ...args]);
    const resumed = await resume.exited;
    if (resumed.code !== 0) throw new Error(`the ${system} resume child exited with ${resumed.signal ?? resumed.code}`);
    const tally = JSON.parse(resumed.out.trim().split('\n').at(-1));
    const after = await host.counts();
    return {
      system,
      pipelines,
      callsAskedAtKill: atKill.requests - before.requests,
      ...tally,
      completions: after.completions - before.completions,
      repeatedCalls: after.completions - before.completions - pipelines * NODES,
      requests: after.requests - before.requests,
    };
  } finally {
    removeDir(dir);
  }
}

if (isMain(import.meta.url)) {
  const [phase, system, file, durability, baseUrl, pipelines] = process.argv.slice(2);
  if (phase === 'run') await runChild(system, file, durability, baseUrl, Number(pipelines));
  else if (phase === 'resume') await resumeChild(system, file, durability, baseUrl, Number(pipelines));
  else throw new Error(`crash.mjs: phase is run or resume, not ${phase}`);
}
