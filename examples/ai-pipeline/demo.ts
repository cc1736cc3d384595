/**
 * The quick-start demo (`npm start`): runs the AI pipeline over N documents on two
 * worker processes against a stand-in model server that injects timeouts, malformed
 * answers, 429s and 503s — and SIGKILLs one worker mid-way — then shows that every
 * run completed anyway, from the store's own records.
 *
 * `runDemo` is the importable core (used by the integration test); running this file
 * directly prints the live log and the report, and exits 0 only if every run completed.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine } from '../../src/index.js';
import { startModelServer, type FaultRates, type ModelServer } from './model-server.js';
import { WORKFLOW_NAME, type SummarizeInput, type SummarizeOutput } from './pipeline.js';
import { formatReport, summarizeRun, type DemoReport, type KillRecord } from './report.js';
import { WorkerProcesses } from './worker-processes.js';

export interface DemoOptions {
  /** How many documents (runs) to process (default 20). */
  documents?: number;
  /** Wiped and recreated; holds the SQLite file and the results (default `.homeostat/demo`). */
  stateDir?: string;
  /** Seed of the stand-in's fault draws (default 7). */
  seed?: number;
  faults?: Partial<FaultRates>;
  /** SIGKILL one worker while it has runs in flight (default true). */
  killWorker?: boolean;
  /** Start a fresh worker after the kill (default true). */
  replaceKilledWorker?: boolean;
  /** Runs each worker executes at once (default 4). */
  workerConcurrency?: number;
  /** Give up waiting for runs after this long (default 50 s). */
  timeoutMs?: number;
  /** Where live progress goes (default: stdout; pass `() => {}` for silence). */
  log?: (line: string) => void;
}

const WORKERS = ['worker-a', 'worker-b'] as const;
const VICTIM = 'worker-a';
const REPLACEMENT = 'worker-c';

/** Run the whole demo and return what happened; never leaves a child process or server behind. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const documents = options.documents ?? 20;
  const stateDir = resolve(options.stateDir ?? '.homeostat/demo');
  const log = options.log ?? ((line: string) => console.log(line));
  const timeoutMs = options.timeoutMs ?? 50_000;
  const startedAt = Date.now();

  // A fresh folder each time: old runs with the same ids would otherwise be reused
  // (starting a run with an existing id returns that run).
  await rm(stateDir, { recursive: true, force: true });
  await mkdir(stateDir, { recursive: true });
  const dbPath = join(stateDir, 'homeostat.db');
  const outDir = join(stateDir, 'results');
  const storeUrl = `sqlite:${displayPath(dbPath)}`;

  let server: ModelServer | undefined;
  let workers: WorkerProcesses | undefined;
  let client: Engine | undefined;
  try {
    server = await startModelServer({ seed: options.seed ?? 7, faults: options.faults ?? {} });
    log(`model stand-in listening on ${server.url} (seed ${options.seed ?? 7})`);
    workers = new WorkerProcesses(
      { storeUrl: `sqlite:${dbPath}`, serverUrl: server.url, outDir, concurrency: options.workerConcurrency ?? 4 },
      log,
    );
    // Started one after the other: each opens (and the first migrates) the SQLite file.
    for (const name of WORKERS) await workers.start(name);

    // The client only starts runs and reads results; the workers execute them.
    client = await Engine.open({ store: `sqlite:${dbPath}`, worker: false });
    const ids = Array.from({ length: documents }, (_, i) => `doc-${String(i + 1).padStart(2, '0')}`);
    const handles = await Promise.all(
      ids.map((documentId) => client!.start<SummarizeInput, SummarizeOutput>(WORKFLOW_NAME, { documentId }, { id: documentId })),
    );
    log(`started ${documents} runs of ${WORKFLOW_NAME} on ${WORKERS.join(' and ')}`);

    const results = Promise.allSettled(handles.map((handle) => handle.result({ timeout: timeoutMs })));
    let allDone = false;
    void results.finally(() => (allDone = true));
    const kill =
      options.killWorker === false
        ? undefined
        : await killWhenBusy(client, workers, documents, () => allDone, startedAt, options.replaceKilledWorker !== false, log);
    await results;

    const runs = [];
    for (const id of ids) runs.push(summarizeRun(await client.describe(id), kill?.inFlight.includes(id) ?? false));
    const filesWritten = ids.filter((id) => existsSync(join(outDir, `${id}.json`))).length;
    const ok = runs.every((run) => run.status === 'completed') && filesWritten === documents;
    return {
      documents,
      workers: [...WORKERS, ...(kill?.replacement ? [kill.replacement] : [])],
      runs,
      stats: server.stats(),
      kill,
      elapsedMs: Date.now() - startedAt,
      storeUrl,
      outDir: displayPath(outDir),
      filesWritten,
      ok,
    };
  } finally {
    await workers?.stopAll();
    await client?.close();
    await server?.close();
  }
}

/**
 * Wait until the victim worker owns runs in flight and some runs have completed
 * elsewhere, then SIGKILL it: no shutdown handler runs and its leases simply stop
 * being renewed, exactly like a crashed host. Its runs are taken over once the lease
 * expires. Gives up (no kill) if every run finishes first.
 */
async function killWhenBusy(
  client: Engine,
  workers: WorkerProcesses,
  documents: number,
  finished: () => boolean,
  startedAt: number,
  replace: boolean,
  log: (line: string) => void,
): Promise<KillRecord | undefined> {
  const victim = workers.get(VICTIM);
  if (!victim) return undefined;
  while (!finished()) {
    const [running, completed] = await Promise.all([
      client.listRuns({ status: ['running'], workflow: WORKFLOW_NAME }),
      client.listRuns({ status: ['completed'], workflow: WORKFLOW_NAME }),
    ]);
    const inFlight = running.filter((run) => run.ownerId === VICTIM).map((run) => run.id);
    if (inFlight.length > 0 && completed.length >= Math.ceil(documents / 4)) {
      await workers.kill(VICTIM);
      const atMs = Date.now() - startedAt;
      log(`✂ SIGKILL ${VICTIM} (pid ${victim.pid}) with ${inFlight.length} run(s) in flight: ${inFlight.join(', ')}`);
      let replacement: string | undefined;
      if (replace) {
        // A new worker id, not the old one: a process starting under the dead worker's
        // id would renew that worker's lease by heartbeating, and the runs it owned
        // would never count as orphaned (the engine does not release them on start).
        await new Promise((resolve) => setTimeout(resolve, 300));
        await workers.start(REPLACEMENT);
        replacement = REPLACEMENT;
        log(`started ${REPLACEMENT} in place of ${VICTIM}`);
      }
      return { worker: VICTIM, pid: victim.pid, inFlight, atMs, replacement };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Relative to the working directory when inside it, so the printed CLI hint is short. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}

async function main(): Promise<void> {
  console.log('homeostat demo — AI pipeline: fetch document → call model → validate answer → write result\n');
  let report: DemoReport;
  try {
    report = await runDemo();
  } catch (error) {
    console.error(`\nThe demo could not run: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 2;
    return;
  }
  console.log(formatReport(report));
  if (!report.ok) {
    console.error('\nNot every run completed — this is a bug in homeostat or the demo; the store above has the full history.');
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Ctrl-C: exiting fires WorkerProcesses' exit hook, which SIGKILLs any worker left.
  process.once('SIGINT', () => {
    console.error('\ninterrupted');
    process.exit(130);
  });
  await main();
}
