import { userInfo } from 'node:os';
import type { GraphView } from '../../agents/task-graph-view.js';
import type { HumanTaskStatus } from '../../store/human-task-records.js';
import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { formatDuration, oneLine, table } from '../output.js';

export const inboxUsage = 'homeostat inbox [--status open|completed|escalated] [--assignee WHO] [--run ID] [--limit N] [--json] | inbox complete <task-id> --result JSON [--by NAME]';

const STATUSES: readonly HumanTaskStatus[] = ['open', 'completed', 'escalated'];

function operator(ctx: CommandContext): string {
  if (typeof ctx.options.by === 'string') return `operator:${ctx.options.by}`;
  try {
    return `operator:${userInfo().username}`;
  } catch {
    return 'operator:unknown';
  }
}

/**
 * `homeostat inbox`: the human tasks task graphs routed to people, with their due time;
 * `inbox complete <id> --result JSON` answers one (through the API of a running `up`, as
 * its token; with `--local`, in the store, audited as `--by` or the OS user).
 */
export async function inboxCommand(ctx: CommandContext): Promise<number> {
  const [sub, id] = ctx.positionals;
  if (sub !== undefined && sub !== 'complete') throw new UsageError(`usage: ${inboxUsage}`);
  if (sub === 'complete') {
    if (!id) throw new UsageError(`inbox complete needs a task id\nusage: ${inboxUsage}`);
    const text = ctx.options.result;
    if (typeof text !== 'string') throw new UsageError(`inbox complete needs --result JSON (e.g. --result '{"approved":true}')`);
    let result: unknown;
    try {
      result = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--result is not JSON: ${(error as Error).message}`);
    }
    return withBackend(ctx, async (backend) => {
      const task = await backend.completeHumanTask(id, result, operator(ctx));
      ctx.out(`completed ${task.id} (${task.task} of run ${task.runId}); the run resumes`);
      return 0;
    });
  }
  const status = (ctx.options.status as string | undefined) ?? 'open';
  if (!STATUSES.includes(status as HumanTaskStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  const limitText = (ctx.options.limit as string | undefined) ?? '100';
  if (!/^[1-9][0-9]{0,3}$/.test(limitText)) throw new UsageError(`--limit must be a whole number from 1 to 9999, got ${JSON.stringify(limitText)}`);
  return withBackend(ctx, async (backend) => {
    const assignee = ctx.options.assignee as string | undefined;
    const runId = ctx.options.run as string | undefined;
    const tasks = await backend.listHumanTasks({ limit: Number(limitText), status: status as HumanTaskStatus, ...(assignee ? { assignee } : {}), ...(runId ? { runId } : {}) });
    if (ctx.options.json) {
      ctx.out(JSON.stringify(tasks, null, 2));
      return 0;
    }
    if (tasks.length === 0) {
      ctx.out(`no ${status} human tasks`);
      return 0;
    }
    const now = Date.now();
    const due = (dueAt: number | null) => (dueAt === null ? '-' : dueAt >= now ? `in ${formatDuration(dueAt - now)}` : `${formatDuration(now - dueAt)} ago`);
    ctx.out(
      table(
        ['id', 'task', 'assignee', 'status', 'due', 'age', 'input'],
        tasks.map((task) => [task.id, task.task, task.assignee, task.status === 'completed' ? `completed by ${task.completedBy ?? '?'}` : task.status === 'escalated' ? `escalated to ${task.completedBy ?? '?'}` : 'open', due(task.dueAt), formatDuration(now - task.createdAt), oneLine(JSON.stringify(task.input), 60)]),
      ),
    );
    return 0;
  });
}

/** `runs graph <id>`: each graph of the run as a table of its tasks. */
export function renderRunGraphs(graphs: GraphView[]): string {
  if (graphs.length === 0) return 'this run ran no task graph';
  return graphs
    .map((graph) =>
      [
        `graph ${graph.name}`,
        table(
          ['task', 'state', 'kind', 'routed to', 'after', 'attempts', 'agent / by', 'note'],
          graph.tasks.map((task) => [task.id, task.state, task.planner ? `${task.kind} (planner)` : task.kind, task.routedTo, task.dependsOn.join(',') || '-', String(task.attempts), task.agent ?? '-', task.error ?? (task.addedBy ? `added by ${task.addedBy}` : '-')]),
        ),
      ].join('\n'),
    )
    .join('\n\n');
}
