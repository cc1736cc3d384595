import type { AgentRecord, AgentTaskRecord } from '../store/agent-records.js';
import type { AgentRetirementRecord } from '../store/agent-retirement-records.js';
import type { AgentView } from './agent-health.js';

/**
 * Whether a retirement still fences the agent as it is registered now: always when its name
 * is fenced (no process homeostat runs), else until a registration after the retired one —
 * the fresh process the `replace` rung started. The claim's SQL says the same (RETIRED in
 * agent-retirement-tables.ts); this is its reading for the views and the loop.
 * @example retirementInForce({ freshAllowed: true, registeredAt: 100 }, { registeredAt: 250 }) // false: a fresh instance registered
 */
export function retirementInForce(retirement: Pick<AgentRetirementRecord, 'freshAllowed' | 'registeredAt'>, agent: Pick<AgentRecord, 'registeredAt'>): boolean {
  return !retirement.freshAllowed || agent.registeredAt <= retirement.registeredAt;
}

/**
 * Whether the tasks a retired agent held are in good hands: each one finished (completed,
 * failed or dead-lettered) or held by an agent that is alive and takes work (neither
 * quarantined nor retired). A task still queued — no capable agent took it — or held by one
 * that stopped heartbeating is not: the replacement has not done its job yet. Answers what is
 * not, in words, or '' when every task is.
 * @example orphanedTasks(['r:1'], tasksById, viewsByName) // 'r:1 is still queued'
 */
export function orphanedTasks(taskIds: readonly string[], tasks: ReadonlyMap<string, Pick<AgentTaskRecord, 'status' | 'agent'>>, agents: ReadonlyMap<string, Pick<AgentView, 'health' | 'quarantine' | 'retired'>>): string {
  const orphaned: string[] = [];
  for (const id of taskIds) {
    const task = tasks.get(id);
    if (!task || task.status === 'completed' || task.status === 'failed' || task.status === 'dead') continue;
    if (task.status === 'queued') {
      orphaned.push(`${id} is still queued`);
      continue;
    }
    const holder = task.agent === null ? undefined : agents.get(task.agent);
    if (!holder || holder.health !== 'alive' || holder.quarantine || holder.retired) orphaned.push(`${id} is held by ${task.agent ?? 'nobody'}, ${holder ? (holder.health !== 'alive' ? holder.health : 'which takes no work') : 'unknown'}`);
  }
  return orphaned.join('; ');
}
