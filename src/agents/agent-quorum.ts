import { HomeostatError } from '../errors/homeostat-error.js';
import { toMillis, type Duration } from '../resilience/duration.js';
import type { AgentQuorumVoteRecord } from '../store/agent-quorum-records.js';
import type { AgentQuorumStore } from '../store/ports/agent-quorum-store.js';
import type { AgentStore } from '../store/ports/agent-store.js';
import type { WorkflowContext } from '../workflow/workflow-context.js';
import { CAPABILITY } from './agent-tasks.js';
import { resolveComparator, type QuorumComparator } from './quorum-comparators.js';
import { decideQuorum, type Ballot, type QuorumDecision } from './quorum-decision.js';
import { taskSignalName, type AgentTaskOutcome } from './task-outcome.js';

interface QuorumShape {
  /** How many answers to ask for: n distinct agents, or n samples. */
  n: number;
  /** How many must agree for an answer to be accepted (1 ≤ k ≤ n; above n/2 for a majority). */
  k: number;
  comparator: QuorumComparator;
}

export interface AgentQuorumOptions extends QuorumShape {
  capability: string;
  input: unknown;
  /** Each sub-task's lease (default 800 ms) and lapses before it is dead-lettered (default 3), as for `agents.task`. */
  lease?: Duration;
  maxLapses?: number;
  /** Give up waiting for the answers after this long: HS_TIMEOUT (the sub-tasks stay in the store). */
  timeout?: Duration;
}

export interface SampleQuorumOptions<T> extends QuorumShape {
  /** The i-th answer (0-based), made durably: e.g. `(i) => models.call(ctx, \`extract#${i}\`, …).then((r) => r.value)`. */
  sample: (index: number) => Promise<T>;
}

/** The accepted answer with who agreed and who dissented. */
export interface QuorumResult<T> {
  answer: T;
  quorumId: string;
  agreed: string[];
  dissenters: string[];
}

/** Quorum tasks for workflows: see {@link createAgentQuorum}. */
export interface AgentQuorum {
  /**
   * Hand `input` to n distinct live agents with `capability` and accept the answer k of
   * them agree on. Durable like `agents.task`: the quorum and its n sub-tasks are created
   * once (step `quorum:<name>`), the run waits for each sub-task's signal, and the decision
   * with every vote is recorded by step `quorum-decide:<name>` — replay returns the accepted
   * answer and never dispatches again. Throws HS_AGENT_QUORUM_NOT_REACHED, listing the
   * answers seen, when fewer than k agree.
   */
  agents<T = unknown>(ctx: WorkflowContext, name: string, options: AgentQuorumOptions): Promise<QuorumResult<T>>;
  /** The same over n samples the caller makes (a model's, each its own durable step); voters are `sample:<i>`. */
  samples<T = unknown>(ctx: WorkflowContext, name: string, options: SampleQuorumOptions<T>): Promise<QuorumResult<T>>;
}

const DEFAULT_LEASE_MS = 800;
const DEFAULT_MAX_LAPSES = 3;
const MAX_N = 50;

/**
 * Quorum over agents or samples (docs/agents.md#quorum).
 * @example
 * const quorum = createAgentQuorum(store);
 * const facts = defineWorkflow('facts', async (ctx, text: string) => (await quorum.agents<string[]>(ctx, 'extract', { capability: 'extract', input: { text }, n: 3, k: 2, comparator: 'json' })).answer);
 */
export function createAgentQuorum(store: AgentStore & AgentQuorumStore, now: () => number = Date.now): AgentQuorum {
  return {
    async agents<T>(ctx: WorkflowContext, name: string, options: AgentQuorumOptions): Promise<QuorumResult<T>> {
      const comparator = checkShape(name, options);
      if (!CAPABILITY.test(options.capability)) throw new HomeostatError('HS_AGENT_TASK_INVALID', `quorum "${name}": capability must be 1 to 100 letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(options.capability)}`);
      const leaseMs = options.lease === undefined ? DEFAULT_LEASE_MS : toMillis(options.lease);
      const maxLapses = options.maxLapses ?? DEFAULT_MAX_LAPSES;
      if (!Number.isInteger(maxLapses) || maxLapses < 1) throw new HomeostatError('HS_AGENT_TASK_INVALID', `quorum "${name}": maxLapses must be a whole number ≥ 1, got ${maxLapses}`);
      if (leaseMs < 1) throw new HomeostatError('HS_AGENT_TASK_INVALID', `quorum "${name}": the lease must be at least 1 ms`);
      const created = await ctx.step(`quorum:${name}`, async (step) => {
        const quorumId = `${step.runId}:${step.seq}`;
        const taskIds = Array.from({ length: options.n }, (_, i) => `${quorumId}:q${i + 1}`);
        if (await store.getAgentQuorum(quorumId)) return { quorumId, taskIds };
        const known = await store.knownCapabilities();
        if (!known.includes(options.capability)) {
          throw new HomeostatError('HS_AGENT_CAPABILITY_UNKNOWN', `quorum "${name}" needs capability ${JSON.stringify(options.capability)}, which no agent has ever registered (known: ${known.length > 0 ? known.join(', ') : 'none'})`);
        }
        const input = JSON.stringify(options.input ?? null);
        await store.createAgentQuorum(
          { id: quorumId, runId: step.runId, name, capability: options.capability, n: options.n, k: options.k, comparator: comparator.describe, createdAt: now() },
          taskIds.map((id) => ({ id, runId: step.runId, name, capability: options.capability, input, leaseMs, maxLapses })),
        );
        return { quorumId, taskIds };
      });
      const outcomes = await Promise.all(
        created.taskIds.map((id) => ctx.waitForSignal<AgentTaskOutcome>(taskSignalName(id), options.timeout === undefined ? {} : { timeout: options.timeout })),
      );
      const ballots: Ballot[] = outcomes.map((outcome, i) => {
        const taskId = created.taskIds[i]!;
        if (outcome === undefined) throw new HomeostatError('HS_TIMEOUT', `quorum "${name}" (${created.quorumId}): sub-task ${taskId} had no result within ${String(options.timeout)}`);
        if (outcome.status === 'completed') return { voter: outcome.agent, taskId, answered: true, answer: outcome.result };
        return { voter: outcome.agent ?? `unassigned:${i + 1}`, taskId, answered: false, error: `${outcome.status}: ${outcome.error}` };
      });
      return decide<T>(ctx, store, name, created.quorumId, options.k, comparator.equals, ballots, now);
    },

    async samples<T>(ctx: WorkflowContext, name: string, options: SampleQuorumOptions<T>): Promise<QuorumResult<T>> {
      const comparator = checkShape(name, options);
      const quorumId = await ctx.step(`quorum:${name}`, async (step) => {
        const id = `${step.runId}:${step.seq}`;
        await store.createAgentQuorum({ id, runId: step.runId, name, capability: null, n: options.n, k: options.k, comparator: comparator.describe, createdAt: now() }, []);
        return id;
      });
      const ballots = await Promise.all(
        Array.from({ length: options.n }, async (_, i): Promise<Ballot> => {
          const voter = `sample:${i + 1}`;
          try {
            return { voter, taskId: null, answered: true, answer: await options.sample(i) };
          } catch (error) {
            return { voter, taskId: null, answered: false, error: error instanceof Error ? error.message : String(error) };
          }
        }),
      );
      return decide<T>(ctx, store, name, quorumId, options.k, comparator.equals, ballots, now);
    },
  };
}

function checkShape(name: string, options: QuorumShape) {
  if (!Number.isInteger(options.n) || options.n < 1 || options.n > MAX_N) throw new HomeostatError('HS_AGENT_TASK_INVALID', `quorum "${name}": n must be a whole number from 1 to ${MAX_N}, got ${options.n}`);
  if (!Number.isInteger(options.k) || options.k < 1 || options.k > options.n) throw new HomeostatError('HS_AGENT_TASK_INVALID', `quorum "${name}": k must be a whole number from 1 to n (${options.n}), got ${options.k}`);
  return resolveComparator(options.comparator);
}

/** The decision, as a durable step: replay returns the recorded one (the comparator is not run again). */
async function decide<T>(
  ctx: WorkflowContext,
  store: AgentQuorumStore,
  name: string,
  quorumId: string,
  k: number,
  equals: (a: unknown, b: unknown) => boolean,
  ballots: Ballot[],
  now: () => number,
): Promise<QuorumResult<T>> {
  const decision = await ctx.step(`quorum-decide:${name}`, async (): Promise<QuorumDecision> => {
    const decided = decideQuorum(ballots, k, equals);
    const at = now();
    const agreed = new Set(decided.accepted ? decided.agreed : []);
    // Only answers are votes: a sub-task that died with its agents says nothing about anyone's reliability.
    const votes: AgentQuorumVoteRecord[] = ballots.flatMap((ballot) => (ballot.answered ? [{ quorumId, voter: ballot.voter, taskId: ballot.taskId, agreed: agreed.has(ballot.voter), answer: JSON.stringify(ballot.answer ?? null), at }] : []));
    await store.decideAgentQuorum(
      quorumId,
      decided.accepted ? { status: 'accepted', answer: JSON.stringify(decided.answer ?? null), detail: decided.dissenters.length > 0 ? `dissenters: ${decided.dissenters.join(', ')}` : null } : { status: 'no-quorum', answer: null, detail: describeNoQuorum(decided, k, ballots.length) },
      votes,
      at,
    );
    return decided;
  });
  if (!decision.accepted) throw new HomeostatError('HS_AGENT_QUORUM_NOT_REACHED', `quorum "${name}" (${quorumId}): ${describeNoQuorum(decision, k, ballots.length)}`);
  return { answer: decision.answer as T, quorumId, agreed: decision.agreed, dissenters: decision.dissenters };
}

function describeNoQuorum(decision: Extract<QuorumDecision, { accepted: false }>, k: number, n: number): string {
  const largest = Math.max(0, ...decision.groups.map((group) => group.voters.length));
  const seen = decision.groups.map((group) => `${JSON.stringify(group.answer)} from ${group.voters.join(', ')}`);
  const none = decision.unanswered.map((u) => `${u.voter} gave none (${u.error})`);
  return `no ${k} of ${n} answers agreed (at most ${largest} did); answers seen: ${[...seen, ...none].join('; ') || 'none'}`.slice(0, 4_000);
}
