import { userInfo } from 'node:os';
import type { AgentView } from '../../agents/agent-health.js';
import type { OperatorAgentOutcome } from '../../agents/operator-agent-control.js';
import type { AgentTaskView } from '../../api/shapes/agent.js';
import type { AgentTaskStatus } from '../../store/agent-records.js';
import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { formatDuration, table } from '../output.js';

export const agentsUsage =
  'homeostat agents [--json] | agents tasks [--status queued|claimed|completed|failed|dead] [--run ID] [--limit N] [--json] | agents quarantine|release <name> [--reason TEXT] [--by NAME]';

const actor = (ctx: CommandContext): string => {
  if (typeof ctx.options.by === 'string') return `operator:${ctx.options.by}`;
  try {
    return `operator:${userInfo().username}`;
  } catch {
    return 'operator:unknown';
  }
};

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
 * `agents quarantine|release <name>`: an operator's hand on an agent (operator-agent-control.ts).
 */
export async function agentsCommand(ctx: CommandContext): Promise<number> {
  const [sub, name, ...extra] = ctx.positionals;
  if (sub === 'quarantine' || sub === 'release') {
    if (!name || extra.length > 0) throw new UsageError(`agents ${sub} takes one agent name\nusage: ${agentsUsage}`);
    return withBackend(ctx, async (backend) => {
      const outcome = await backend.setAgentQuarantine(name, sub, ctx.options.reason as string | undefined, actor(ctx));
      if (ctx.options.json) ctx.out(JSON.stringify(outcome, null, 2));
      else ctx.out(operatorOutcomeText(sub, outcome));
      return 0;
    });
  }
  if (sub !== undefined && (sub !== 'tasks' || name !== undefined)) throw new UsageError(`usage: ${agentsUsage}`);
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
          agent.retired ? `${agent.name} (retired)` : agent.quarantine ? `${agent.name} (quarantined)` : agent.name,
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

/** What an operator's quarantine or release did, in one line. */
export function operatorOutcomeText(action: 'quarantine' | 'release', outcome: OperatorAgentOutcome): string {
  const name = outcome.agent.name;
  if (action === 'quarantine') {
    const tasks = outcome.requeued.length === 0 ? 'it held no task' : `${outcome.requeued.length} task(s) it held went back to the queue (${outcome.requeued.join(', ')})`;
    return `quarantined ${name}: it claims no task until an operator releases it (the loop does not); ${tasks}`;
  }
  if (!outcome.released && !outcome.unretired) return `${name} was neither quarantined nor retired: nothing to release`;
  return `released ${name}${outcome.unretired ? ' (its retirement lifted)' : ''}: it claims tasks again; its reliability starts over`;
}

/** `92% (23/25)`, or `-` before the agent's first quorum vote. */
export function reliabilityText(agent: Pick<AgentView, 'reliability'>): string {
  const { votes, agreed, rate } = agent.reliability;
  return rate === null ? '-' : `${Math.round(rate * 100)}% (${agreed}/${votes})`;
}
