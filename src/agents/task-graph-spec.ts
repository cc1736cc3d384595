import { HomeostatError } from '../errors/homeostat-error.js';
import { toMillis, type Duration } from '../resilience/duration.js';
import { CAPABILITY } from './agent-tasks.js';

/**
 * One task of a graph, as data (what a planner emits as JSON) plus, when declared in code,
 * the functions JSON cannot carry. Exactly one of `capability` (an agent task), `human`
 * (a person's task, see human tasks in docs/agents.md) or `run` (a code step) says who
 * does it.
 */
export interface GraphTask {
  /** Unique in the graph: letters, digits, `.`, `_`, `-` (it names the task's steps). */
  id: string;
  /** Tasks whose outputs this one needs; it starts once they are all done. Depending on a planner also waits for every task the planner added. */
  dependsOn?: string[];
  /** Routed to a live agent with this capability (`agents.task`). */
  capability?: string;
  /** Routed to a person's inbox; `due` lapses into an escalation to `fallback`. */
  human?: { assignee: string; due?: Duration; fallback?: string };
  /** Given to the task as `input.params`; the deps' outputs come as `input.deps` (by task id). */
  params?: unknown;
  /** Extra attempts after a failure (default 0): each is a new agent task. */
  retries?: number;
  /** What a failure does once the retries are spent: fail the graph (default) or cancel this task's dependents and go on. */
  onFailure?: 'fail-graph' | 'cancel-dependents';
  /** A planner: its output `{ tasks: GraphTask[] }` is added to the graph while it runs (recorded, so replay is deterministic). */
  planner?: boolean;
  lease?: Duration;
  maxLapses?: number;
  /** Code only: the task's work as a durable step of the run. */
  run?: (input: GraphTaskInput) => unknown;
  /** Code only: undo a completed task when the graph fails (a saga compensation, run durably in reverse order). */
  compensate?: (output: unknown) => unknown;
}

/** What a task receives. */
export interface GraphTaskInput {
  params: unknown;
  /** The outputs of the tasks it depends on (a planner's added tasks included), by task id. */
  deps: Record<string, unknown>;
}

export interface TaskGraph {
  /** Names the graph's steps in the run (`graph:<name>:…`). */
  name: string;
  tasks: GraphTask[];
}

const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const ASSIGNEE = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,199}$/;
const KNOWN_KEYS = new Set(['id', 'dependsOn', 'capability', 'human', 'params', 'retries', 'onFailure', 'planner', 'lease', 'maxLapses', 'run', 'compensate']);

function invalid(graph: string, message: string): HomeostatError {
  return new HomeostatError('HS_TASK_GRAPH_INVALID', `task graph "${graph}": ${message}`);
}

/** One task's own fields, alone (no reference to others). */
function checkTask(graph: string, task: GraphTask, index: number): void {
  if (typeof task !== 'object' || task === null) throw invalid(graph, `tasks[${index}] is not an object`);
  if (typeof task.id !== 'string' || !TASK_ID.test(task.id)) throw invalid(graph, `tasks[${index}].id must be 1 to 100 letters, digits, '.', '_' or '-', got ${JSON.stringify(task.id)}`);
  const named = `task "${task.id}"`;
  for (const key of Object.keys(task)) if (!KNOWN_KEYS.has(key)) throw invalid(graph, `${named}: unknown field "${key}"`);
  const doers = [task.capability !== undefined, task.human !== undefined, task.run !== undefined].filter(Boolean).length;
  if (doers !== 1) throw invalid(graph, `${named} must have exactly one of capability, human or run (has ${doers})`);
  if (task.capability !== undefined && (typeof task.capability !== 'string' || !CAPABILITY.test(task.capability))) throw invalid(graph, `${named}: capability must be 1 to 100 letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(task.capability)}`);
  if (task.human !== undefined) {
    const { assignee, fallback, due } = task.human;
    if (typeof assignee !== 'string' || !ASSIGNEE.test(assignee)) throw invalid(graph, `${named}: human.assignee must name a person or role, got ${JSON.stringify(assignee)}`);
    if (fallback !== undefined && (typeof fallback !== 'string' || !ASSIGNEE.test(fallback))) throw invalid(graph, `${named}: human.fallback must name a person or role, got ${JSON.stringify(fallback)}`);
    if (due !== undefined) {
      try {
        if (toMillis(due) < 1) throw new Error('under 1 ms');
      } catch (error) {
        throw invalid(graph, `${named}: human.due is not a duration (${(error as Error).message})`);
      }
    }
  }
  if (task.dependsOn !== undefined && (!Array.isArray(task.dependsOn) || task.dependsOn.some((dep) => typeof dep !== 'string'))) throw invalid(graph, `${named}: dependsOn must be a list of task ids`);
  if (task.retries !== undefined && (!Number.isInteger(task.retries) || task.retries < 0 || task.retries > 100)) throw invalid(graph, `${named}: retries must be a whole number from 0 to 100, got ${JSON.stringify(task.retries)}`);
  if (task.onFailure !== undefined && task.onFailure !== 'fail-graph' && task.onFailure !== 'cancel-dependents') throw invalid(graph, `${named}: onFailure must be "fail-graph" or "cancel-dependents", got ${JSON.stringify(task.onFailure)}`);
  if (task.planner !== undefined && typeof task.planner !== 'boolean') throw invalid(graph, `${named}: planner must be true or false`);
  if (task.run !== undefined && typeof task.run !== 'function') throw invalid(graph, `${named}: run must be a function (declare it in code)`);
  if (task.compensate !== undefined && typeof task.compensate !== 'function') throw invalid(graph, `${named}: compensate must be a function (declare it in code)`);
}

/** A dependency cycle among `tasks`, as the path `a → b → a`, or undefined. */
export function findCycle(tasks: readonly GraphTask[]): string[] | undefined {
  const deps = new Map(tasks.map((task) => [task.id, task.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of deps.get(id) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const task of tasks) {
    const cycle = visit(task.id);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Check a graph up front, before anything runs: every task well-formed, ids unique,
 * every dependency a task of the graph (or of `existing`, for a planner's expansion), and
 * no cycle. Errors are HS_TASK_GRAPH_INVALID naming the task. Capabilities are checked
 * against the registry by the runner (they need the store).
 * @example validateTaskGraph({ name: 'g', tasks: [{ id: 'a', capability: 'research' }] });
 * @example validateTaskGraph({ name: 'g', tasks: [{ id: 'a', capability: 'x', dependsOn: ['a'] }] }); // throws: cycle a → a
 */
export function validateTaskGraph(graph: TaskGraph, existing: readonly GraphTask[] = []): void {
  const name = typeof graph?.name === 'string' && TASK_ID.test(graph.name) ? graph.name : undefined;
  if (name === undefined) throw invalid(String(graph?.name), 'name must be 1 to 100 letters, digits, \'.\', \'_\' or \'-\'');
  if (!Array.isArray(graph.tasks) || (graph.tasks.length === 0 && existing.length === 0)) throw invalid(name, 'tasks must be a non-empty list');
  graph.tasks.forEach((task, index) => checkTask(name, task, index));
  const ids = new Set(existing.map((task) => task.id));
  for (const task of graph.tasks) {
    if (ids.has(task.id)) throw invalid(name, `task "${task.id}" is declared twice`);
    ids.add(task.id);
  }
  for (const task of graph.tasks) {
    for (const dep of task.dependsOn ?? []) {
      if (!ids.has(dep)) throw invalid(name, `task "${task.id}" depends on "${dep}", which is not a task of the graph`);
    }
  }
  const cycle = findCycle([...existing, ...graph.tasks]);
  if (cycle) throw invalid(name, `tasks "${cycle[0]}" form a dependency cycle: ${cycle.join(' → ')}`);
}

/** A graph as data only (the functions stripped): what the run records and the graph view shows. */
export function graphTaskData(task: GraphTask): Omit<GraphTask, 'run' | 'compensate'> & { code?: true } {
  const { run, compensate, ...data } = task;
  void compensate;
  return run === undefined ? data : { ...data, code: true };
}
