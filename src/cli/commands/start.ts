import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';

export const startUsage = 'homeostat start <workflow> [--input JSON] [--id RUN_ID] [--timeout DURATION] [--wait] [--store URL]';

/** `homeostat start`: queue a run for whichever worker runs that workflow. */
export async function startCommand(ctx: CommandContext): Promise<number> {
  const workflow = ctx.positionals[0];
  if (!workflow) throw new UsageError(`missing the workflow name\nusage: ${startUsage}`);
  return withBackend(ctx, async (backend) => {
    const run = await backend.startRun(workflow, ctx.options.input as string | undefined, {
      ...(ctx.options.id === undefined ? {} : { id: String(ctx.options.id) }),
      ...(ctx.options.timeout === undefined ? {} : { timeout: String(ctx.options.timeout) }),
    });
    ctx.out(run.created ? `started ${run.id}` : `exists  ${run.id} (a run with this id was already started; not started again)`);
    if (ctx.options.wait) {
      const output = await backend.runResult(run.id);
      ctx.out(JSON.stringify(output ?? null, null, 2));
    }
    return 0;
  });
}
