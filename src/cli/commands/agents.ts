import type { AgentView } from '../../agents/agent-health.js';
import type { AgentTaskView } from '../../api/shapes/agent.js';
import type { AgentTaskStatus } from '../../store/agent-records.js';
import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { formatDuration, table } from '../output.js';

export const agentsUsage = 'homeostat agents [--json] | agents tasks [--status queued|claimed|completed|failed|dead] [--run ID] [--limit N] [--json]';

const TASK_STATUSES: readonly AgentTaskStatus[] = ['queued', 'claimed', 'completed', 'failed', 'dead'];

/** Why a queued task waits, from the agents now: none alive with its capability, or all of them busy. */
export function queuedReason(task: Pick<AgentTaskView, 'capability'>, agents: AgentView[]): string {
  const capable = agents.filter((agent) => agent.capabilities.includes(task.capability));
  const alive = capable.filter((agent) => agent.health === 'alive');
  if (alive.length === 0) return `waiting: no live agent has ${task.capability}${capable.length > 0 ? ` (${capable.length} registered, none alive)` : ''}`;
  const free = alive.filter((agent) => agent.load < agent.capacity);
  if (free.length === 0) return `waiting: every live agent with ${task.capability} is at capacity (${alive.map((agent) => `${agent.name} ${agent.load}/${agent.capacity}`).join(', ')})`;
  return `waiting for ${free.map((agent) => agent.name).join(', ')} to claim it`;
}

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
      // A queued task says why it waits (the agents as they are now), a failed or dead one why it ended.
      const agents = tasks.some((task) => task.status === 'queued') ? await backend.listAgents() : [];
      ctx.out(
        table(
          ['task', 'capability', 'status', 'agent', 'generation', 'lapses', 'age', 'why'],
          tasks.map((task) => [task.id, task.capability, task.status, task.agent ?? '-', String(task.generation), `${task.lapses}/${task.maxLapses}`, formatDuration(now - task.createdAt), task.status === 'queued' ? queuedReason(task, agents) : (task.error ?? '-')]),
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
        ['agent', 'health', 'load', 'capabilities', 'version', 'owner', 'last heartbeat', 'reliability'],
        agents.map((agent) => [
          agent.quarantine ? `${agent.name} (quarantined)` : agent.name,
          agent.health,
          `${agent.load}/${agent.capacity}`,
          agent.capabilities.join(','),
          agent.version,
          agent.owner,
          `${formatDuration(agent.heartbeatAgeMs)} ago`,
          reliabilityText(agent),
        ]),
      ),
    );
    return 0;
  });
}

/** `92% (23/25)`, or `-` before the agent's first quorum vote. */
export function reliabilityText(agent: Pick<AgentView, 'reliability'>): string {
  const { votes, agreed, rate } = agent.reliability;
  return rate === null ? '-' : `${Math.round(rate * 100)}% (${agreed}/${votes})`;
}
