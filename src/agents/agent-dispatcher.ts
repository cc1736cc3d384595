import { HomeostatError, isHomeostatError } from '../errors/homeostat-error.js';
import type { AgentRecord, AgentTaskFinish, AgentTaskRecord } from '../store/agent-records.js';
import type { AgentStore } from '../store/ports/agent-store.js';
import type { AgentQuorumStore } from '../store/ports/agent-quorum-store.js';
import type { AgentRetirementStore } from '../store/ports/agent-retirement-store.js';
import type { AgentView } from './agent-health.js';
import { listAgentViews } from './agent-standing.js';
import { taskSignalName, type AgentTaskOutcome } from './task-outcome.js';

/** What an agent says about itself when it registers. */
export interface AgentRegistration {
  name: string;
  capabilities: string[];
  version: string;
  capacity: number;
  owner: string;
  /** The interval it promises to heartbeat at (default 200 ms): its health is judged against it. */
  heartbeatMs?: number;
}

/** A task as its agent receives it: the input parsed, and the generation to answer under. */
export interface DispatchedTask {
  id: string;
  runId: string;
  name: string;
  capability: string;
  input: unknown;
  generation: number;
  leaseMs: number;
  leaseExpiresAt: number;
}

/** Sends a run a signal (`engine.signal`); throws when the run does not exist. */
export type SendSignal = (runId: string, name: string, payload: unknown) => Promise<void>;

export const DEFAULT_AGENT_HEARTBEAT_MS = 200;

/**
 * The server side of the agent protocol (docs/agents.md): registrations bound to the
 * token that made them, heartbeats that renew leases, claims by capability and capacity,
 * results fenced by generation, and the sweep that requeues lapsed tasks or dead-letters
 * them. Every task that ends — completed, failed, dead-lettered — is told to its run as
 * the signal `agent-task:<id>`.
 *
 * Every method that acts as an agent takes the id of the token the request came with: the
 * agent's name is bound to the token that registered it.
 */
export class AgentDispatcher {
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: AgentStore & AgentQuorumStore & AgentRetirementStore,
    private readonly signal: SendSignal,
    private readonly now: () => number = Date.now,
    /** Told when a finished task could not be told to its run (the run was deleted, the store failed). */
    private readonly onSignalError: (error: unknown, task: AgentTaskRecord) => void = () => {},
  ) {}

  async register(registration: AgentRegistration, tokenId: string): Promise<AgentRecord> {
    const capabilities = [...new Set(registration.capabilities)].sort();
    const written = await this.store.registerAgent(
      { ...registration, capabilities, heartbeatMs: registration.heartbeatMs ?? DEFAULT_AGENT_HEARTBEAT_MS, tokenId },
      this.now(),
    );
    if (!written.registered) throw notOwned(registration.name);
    return written.agent;
  }

  /** Renew the agent's leases; answers the tasks it still holds (one missing from it was lost: drop it). */
  async heartbeat(name: string, tokenId: string): Promise<{ held: { id: string; generation: number }[] }> {
    await this.owned(name, tokenId);
    const beat = await this.store.heartbeatAgent(name, this.now());
    if (!beat) throw notRegistered(name);
    return beat;
  }

  /** Up to the agent's free capacity of queued tasks of its capabilities, each under a new generation. */
  async claim(name: string, tokenId: string): Promise<DispatchedTask[]> {
    await this.owned(name, tokenId);
    const claimed = await this.store.claimAgentTasks(name, this.now());
    if (!claimed) throw notRegistered(name);
    await this.tellDeadLetters(claimed.swept);
    return claimed.tasks.map((task) => ({ ...task, input: JSON.parse(task.input) as unknown, leaseExpiresAt: task.leaseExpiresAt ?? 0 }));
  }

  /** Accept the result of a task the agent holds under `generation`, and wake its run; anything else is HS_AGENT_TASK_FENCED. */
  async complete(name: string, tokenId: string, taskId: string, generation: number, result: unknown): Promise<{ repeated: boolean }> {
    await this.owned(name, tokenId);
    const finish = await this.store.completeAgentTask(taskId, name, generation, JSON.stringify(result ?? null), this.now());
    return this.afterFinish(finish, taskId, name, generation, { status: 'completed', result: result ?? null, agent: name });
  }

  /** The agent gave up on a task it holds: terminal for the task; its run's step throws HS_AGENT_TASK_FAILED. */
  async fail(name: string, tokenId: string, taskId: string, generation: number, error: string): Promise<{ repeated: boolean }> {
    await this.owned(name, tokenId);
    const finish = await this.store.failAgentTask(taskId, name, generation, error, this.now());
    return this.afterFinish(finish, taskId, name, generation, { status: 'failed', error, agent: name });
  }

  /** Requeue lapsed tasks, dead-letter the ones at their last lapse and tell their runs. */
  async sweep(): Promise<AgentTaskRecord[]> {
    const swept = await this.store.sweepAgentTasks(this.now());
    await this.tellDeadLetters(swept);
    return swept;
  }

  /** Sweep every `intervalMs` (a lapsed task with no capable agent left still reaches its end); `stop()` ends it. */
  startSweeping(intervalMs: number, onError: (error: unknown) => void = () => {}): void {
    if (this.sweeper) return;
    let running = false;
    this.sweeper = setInterval(() => {
      if (running) return;
      running = true;
      this.sweep().catch(onError).finally(() => (running = false));
    }, intervalMs);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Every agent with its health and load now. */
  async list(): Promise<AgentView[]> {
    return listAgentViews(this.store, this.now());
  }

  private async owned(name: string, tokenId: string): Promise<void> {
    const agent = await this.store.getAgent(name);
    if (!agent) throw notRegistered(name);
    if (agent.tokenId !== tokenId) throw notOwned(name);
  }

  private async afterFinish(finish: AgentTaskFinish, taskId: string, name: string, generation: number, outcome: AgentTaskOutcome): Promise<{ repeated: boolean }> {
    if (finish.outcome === 'refused') {
      if (!finish.task) throw new HomeostatError('HS_AGENT_TASK_NOT_FOUND', `no agent task ${JSON.stringify(taskId)}`);
      const task = finish.task;
      const why = task.generation !== generation
        ? `its lease lapsed and the task is at generation ${task.generation} now${task.agent ? `, held by ${task.agent}` : ''}`
        : `the task is ${task.status}${task.agent && task.agent !== name ? ` (${task.agent})` : ''}`;
      throw new HomeostatError('HS_AGENT_TASK_FENCED', `agent ${name} does not hold task ${taskId} under generation ${generation}: ${why}; its answer is refused`);
    }
    // A repeat re-sends the signal too: the first send may be what failed. The run consumes one.
    await this.tell(finish.task, outcome);
    return { repeated: finish.outcome === 'repeated' };
  }

  private async tellDeadLetters(swept: AgentTaskRecord[]): Promise<void> {
    for (const task of swept) {
      if (task.status === 'dead') await this.tell(task, { status: 'dead', error: task.error ?? 'dead-lettered', agent: task.agent }).catch(() => {});
    }
  }

  private async tell(task: AgentTaskRecord, outcome: AgentTaskOutcome): Promise<void> {
    try {
      await this.signal(task.runId, taskSignalName(task.id), outcome);
    } catch (error) {
      this.onSignalError(error, task);
      // A run deleted meanwhile has nobody to tell: the result stands. Anything else (the
      // store failing) is the caller's to retry, and a repeated answer re-sends.
      if (!isHomeostatError(error, 'HS_RUN_NOT_FOUND')) throw error;
    }
  }
}

function notOwned(name: string): HomeostatError {
  return new HomeostatError('HS_AGENT_NOT_OWNED', `agent ${JSON.stringify(name)} was registered with another token: this token may not act as it`);
}

function notRegistered(name: string): HomeostatError {
  return new HomeostatError('HS_AGENT_NOT_REGISTERED', `no agent ${JSON.stringify(name)} is registered: register it first (POST /api/agents/register)`);
}
