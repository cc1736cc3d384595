import { HomeostatError } from '../errors/homeostat-error.js';
import { toMillis, type Duration } from '../resilience/duration.js';
import type { AgentStore } from '../store/ports/agent-store.js';
import type { HumanTaskStore } from '../store/ports/human-task-store.js';
import type { WorkflowContext } from '../workflow/workflow-context.js';
import { humanTaskSignalName, type HumanTaskOutcome } from './human-task-outcome.js';
import { taskSignalName, type AgentTaskOutcome } from './task-outcome.js';
import { graphTaskData, validateTaskGraph, type GraphTask, type GraphTaskInput, type TaskGraph } from './task-graph-spec.js';

/** Who is told when a human task lapses (the audit log: `Knowledge.audit`). */
export interface EscalationAudit {
  append(actor: string, action: string, subject: string, data?: unknown): Promise<unknown>;
}

export interface TaskGraphsOptions {
  store: AgentStore & HumanTaskStore;
  /** Where escalations of lapsed human tasks are recorded. */
  audit?: EscalationAudit;
  /** Defaults for the graph's agent tasks (800 ms and 3, like `agents.task`). */
  lease?: Duration;
  maxLapses?: number;
}

/** One task started in a wave: the wave step's recorded output. */
export interface WaveEntry {
  task: string;
  attempt: number;
  /** The agent task's id (capability tasks). */
  agentTaskId?: string;
  /** The human task's id (human tasks). */
  humanTaskId?: string;
  /** The human task was reassigned to this fallback after its due time lapsed. */
  escalatedTo?: string;
}

export type GraphTaskState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** What a graph run returns: every task's state, and the outputs of the completed ones. */
export interface TaskGraphResult {
  states: Record<string, GraphTaskState>;
  outputs: Record<string, unknown>;
}

type Settled = { entry: WaveEntry; ok: true; output: unknown } | { entry: WaveEntry; ok: false; error: string } | { entry: WaveEntry; ok: false; lapsed: true };

/** The steps a graph writes, by name: the graph view reads them back. */
export const graphStepNames = (graph: string) => ({
  start: `graph:${graph}:start`,
  wave: (n: number) => `graph:${graph}:wave:${n}`,
  expand: (task: string) => `graph:${graph}:expand:${task}`,
  run: (task: string, attempt: number) => `graph:${graph}:run:${task}#${attempt}`,
  done: (task: string) => `graph:${graph}:done:${task}`,
});

/**
 * The signal that cancels a subtree of graph `graph`: payload `{ "task": "<id>" }`. The
 * task (if it has not started) and every task depending on it that has not started are
 * cancelled at the next wave; tasks already in flight finish. Send it with
 * `homeostat signal <run> graph-cancel:<graph> --payload '{"task":"b"}'` (operators, audited).
 */
export function graphCancelSignal(graph: string): string {
  return `graph-cancel:${graph}`;
}

const DEFAULT_LEASE_MS = 800;
const DEFAULT_MAX_LAPSES = 3;

/** Durable task graphs: see {@link createTaskGraphs}. */
export interface TaskGraphs {
  /**
   * Run `graph` inside the workflow: validated up front, then in waves — every task whose
   * dependencies are done starts, each routed to an agent by capability, to a human's
   * inbox, or run as a code step, and the wave's results decide the next one. Throws
   * HS_STEP_FAILED (cause HS_TASK_GRAPH_INVALID) for a bad graph, HS_TASK_GRAPH_FAILED
   * when a task fails past its retries.
   */
  run(ctx: WorkflowContext, graph: TaskGraph): Promise<TaskGraphResult>;
}

/**
 * Task graphs over the store (docs/agents.md, task graphs).
 * @example
 * const graphs = createTaskGraphs({ store });
 * const out = await graphs.run(ctx, { name: 'report', tasks: [{ id: 'a', capability: 'research' }, { id: 'b', capability: 'research' }, { id: 'merge', run: ({ deps }) => [deps.a, deps.b], dependsOn: ['a', 'b'] }] });
 * @example await graphs.run(ctx, { name: 'bad', tasks: [{ id: 'a', capability: 'x', dependsOn: ['b'] }] }); // throws: "a" depends on "b", which is not a task of the graph
 */
export function createTaskGraphs(options: TaskGraphsOptions): TaskGraphs {
  const { store } = options;
  const leaseMs = options.lease === undefined ? DEFAULT_LEASE_MS : toMillis(options.lease);
  const maxLapses = options.maxLapses ?? DEFAULT_MAX_LAPSES;

  /** Capabilities of `tasks` no agent ever registered, as an error naming the tasks. */
  async function checkCapabilities(graph: string, tasks: readonly GraphTask[]): Promise<void> {
    const known = new Set(await store.knownCapabilities());
    const unknown = tasks.filter((task) => task.capability !== undefined && !known.has(task.capability));
    if (unknown.length > 0) {
      const named = unknown.map((task) => `task "${task.id}" needs capability ${JSON.stringify(task.capability)}`).join('; ');
      throw new HomeostatError('HS_TASK_GRAPH_INVALID', `task graph "${graph}": ${named}, which no agent has ever registered (known: ${known.size > 0 ? [...known].sort().join(', ') : 'none'})`);
    }
  }

  return {
    async run(ctx, graph) {
      const steps = graphStepNames(graph.name);
      const byId = new Map<string, GraphTask>();
      // Validated in the step too, so a bad graph is a recorded failed step naming the task.
      await ctx.step(steps.start, async () => {
        validateTaskGraph(graph);
        await checkCapabilities(graph.name, graph.tasks);
        return graph.tasks.map(graphTaskData);
      }, { retry: false });
      for (const task of graph.tasks) byId.set(task.id, task);
      const order: string[] = graph.tasks.map((task) => task.id);
      const states = new Map<string, GraphTaskState>(order.map((id) => [id, 'pending']));
      const outputs = new Map<string, unknown>();
      const attempts = new Map<string, number>();
      const added = new Map<string, string[]>();
      const escalateTo = new Map<string, string>();
      let failure: string | undefined;

      /** A task's dependencies with each planner's added tasks (and theirs) in its place as well. */
      const effectiveDeps = (task: GraphTask): string[] => {
        const all: string[] = [];
        const visit = (id: string) => {
          if (all.includes(id)) return;
          all.push(id);
          for (const child of added.get(id) ?? []) visit(child);
        };
        for (const dep of task.dependsOn ?? []) visit(dep);
        return all;
      };

      const cancelDependents = (failed: string) => {
        for (const id of order) {
          if (states.get(id) !== 'pending') continue;
          if (effectiveDeps(byId.get(id)!).includes(failed)) {
            states.set(id, 'cancelled');
            cancelDependents(id);
          }
        }
      };

      for (let wave = 1; failure === undefined; wave++) {
        // Cancellations sent since the last wave, each taken at a fixed position (a zero
        // timeout never suspends): the subtree's tasks that have not started never will.
        for (;;) {
          const cancel = await ctx.waitForSignal<{ task?: unknown }>(graphCancelSignal(graph.name), { timeout: 0 });
          if (cancel === undefined) break;
          const root = typeof cancel?.task === 'string' ? cancel.task : undefined;
          if (root === undefined || !states.has(root)) continue;
          // The whole subtree, through tasks already running or done: only what has not started is cancelled.
          const subtree = new Set([root]);
          for (let grew = true; grew; ) {
            grew = false;
            for (const id of order) {
              if (subtree.has(id) || !effectiveDeps(byId.get(id)!).some((dep) => subtree.has(dep))) continue;
              subtree.add(id);
              grew = true;
            }
          }
          for (const id of subtree) if (states.get(id) === 'pending') states.set(id, 'cancelled');
        }
        const ready = order.filter((id) => states.get(id) === 'pending' && effectiveDeps(byId.get(id)!).every((dep) => states.get(dep) === 'completed'));
        if (ready.length === 0) break;
        const inputs = new Map(ready.map((id) => [id, inputOf(byId.get(id)!, effectiveDeps(byId.get(id)!), outputs)]));
        for (const id of ready) states.set(id, 'running');
        const entries = await ctx.step(steps.wave(wave), async (step) => {
          const now = Date.now();
          const created: WaveEntry[] = [];
          for (const id of ready) {
            const task = byId.get(id)!;
            const attempt = (attempts.get(id) ?? 0) + 1;
            const taskId = `${step.runId}:${step.seq}:${id}`;
            const input = JSON.stringify(inputs.get(id));
            if (task.capability !== undefined) {
              await store.createAgentTask({ id: taskId, runId: step.runId, name: id, capability: task.capability, input, leaseMs: task.lease === undefined ? leaseMs : toMillis(task.lease), maxLapses: task.maxLapses ?? maxLapses, createdAt: now });
              created.push({ task: id, attempt, agentTaskId: taskId });
            } else if (task.human !== undefined) {
              const fallback = escalateTo.get(id);
              const assignee = fallback ?? task.human.assignee;
              // A reassignment has no due time of its own: one escalation per task, then it waits for its fallback.
              const dueAt = fallback === undefined && task.human.due !== undefined ? now + toMillis(task.human.due) : null;
              await store.createHumanTask({ id: taskId, runId: step.runId, task: id, assignee, input, dueAt, createdAt: now });
              created.push({ task: id, attempt, humanTaskId: taskId, ...(fallback === undefined ? {} : { escalatedTo: fallback }) });
            } else {
              created.push({ task: id, attempt });
            }
          }
          return created;
        }, { retry: false });
        // Every wait is taken here, in the wave's order and before any settles: replay
        // meets the same durable operations at the same positions whatever finished first.
        const settled = await Promise.all(entries.map((entry) => settle(ctx, byId.get(entry.task)!, entry, inputs.get(entry.task)!, steps)));
        for (const result of settled) {
          const { task: id, attempt } = result.entry;
          const task = byId.get(id)!;
          attempts.set(id, attempt);
          if (result.ok) {
            outputs.set(id, result.output);
            states.set(id, 'completed');
            if (task.compensate) {
              const compensate = task.compensate;
              // A step with nothing to do but carry the compensation: the engine undoes it if the run fails.
              await ctx.step(steps.done(id), () => null, { compensate: () => compensate(result.output) });
            }
            if (task.planner) {
              const expansion = await ctx.step(steps.expand(id), async () => {
                const proposed = (result.output as { tasks?: unknown } | null)?.tasks;
                const tasks = (Array.isArray(proposed) ? proposed : []) as GraphTask[];
                // What a planner adds is recorded as data and read back on replay: code would be lost on the way.
                const withCode = tasks.find((t) => typeof t === 'object' && t !== null && (t.run !== undefined || t.compensate !== undefined));
                if (withCode) throw new HomeostatError('HS_TASK_GRAPH_INVALID', `task graph "${graph.name}": planner "${id}" added task "${withCode.id}" with code (run or compensate): a planner adds agent or human tasks only`);
                validateTaskGraph({ name: graph.name, tasks: tasks.filter((t) => t !== null) }, [...byId.values()]);
                await checkCapabilities(graph.name, tasks);
                return tasks.map(graphTaskData);
              }, { retry: false });
              added.set(id, expansion.map((t) => t.id));
              for (const t of expansion) {
                byId.set(t.id, t as GraphTask);
                order.push(t.id);
                states.set(t.id, 'pending');
              }
            }
          } else if ('lapsed' in result) {
            const human = task.human!;
            const to = human.fallback ?? human.assignee;
            const escalation = await ctx.step(`graph:${graph.name}:escalate:${id}`, async () => {
              const { escalated, task: row } = await store.escalateHumanTask(result.entry.humanTaskId!, to, Date.now());
              if (escalated) await options.audit?.append(`workflow:${ctx.workflowName}`, 'human-task.escalated', result.entry.humanTaskId!, { run: ctx.runId, task: id, from: human.assignee, to, due: human.due ?? null });
              // An answer that landed between the due time and this step wins over the escalation.
              if (row?.status === 'completed') return { to, escalated: false, answer: JSON.parse(row.result ?? 'null') as unknown };
              // Escalated already: this step ran before a crash and is replayed before its checkpoint.
              return { to, escalated: true };
            });
            if (!escalation.escalated) {
              outputs.set(id, escalation.answer);
              states.set(id, 'completed');
              continue;
            }
            escalateTo.set(id, to);
            attempts.set(id, attempt - 1);
            states.set(id, 'pending');
          } else if (attempt <= (task.retries ?? 0)) {
            states.set(id, 'pending');
          } else {
            states.set(id, 'failed');
            if (task.onFailure === 'cancel-dependents') cancelDependents(id);
            else failure ??= `task "${id}" failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${result.error}`;
          }
        }
      }
      if (failure !== undefined) {
        for (const id of order) if (states.get(id) === 'pending') states.set(id, 'cancelled');
        throw new HomeostatError('HS_TASK_GRAPH_FAILED', `task graph "${graph.name}": ${failure}`);
      }
      return { states: Object.fromEntries(states), outputs: Object.fromEntries(outputs) };
    },
  };
}

function inputOf(task: GraphTask, deps: string[], outputs: Map<string, unknown>): GraphTaskInput {
  return { params: task.params ?? null, deps: Object.fromEntries(deps.map((dep) => [dep, outputs.get(dep)])) };
}

/** One started task's end: its wait (or its code step) taken synchronously, before any await. */
async function settle(ctx: WorkflowContext, task: GraphTask, entry: WaveEntry, input: GraphTaskInput, steps: ReturnType<typeof graphStepNames>): Promise<Settled> {
  if (entry.agentTaskId !== undefined) {
    const outcome = await ctx.waitForSignal<AgentTaskOutcome>(taskSignalName(entry.agentTaskId));
    if (outcome?.status === 'completed') return { entry, ok: true, output: outcome.result };
    return { entry, ok: false, error: outcome === undefined ? 'no outcome' : `${outcome.status === 'dead' ? 'dead-lettered' : `failed on agent ${outcome.agent ?? '?'}`}: ${outcome.error}` };
  }
  if (entry.humanTaskId !== undefined) {
    const due = entry.escalatedTo === undefined ? task.human?.due : undefined;
    const wait = ctx.waitForSignal<HumanTaskOutcome>(humanTaskSignalName(entry.humanTaskId), due === undefined ? {} : { timeout: due });
    const outcome = await wait;
    if (outcome !== undefined) return { entry, ok: true, output: outcome.result };
    // The due time passed with no answer: the caller escalates (an answer that raced it still wins, the row says).
    return { entry, ok: false, lapsed: true };
  }
  try {
    const run = task.run!;
    const output = await ctx.step(steps.run(entry.task, entry.attempt), () => run(input), { retry: false });
    return { entry, ok: true, output };
  } catch (error) {
    return { entry, ok: false, error: error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error) };
  }
}
