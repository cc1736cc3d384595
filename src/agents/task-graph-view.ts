import { isTerminal } from '../store/records.js';
import type { AgentStore } from '../store/ports/agent-store.js';
import type { HumanTaskStore } from '../store/ports/human-task-store.js';
import type { RunStore } from '../store/ports/run-store.js';
import { decodePayload } from '../workflow/payload.js';
import type { GraphTaskState, WaveEntry } from './task-graph-runner.js';
import type { GraphTask } from './task-graph-spec.js';

/** One task of a graph as the run-level view shows it. */
export interface GraphTaskView {
  id: string;
  dependsOn: string[];
  kind: 'agent' | 'human' | 'code';
  /** Agent tasks: the capability; human tasks: the assignee it is with now. */
  routedTo: string;
  /** The planner task that added it while the graph ran. */
  addedBy: string | null;
  planner: boolean;
  state: GraphTaskState;
  /** Attempts started (a retry is a new attempt; an escalation is not). */
  attempts: number;
  /** The agent task or human task of the latest attempt. */
  taskId: string | null;
  /** The agent that holds or finished it. */
  agent: string | null;
  /** A human task's due time. */
  dueAt: number | null;
  error: string | null;
}

export interface GraphView {
  name: string;
  tasks: GraphTaskView[];
}

type GraphData = Omit<GraphTask, 'run' | 'compensate'> & { code?: true };

const GRAPH_STEP = /^graph:([A-Za-z0-9._-]+):(start|wave|expand|run)(?::(.+))?$/;

/**
 * The graphs a run ran, each task with its state, read back from what the run recorded
 * (the definition, expansions and waves are steps) and the agent and human task rows. A
 * view, never an input of the run: it is rebuilt from the store on every read.
 */
export async function taskGraphView(store: RunStore & AgentStore & HumanTaskStore, runId: string): Promise<GraphView[] | undefined> {
  const run = await store.getRun(runId);
  if (!run) return undefined;
  const steps = await store.listSteps(runId);
  const graphs = new Map<string, { tasks: Map<string, GraphTaskView>; order: string[] }>();
  const add = (graph: string, data: GraphData, addedBy: string | null) => {
    const g = graphs.get(graph)!;
    const kind = data.capability !== undefined ? 'agent' : data.human !== undefined ? 'human' : 'code';
    g.order.push(data.id);
    g.tasks.set(data.id, {
      id: data.id,
      dependsOn: data.dependsOn ?? [],
      kind,
      routedTo: data.capability ?? data.human?.assignee ?? 'code',
      addedBy,
      planner: data.planner === true,
      state: isTerminal(run.status) ? 'cancelled' : 'pending',
      attempts: 0,
      taskId: null,
      agent: null,
      dueAt: null,
      error: null,
    });
  };
  for (const step of steps) {
    const match = GRAPH_STEP.exec(step.name);
    if (!match) continue;
    const [, graph, what, rest] = match as unknown as [string, string, string, string | undefined];
    if (what === 'start') {
      graphs.set(graph, { tasks: new Map(), order: [] });
      if (step.status === 'completed') for (const data of decodePayload<GraphData[]>(step.output)) add(graph, data, null);
      continue;
    }
    const g = graphs.get(graph);
    if (!g) continue;
    if (what === 'expand' && step.status === 'completed') {
      for (const data of decodePayload<GraphData[]>(step.output)) add(graph, data, rest ?? null);
    } else if (what === 'expand' && step.status === 'failed') {
      const planner = g.tasks.get(rest ?? '');
      if (planner) planner.error = `its expansion was refused: ${step.error?.message ?? 'unknown error'}`;
    } else if (what === 'wave' && step.status === 'completed') {
      for (const entry of decodePayload<WaveEntry[]>(step.output)) {
        const task = g.tasks.get(entry.task);
        if (!task) continue;
        Object.assign(task, { attempts: entry.attempt, state: 'running', taskId: entry.agentTaskId ?? entry.humanTaskId ?? null, error: null });
        if (entry.agentTaskId) {
          const row = await store.getAgentTask(entry.agentTaskId);
          if (row) Object.assign(task, { state: row.status === 'completed' ? 'completed' : row.status === 'failed' || row.status === 'dead' ? 'failed' : 'running', agent: row.agent, error: row.error });
        } else if (entry.humanTaskId) {
          const row = await store.getHumanTask(entry.humanTaskId);
          if (row) Object.assign(task, { routedTo: row.assignee, dueAt: row.dueAt, state: row.status === 'completed' ? 'completed' : 'running', agent: row.status === 'completed' ? row.completedBy : null });
        }
      }
    } else if (what === 'run' && rest !== undefined) {
      const task = g.tasks.get(rest.replace(/#\d+$/, ''));
      if (task) Object.assign(task, { state: step.status === 'completed' ? 'completed' : step.status === 'failed' ? 'failed' : 'running', error: step.error?.message ?? null });
    }
  }
  // A task that had started when the run ended and never finished was stopped with it.
  if (isTerminal(run.status)) for (const g of graphs.values()) for (const task of g.tasks.values()) if (task.state === 'running') task.state = 'cancelled';
  return [...graphs.entries()].map(([name, g]) => ({ name, tasks: g.order.map((id) => g.tasks.get(id)!) }));
}
