import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { formatDuration, table } from '../output.js';

export const providersUsage = 'homeostat providers [--json] | providers drain|restore <name> [--reason TEXT]';

/**
 * `homeostat providers`: every model provider of the running `up`'s config with its state
 * (in its chains, drained, or limited by the loop; why, by whom, how long ago).
 * `providers drain <name>` / `providers restore <name>`: the operator's hand on the same
 * state the loop's rungs write — every process making model calls follows within its
 * refresh (1 s by default). Through the API, operator role, audited as the token.
 */
export async function providersCommand(ctx: CommandContext): Promise<number> {
  const [sub, name, ...extra] = ctx.positionals;
  if (sub !== undefined && sub !== 'drain' && sub !== 'restore') throw new UsageError(`unknown providers command ${JSON.stringify(sub)}\nusage: ${providersUsage}`);
  if (sub !== undefined && (!name || extra.length > 0)) throw new UsageError(`providers ${sub} takes one provider name\nusage: ${providersUsage}`);
  const reason = ctx.options.reason as string | undefined;
  return withBackend(ctx, async (backend) => {
    if (sub !== undefined) {
      const state = await backend.setProvider(name!, sub, reason);
      ctx.out(sub === 'drain' ? `drained ${state.provider}: out of every chain; processes making model calls follow within their refresh` : `restored ${state.provider}: back in its chains, without a concurrency limit`);
      return 0;
    }
    const providers = await backend.listProviders();
    if (ctx.options.json) {
      ctx.out(JSON.stringify(providers, null, 2));
      return 0;
    }
    if (providers.length === 0) {
      ctx.out('no model providers configured');
      return 0;
    }
    const now = Date.now();
    ctx.out(
      table(
        ['provider', 'state', 'changed by', 'ago', 'reason'],
        providers.map((p) => [
          p.configured ? p.provider : `${p.provider} (not configured)`,
          p.drained ? 'drained' : p.maxConcurrency !== null ? `limited to ${p.maxConcurrency}` : 'in its chains',
          p.changedBy ?? '-',
          p.changedAt === null ? '-' : formatDuration(now - p.changedAt),
          p.reason ?? '-',
        ]),
      ),
    );
    return 0;
  });
}
