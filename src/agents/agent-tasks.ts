import { HomeostatError } from '../errors/homeostat-error.js';
import { toMillis, type Duration } from '../resilience/duration.js';
import type { AgentStore } from '../store/ports/agent-store.js';
import type { WorkflowContext } from '../workflow/workflow-context.js';
import { taskSignalName, type AgentTaskOutcome } from './task-outcome.js';

export interface AgentTaskOptions {
  /** The capability an agent must have registered to take the task. */
  capability: string;
  /** JSON-serializable input, given to the agent as it is. */
  input: unknown;
  /** How long a claim lasts without a heartbeat of its agent (default 800 ms, like a worker's lease). */
  lease?: Duration;
  /** Lapsed leases — agents it outlived — before the task is dead-lettered (default 3). */
  maxLapses?: number;
  /** Give up waiting after this long: the call then throws HS_TIMEOUT (the task stays in the store). Default: wait. */
  timeout?: Duration;
}

export interface AgentTasksOptions {
  /** Defaults for every task. */
  lease?: Duration;
  maxLapses?: number;
}

/** Durable agent tasks for workflows: see {@link createAgentTasks}. */
export interface AgentTasks {
  /**
   * Hand `input` to a live agent with `capability` and wait durably for its result: a
   * durable step `task:<name>` creates the task (once: its id is `<run id>:<seq>`), and
   * the run waits for the signal its end sends. Replay returns the recorded result and
   * never dispatches again. Throws HS_STEP_FAILED (cause HS_AGENT_CAPABILITY_UNKNOWN) when
   * no agent has ever registered the capability, HS_AGENT_TASK_FAILED when the agent
   * failed it, HS_AGENT_TASK_DEAD_LETTERED when it outlived `maxLapses` agents.
   */
  task<O = unknown>(ctx: WorkflowContext, name: string, options: AgentTaskOptions): Promise<O>;
}

const DEFAULT_LEASE_MS = 800;
/** What agents may register as a capability (the API's registration schema says the same). */
export const CAPABILITY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const DEFAULT_MAX_LAPSES = 3;

/**
 * Agent tasks over `store` (docs/agents.md).
 * @example
 * const agents = createAgentTasks(store);
 * const report = defineWorkflow('report', async (ctx, topic: string) => agents.task<{ text: string }>(ctx, 'research', { capability: 'research', input: { topic } }));
 */
export function createAgentTasks(store: AgentStore, defaults: AgentTasksOptions = {}): AgentTasks {
  const defaultLease = toMillis(defaults.lease ?? DEFAULT_LEASE_MS);
  const defaultLapses = defaults.maxLapses ?? DEFAULT_MAX_LAPSES;
  return {
    async task<O>(ctx: WorkflowContext, name: string, options: AgentTaskOptions): Promise<O> {
      const leaseMs = options.lease === undefined ? defaultLease : toMillis(options.lease);
      const maxLapses = options.maxLapses ?? defaultLapses;
      if (!CAPABILITY.test(options.capability)) throw new HomeostatError('HS_AGENT_TASK_INVALID', `task "${name}": capability must be 1 to 100 letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(options.capability)}`);
      if (!Number.isInteger(maxLapses) || maxLapses < 1) throw new HomeostatError('HS_AGENT_TASK_INVALID', `task "${name}": maxLapses must be a whole number ≥ 1, got ${maxLapses}`);
      if (leaseMs < 1) throw new HomeostatError('HS_AGENT_TASK_INVALID', `task "${name}": the lease must be at least 1 ms`);
      const taskId = await ctx.step(`task:${name}`, async (step) => {
        const id = `${step.runId}:${step.seq}`;
        // A takeover replaying this step before its checkpoint finds the task it created.
        if (await store.getAgentTask(id)) return id;
        const known = await store.knownCapabilities();
        if (!known.includes(options.capability)) {
          throw new HomeostatError(
            'HS_AGENT_CAPABILITY_UNKNOWN',
            `task "${name}" needs capability ${JSON.stringify(options.capability)}, which no agent has ever registered (known: ${known.length > 0 ? known.join(', ') : 'none — no agent has registered yet'})`,
          );
        }
        await store.createAgentTask({ id, runId: step.runId, name, capability: options.capability, input: JSON.stringify(options.input ?? null), leaseMs, maxLapses, createdAt: Date.now() });
        return id;
      });
      const outcome = await ctx.waitForSignal<AgentTaskOutcome>(taskSignalName(taskId), options.timeout === undefined ? {} : { timeout: options.timeout });
      if (outcome === undefined) throw new HomeostatError('HS_TIMEOUT', `task "${name}" (${taskId}) had no result within ${String(options.timeout)}`);
      if (outcome.status === 'completed') return outcome.result as O;
      if (outcome.status === 'dead') throw new HomeostatError('HS_AGENT_TASK_DEAD_LETTERED', `task "${name}" (${taskId}) was dead-lettered: ${outcome.error}`);
      throw new HomeostatError('HS_AGENT_TASK_FAILED', `task "${name}" (${taskId}) failed on agent ${outcome.agent ?? '?'}: ${outcome.error}`);
    },
  };
}
