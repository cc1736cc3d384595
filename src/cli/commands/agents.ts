import type { AgentTaskStatus } from '../../store/agent-records.js';
import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { formatDuration, table } from '../output.js';

export const agentsUsage = 'homeostat agents [--json] | agents tasks [--status queued|claimed|completed|failed|dead] [--run ID] [--limit N] [--json]';

const TASK_STATUSES: readonly AgentTaskStatus[] = ['queued', 'claimed', 'completed', 'failed', 'dead'];

/**
 * `homeostat agents`: every registered agent with its health (alive, late, dead from the
 * heartbeat's age) and load (tasks in flight against capacity). `agents tasks`: the tasks
 * dispatched to agents; `--status dead` is the dead-letter queue, with why.
 */
export async function agentsCommand(ctx: CommandContext): Promise<number> {
  const [sub] = ctx.positionals;
  if (sub !== undefined && sub !== 'tasks') throw new UsageError(`usage: ${agentsUsage}`);
  const status = ctx.options.status as string | undefined;
  if (status !== undefined && !TASK_STATUSES.includes(status as AgentTaskStatus)) throw new UsageError(`--status must be one of ${TASK_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  const limitText = (ctx.options.limit as string | undefined) ?? '100';
  if (!/^[1-9][0-9]{0,3}$/.test(limitText)) throw new UsageError(`--limit must be a whole number from 1 to 9999, got ${JSON.stringify(limitText)}`);
  return withBackend(ctx, async (backend) => {
    if (sub === 'tasks') {
      const runId = ctx.options.run as string | undefined;
      const tasks = await backend.listAgentTasks({ limit: Number(limitText), ...(status ? { status: status as AgentTaskStatus } : {}), ...(runId ? { runId } : {}) });
      if (ctx.options.json) {
        ctx.out(JSON.stringify(tasks, null, 2));
        return 0;
      }
      if (tasks.length === 0) {
        ctx.out(status ? `no ${status} agent tasks` : 'no agent tasks');
        return 0;
      }
      const now = Date.now();
      ctx.out(
        table(
          ['task', 'capability', 'status', 'agent', 'generation', 'lapses', 'age', 'error'],
          tasks.map((task) => [task.id, task.capability, task.status, task.agent ?? '-', String(task.generation), `${task.lapses}/${task.maxLapses}`, formatDuration(now - task.createdAt), task.error ?? '-']),
        ),
      );
      return 0;
    }
    const agents = await backend.listAgents();
    if (ctx.options.json) {
      ctx.out(JSON.stringify(agents, null, 2));
      return 0;
    }
    if (agents.length === 0) {
      ctx.out('no agents registered');
      return 0;
    }
    ctx.out(
      table(
        ['agent', 'health', 'load', 'capabilities', 'version', 'owner', 'last heartbeat'],
        agents.map((agent) => [agent.name, agent.health, `${agent.load}/${agent.capacity}`, agent.capabilities.join(','), agent.version, agent.owner, `${formatDuration(agent.heartbeatAgeMs)} ago`]),
      ),
    );
    return 0;
  });
}
