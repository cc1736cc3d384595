import { InvalidInputError } from '../../workflow/errors.js';
import { withBackend } from '../backend/open-backend.js';
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
  return withBackend(ctx, async (backend) => {
    await backend.signalRun(runId, name, payload);
    ctx.out(`sent "${name}" to ${runId}`);
    return 0;
  });
}
