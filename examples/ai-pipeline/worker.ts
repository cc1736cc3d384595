/**
 * A worker process for the AI pipeline: executes `summarize-document` runs from a
 * shared SQLite store until SIGTERM, printing one line per event worth seeing.
 *
 *   node dist/examples/ai-pipeline/worker.js --store sqlite:.homeostat/demo/homeostat.db \
 *     --documents http://127.0.0.1:4321 --swift http://127.0.0.1:4322/v1 --sage http://127.0.0.1:4323 \
 *     --out .homeostat/demo/results --name worker-a
 *
 * Every flag can also come from the environment (HOMEOSTAT_STORE, DEMO_DOCUMENTS_URL,
 * DEMO_SWIFT_URL, DEMO_SAGE_URL, DEMO_OUT_DIR, DEMO_WORKER_NAME, DEMO_WORKER_CONCURRENCY),
 * which is how demo.ts starts it. The first line printed is `ready`, so a parent can wait for it.
 */
import { parseArgs } from 'node:util';
import { createModels, Engine } from '../../src/index.js';
import { summarizeDocumentWorkflow } from './pipeline.js';
import { pipelineModels } from './providers.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: process.env.HOMEOSTAT_STORE },
    documents: { type: 'string', default: process.env.DEMO_DOCUMENTS_URL },
    swift: { type: 'string', default: process.env.DEMO_SWIFT_URL },
    sage: { type: 'string', default: process.env.DEMO_SAGE_URL },
    out: { type: 'string', default: process.env.DEMO_OUT_DIR ?? '.homeostat/demo/results' },
    name: { type: 'string', default: process.env.DEMO_WORKER_NAME ?? `worker-${process.pid}` },
    concurrency: { type: 'string', default: process.env.DEMO_WORKER_CONCURRENCY ?? '4' },
  },
});

if (!values.store || !values.documents || !values.swift || !values.sage) {
  console.error('usage: worker.js --store sqlite:<file> --documents <URL> --swift <URL> --sage <URL> [--out <dir>] [--name <id>] [--concurrency <n>]');
  process.exit(2);
}
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`--concurrency must be a positive integer, got ${JSON.stringify(values.concurrency)}`);
  process.exit(2);
}

const name = values.name!;
// The model steps keep their attempts and budget ledger in the engine's store, where `up`
// reads the providers' health and writes a drain that this worker then follows.
const models = createModels({ config: pipelineModels({ swift: values.swift, sage: values.sage }), store: () => engine.store, drainRefreshMs: 250 });
const workflow = summarizeDocumentWorkflow({ documentsUrl: values.documents, outDir: values.out!, workerName: name }, models);
// A small concurrency spreads the demo's runs over both workers, so killing one
// leaves runs in flight for the other to take over.
const engine: Engine = await Engine.open({ store: values.store, workflows: [workflow], worker: { workerId: name, concurrency } });

engine.on((event) => {
  if (event.type === 'run-finished') {
    const why = event.error ? `: ${event.error.message}` : '';
    console.log(`${event.status === 'completed' ? '✓' : '✗'} ${event.runId} ${event.status}${why}`);
  } else if (event.type === 'run-claimed' && event.takeover) {
    console.log(`↻ ${event.runId} taken over (epoch ${event.epoch}), resuming from its last checkpoint`);
  } else if (event.type === 'worker-error') {
    console.log(`! ${event.message}: ${event.error.message}`);
  }
});
console.log(`ready (pid ${process.pid})`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing in-flight runs, then handing the rest back`);
  try {
    await engine.close(2_000);
    process.exit(0);
  } catch (error) {
    console.error(`closing failed: ${String(error)}`);
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
