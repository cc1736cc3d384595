import { displayStoreUrl } from '../../store/open-store.js';
import { Engine } from '../../workflow/engine.js';
import type { WorkflowDefinition } from '../../workflow/define-workflow.js';
import { WorkflowModuleError, workflowsOfModule } from '../../workflow/workflow-modules.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';

export const workerUsage = 'homeostat worker <module.js> [--store URL] [--concurrency N]';

/**
 * `homeostat worker <module>`: execute the workflows a module exports (named exports,
 * or arrays of them) until SIGINT/SIGTERM, then stop gracefully — unfinished runs go
 * back to the queue for other workers.
 */
export async function workerCommand(ctx: CommandContext): Promise<number> {
  const modulePath = ctx.positionals[0];
  if (!modulePath) throw new UsageError(`missing the module to load\nusage: ${workerUsage}`);
  const workflows = await loadWorkflows(modulePath);
  const concurrency = ctx.options.concurrency === undefined ? undefined : Number(ctx.options.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new UsageError(`--concurrency must be a positive integer, got ${String(ctx.options.concurrency)}`);
  }
  const engine = await Engine.open({
    store: ctx.storeUrl,
    workflows,
    worker: concurrency === undefined ? {} : { concurrency },
  });
  engine.on((event) => {
    if (event.type === 'run-finished') ctx.out(`${event.status.padEnd(9)} ${event.runId} (${event.workflow})`);
    if (event.type === 'run-claimed' && event.takeover) ctx.out(`took over ${event.runId} (epoch ${event.epoch})`);
    if (event.type === 'worker-error') ctx.err(`worker error: ${event.message}: ${event.error.message}`);
  });
  ctx.out(`worker ${engine.worker!.id} running ${workflows.map((w) => w.name).join(', ')} on ${displayStoreUrl(ctx.storeUrl)}`);
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  ctx.out('stopping: finishing in-flight runs (up to 5 s), handing the rest back to the queue');
  await engine.close(5_000);
  return 0;
}

async function loadWorkflows(modulePath: string): Promise<WorkflowDefinition[]> {
  try {
    return await workflowsOfModule(modulePath);
  } catch (error) {
    if (error instanceof WorkflowModuleError) throw new UsageError(error.message);
    throw error;
  }
}
