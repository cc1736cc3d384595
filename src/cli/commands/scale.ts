import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';

export const scaleUsage = 'homeostat scale <service> <replicas> [-c homeostat.yaml]';

/**
 * `homeostat scale api 3`: scale a service of the running `up` by hand, through its API
 * (operator role; audited as `service.scaled`). A service with `autoscale:` takes only a
 * count within its `min`..`max` (the autoscaler would take any other back at once).
 */
export async function scaleCommand(ctx: CommandContext): Promise<number> {
  const [service, count] = ctx.positionals;
  if (!service || count === undefined) throw new UsageError(`missing the service or the replica count\nusage: ${scaleUsage}`);
  const replicas = Number(count);
  if (!/^\d+$/.test(count) || !Number.isSafeInteger(replicas)) throw new UsageError(`the replica count must be 0 or more, got ${JSON.stringify(count)}\nusage: ${scaleUsage}`);
  return withBackend(ctx, async (backend) => {
    const scaled = await backend.scaleService(service, replicas);
    ctx.out(scaled.from === scaled.to ? `${service} already has ${scaled.to} replica${scaled.to === 1 ? '' : 's'}` : `scaled ${service} from ${scaled.from} to ${scaled.to} replica${scaled.to === 1 ? '' : 's'}`);
    return 0;
  });
}
