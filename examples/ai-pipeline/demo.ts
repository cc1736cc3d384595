/**
 * The AI pipeline demo (`npm run demo:pipeline`): runs the pipeline over N documents on two
 * worker processes, with `homeostat up` watching. The model step calls two stand-in
 * providers speaking the real wire formats (swift, OpenAI-style, then sage,
 * Anthropic-style, both streamed); swift degrades mid-run (429s, slow tokens, a stalled
 * stream, malformed and truncated JSON), the chain falls over to sage, the loop opens an
 * incident and drains swift; once swift is fixed, the loop's probes see it and restore it.
 * One worker is SIGKILLed mid-way — and every run completes within its budget, shown from
 * the store's own records.
 *
 * `runDemo` is the importable core (used by the integration test); running this file
 * directly prints the live log and the report, and exits 0 only if every run completed.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Engine } from '../../src/index.js';
import { isMainModule, runDemoScript } from '../shared/demo-main.js';
import { startController, type ControllerProcess } from './controller-process.js';
import { startDocumentSource, type DocumentSource, type FaultRates } from './document-source.js';
import { WORKFLOW_NAME, type SummarizeInput, type SummarizeOutput } from './pipeline.js';
import { degrade, heal, PROVIDER_POLICIES, pipelineModels, RUN_BUDGET, startProviders, type PipelineProviders } from './providers.js';
import { formatReport, providerIncidents, summarizeProviders, summarizeRun, type DemoReport, type KillRecord } from './report.js';
import { WorkerProcesses } from './worker-processes.js';

export interface DemoOptions {
  /** How many documents (runs) to process at least (default 24); more arrive while the provider incident is open. */
  documents?: number;
  /** Wiped and recreated; holds the SQLite file and the results (default `.homeostat/demo`). */
  stateDir?: string;
  /** Seed of the document source's fault draws (default 7). */
  seed?: number;
  faults?: Partial<FaultRates>;
  /** A new document every this many ms (default 150). */
  paceMs?: number;
  /** Degrade swift once this many runs have completed (default 4). */
  degradeAfter?: number;
  /** SIGKILL one worker while it has runs in flight (default true). */
  killWorker?: boolean;
  /** Start a fresh worker after the kill (default true). */
  replaceKilledWorker?: boolean;
  /** Runs each worker executes at once (default 4). */
  workerConcurrency?: number;
  /** Give up waiting for runs after this long (default 60 s). */
  timeoutMs?: number;
  /** Where live progress goes (default: stdout; pass `() => {}` for silence). */
  log?: (line: string) => void;
}

const WORKERS = ['worker-a', 'worker-b'] as const;
const VICTIM = 'worker-a';
const REPLACEMENT = 'worker-c';
/** At most this many documents past the count, while the loop still has swift's incidents to verify. */
const EXTRA_DOCUMENTS = 100;

/** Run the whole demo and return what happened; never leaves a child process or server behind. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const documents = options.documents ?? 24;
  const stateDir = resolve(options.stateDir ?? '.homeostat/demo');
  const log = options.log ?? ((line: string) => console.log(line));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const paceMs = options.paceMs ?? 150;
  const startedAt = Date.now();

  // A fresh folder each time: old runs with the same ids would otherwise be reused
  // (starting a run with an existing id returns that run).
  await rm(stateDir, { recursive: true, force: true });
  await mkdir(stateDir, { recursive: true });
  const dbPath = join(stateDir, 'homeostat.db');
  const outDir = join(stateDir, 'results');
  const storeUrl = `sqlite:${displayPath(dbPath)}`;

  let source: DocumentSource | undefined;
  let providers: PipelineProviders | undefined;
  let controller: ControllerProcess | undefined;
  let workers: WorkerProcesses | undefined;
  let client: Engine | undefined;
  try {
    source = await startDocumentSource({ seed: options.seed ?? 7, faults: options.faults ?? {} });
    providers = await startProviders();
    const urls = { swift: providers.swift.baseUrl, sage: providers.sage.baseUrl };
    log(`document source on ${source.url}; providers swift (OpenAI-style) on ${urls.swift}, sage (Anthropic-style) on ${urls.sage}`);
    // `up` first: it creates (migrates) the SQLite file the workers then open.
    controller = await startController({ dir: stateDir, storeUrl: `sqlite:${dbPath}`, models: pipelineModels(urls), policies: PROVIDER_POLICIES }, log);
    log(`homeostat up (pid ${controller.pid}) watches the providers: swift is an element of the loop`);
    workers = new WorkerProcesses(
      { storeUrl: `sqlite:${dbPath}`, documentsUrl: source.url, swiftUrl: urls.swift, sageUrl: urls.sage, outDir, concurrency: options.workerConcurrency ?? 4 },
      log,
    );
    for (const name of WORKERS) await workers.start(name);

    // The client only starts runs and reads results; the workers execute them.
    client = await Engine.open({ store: `sqlite:${dbPath}`, worker: false });
    const engine = client;
    const ids: string[] = [];
    const results: Promise<unknown>[] = [];
    let degradedAt: number | undefined;
    const swift = providers.swift;
    let healedAt: number | undefined;
    // Documents arrive at a steady pace, like production traffic. Past the count, more keep
    // arriving (up to EXTRA_DOCUMENTS more) while swift is drained or one of its incidents
    // is open: the drain and the restore are verified on calls that really happen.
    const keepArriving = async (i: number) => {
      const incidents = await providerIncidents(engine.store);
      const drained = (await engine.store.listModelProviderStates()).some((state) => state.drained);
      // The drain verified: swift's operators fix it (the loop's probes will notice).
      if (healedAt === undefined && incidents.some((incident) => incident.symptom === 'model-provider-degraded' && incident.status === 'resolved')) {
        heal(swift);
        healedAt = Date.now() - startedAt;
        log('✓ swift is fixed by its operators: answering well again');
      }
      if (i <= documents) return true;
      if (i > documents + EXTRA_DOCUMENTS || degradedAt === undefined) return false;
      return incidents.length === 0 || drained || incidents.some((incident) => incident.status !== 'resolved');
    };
    const arrivals = (async () => {
      for (let i = 1; await keepArriving(i); i++) {
        const documentId = `doc-${String(i).padStart(2, '0')}`;
        ids.push(documentId);
        const handle = await engine.start<SummarizeInput, SummarizeOutput>(WORKFLOW_NAME, { documentId }, { id: documentId });
        results.push(handle.result({ timeout: timeoutMs }));
        if (degradedAt === undefined && (await engine.listRuns({ status: ['completed'], workflow: WORKFLOW_NAME })).length >= (options.degradeAfter ?? 4)) {
          degrade(swift);
          degradedAt = Date.now() - startedAt;
          log(`⚡ swift degrades: 429s, slow tokens, a stalled stream, malformed and truncated JSON — then only 429s`);
        }
        await new Promise((resolve) => setTimeout(resolve, paceMs));
      }
    })();
    log(`documents arrive every ${paceMs} ms for ${WORKFLOW_NAME} on ${WORKERS.join(' and ')}`);

    let allDone = false;
    const finished = arrivals.then(async () => {
      await Promise.allSettled(results);
      allDone = true;
    });
    const kill =
      options.killWorker === false
        ? undefined
        : await killWhenBusy(client, workers, documents, () => allDone, startedAt, options.replaceKilledWorker !== false, log);
    await finished;

    const runs = [];
    for (const id of ids) runs.push(summarizeRun(await client.describe(id), kill?.inFlight.includes(id) ?? false));
    const filesWritten = ids.filter((id) => existsSync(join(outDir, `${id}.json`))).length;
    const ok = runs.every((run) => run.status === 'completed') && filesWritten === ids.length;
    return {
      documents: ids.length,
      workers: [...WORKERS, ...(kill?.replacement ? [kill.replacement] : [])],
      runs,
      providers: summarizeProviders(runs),
      incidents: await providerIncidents(client.store),
      drained: (await client.store.listModelProviderStates()).filter((state) => state.drained).map((state) => state.provider),
      budget: RUN_BUDGET,
      degradedAtMs: degradedAt,
      healedAtMs: healedAt,
      stats: source.stats(),
      kill,
      elapsedMs: Date.now() - startedAt,
      storeUrl,
      outDir: displayPath(outDir),
      filesWritten,
      ok,
    };
  } finally {
    await workers?.stopAll();
    await controller?.stop();
    await client?.close();
    await providers?.close();
    await source?.close();
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

if (isMainModule(import.meta.url)) {
  await runDemoScript({
    title: 'homeostat demo — AI pipeline: fetch document → model step (swift → sage) → write result, with the loop watching the providers',
    run: runDemo,
    format: formatReport,
    failure: 'Not every run completed — this is a bug in homeostat or the demo; the store above has the full history.',
  });
}
