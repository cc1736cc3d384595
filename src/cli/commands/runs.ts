import type { RunStatus } from '../../store/records.js';
import { withBackend } from '../backend/open-backend.js';
import type { CliBackend } from '../backend/cli-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { formatDuration, formatTime, oneLine, table } from '../output.js';
import { renderRunTimeline } from '../run-timeline.js';
import { renderRunGraphs } from './inbox.js';

export const runsUsage = [
  'homeostat runs list [--status S[,S]] [--workflow W] [--limit N] [--json]',
  'homeostat runs show <run-id> [--json]',
  'homeostat runs graph <run-id> [--json]',
  'homeostat runs cancel <run-id>',
  'homeostat runs redrive <run-id> [--from-step N|NAME]',
].join('\n       ');

const STATUSES: RunStatus[] = ['pending', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'parked'];

/** `homeostat runs list|show|graph|cancel|redrive`. */
export async function runsCommand(ctx: CommandContext): Promise<number> {
  const [action, runId] = ctx.positionals;
  if (!action) throw new UsageError(`missing the action\nusage: ${runsUsage}`);
  if (action !== 'list' && !runId) throw new UsageError(`runs ${action} needs a run id\nusage: ${runsUsage}`);
  if (!['list', 'show', 'graph', 'cancel', 'redrive'].includes(action)) throw new UsageError(`unknown action "${action}"\nusage: ${runsUsage}`);
  return withBackend(ctx, async (backend) => {
    switch (action) {
      case 'list':
        return await list(ctx, backend);
      case 'show': {
        const details = await backend.describeRun(runId!);
        ctx.out(ctx.options.json ? JSON.stringify(details, null, 2) : renderRunTimeline(details));
        return 0;
      }
      case 'graph': {
        const graphs = await backend.runGraph(runId!);
        ctx.out(ctx.options.json ? JSON.stringify(graphs, null, 2) : renderRunGraphs(graphs));
        return 0;
      }
      case 'cancel': {
        const run = await backend.cancelRun(runId!);
        ctx.out(run.status === 'cancelled' ? `cancelled ${run.id}` : `cancellation requested for ${run.id} (${run.status}); compensations run next`);
        return 0;
      }
      case 'redrive': {
        const from = ctx.options['from-step'];
        const fromStep = from === undefined ? undefined : /^\d+$/.test(String(from)) ? Number(from) : String(from);
        const run = await backend.redriveRun(runId!, fromStep);
        ctx.out(`redriven ${run.id}: queued again (generation ${run.generation})`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action}"\nusage: ${runsUsage}`);
    }
  });
}

async function list(ctx: CommandContext, backend: CliBackend): Promise<number> {
  const statusText = ctx.options.status === undefined ? undefined : String(ctx.options.status);
  const status = statusText?.split(',').map((s) => s.trim()) as RunStatus[] | undefined;
  const unknown = status?.filter((s) => !STATUSES.includes(s));
  if (unknown?.length) throw new UsageError(`unknown status ${unknown.join(', ')}; one of: ${STATUSES.join(', ')}`);
  const limit = ctx.options.limit === undefined ? 50 : Number(ctx.options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer`);
  const runs = await backend.listRuns({
    limit,
    ...(status ? { status } : {}),
    ...(ctx.options.workflow === undefined ? {} : { workflow: String(ctx.options.workflow) }),
  });
  if (ctx.options.json) {
    ctx.out(JSON.stringify(runs, null, 2));
    return 0;
  }
  if (runs.length === 0) {
    ctx.out('no runs');
    return 0;
  }
  ctx.out(
    table(
      ['id', 'workflow', 'status', 'created', 'took', 'error'],
      runs.map((run) => [
        run.id,
        run.workflow,
        run.status,
        formatTime(run.createdAt),
        formatDuration(run.finishedAt === null ? null : run.finishedAt - run.createdAt),
        run.error ? oneLine(`${run.error.code ?? run.error.name}: ${run.error.message}`, 60) : '',
      ]),
    ),
  );
  return 0;
}
