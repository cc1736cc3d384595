import { withBackend } from '../backend/open-backend.js';
import type { CommandContext } from '../command.js';
import { formatBytes, formatExit } from '../element-output.js';
import { formatDuration, table } from '../output.js';

export const statusUsage = 'homeostat status [-c homeostat.yaml] [--store URL] [--json]';

/** States not refreshed for this long come from a supervisor that is probably not running. */
const STALE_AFTER_MS = 10_000;

/**
 * `homeostat status`: one row per supervised replica and external service, read from
 * the store — works while `homeostat up` runs in another process. With several nodes on
 * the store, a first column names the node each row belongs to.
 */
export async function statusCommand(ctx: CommandContext): Promise<number> {
  return withBackend(ctx, async (backend) => {
    const states = await backend.listElementStates();
    if (ctx.options.json) {
      ctx.out(JSON.stringify(states.map((state) => ({ ...state, data: JSON.parse(state.data) as unknown })), null, 2));
      return 0;
    }
    if (states.length === 0) {
      ctx.out('no supervised elements (is `homeostat up` running with this store?)');
      return 0;
    }
    const now = Date.now();
    // Several `up` on one store: each node's `web#0` is its own, so the node (the state's owner) is shown.
    const nodes = new Set(states.map((state) => state.owner)).size > 1;
    const rows = states.map((state) => {
      const data = JSON.parse(state.data) as {
        role?: string;
        pid?: number | null;
        restarts?: number;
        startedAt?: number | null;
        lastExit?: { code: number | null; signal: string | null; reason: string; at: number } | null;
        rssBytes?: number | null;
        cpuPercent?: number | null;
        kind?: string;
      };
      const stale = now - state.updatedAt > STALE_AFTER_MS;
      return [
        ...(nodes ? [state.owner] : []),
        state.instance,
        data.kind === 'external' ? 'external' : (data.role ?? 'active'),
        stale ? `${state.state} (stale)` : state.state,
        state.health,
        String(data.restarts ?? 0),
        data.startedAt ? formatDuration(now - data.startedAt) : '-',
        data.pid ? String(data.pid) : '-',
        formatBytes(data.rssBytes ?? null),
        data.cpuPercent === null || data.cpuPercent === undefined ? '-' : `${data.cpuPercent}%`,
        data.lastExit ? `${formatExit(data.lastExit)}, ${formatDuration(now - data.lastExit.at)} ago` : '-',
      ];
    });
    ctx.out(table([...(nodes ? ['node'] : []), 'element', 'role', 'state', 'health', 'restarts', 'uptime', 'pid', 'rss', 'cpu', 'last exit'], rows));
    const newest = Math.max(...states.map((state) => state.updatedAt));
    if (now - newest > STALE_AFTER_MS) ctx.out(`\nlast update ${formatDuration(now - newest)} ago: the supervisor is probably not running`);
    return 0;
  });
}
