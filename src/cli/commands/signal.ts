import { Engine } from '../../workflow/engine.js';
import { InvalidInputError } from '../../workflow/errors.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';

export const signalUsage = 'homeostat signal <run-id> <name> [--payload JSON] [--store URL]';

/** `homeostat signal`: deliver a signal (e.g. an approval) to a run. */
export async function signalCommand(ctx: CommandContext): Promise<number> {
  const [runId, name] = ctx.positionals;
  if (!runId || !name) throw new UsageError(`missing the run id or signal name\nusage: ${signalUsage}`);
  let payload: unknown = null;
  if (ctx.options.payload !== undefined) {
    try {
      payload = JSON.parse(String(ctx.options.payload));
    } catch (cause) {
      throw new InvalidInputError(`--payload is not valid JSON: ${(cause as Error).message}`, cause);
    }
  }
  const engine = await Engine.open({ store: ctx.storeUrl, worker: false });
  try {
    await engine.signal(runId, name, payload);
    ctx.out(`sent "${name}" to ${runId}`);
    return 0;
  } finally {
    await engine.close();
  }
}
