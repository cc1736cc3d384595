// The same ten-node pipeline on both sides, with trivial nodes or with a model call per
// node: a homeostat workflow of ten steps, and a LangGraph StateGraph of ten nodes in a
// line compiled with the SqliteSaver checkpointer on a file. Both on SQLite in WAL mode
// with the same `synchronous` setting (see `durabilityOf`).
import Database from 'better-sqlite3';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { defineTenSteps, loadHomeostat } from '../engine/common.mjs';
import { NODES, bareChatCompletion, modelsConfig } from './common.mjs';

/** The stand-in's answer, whose length each model node adds up (so a wrong or missing answer shows in the output). */
export const ANSWER = '{"summary":"a short answer","sentiment":"neutral"}';

/** What a pipeline must return: ten trivial increments, or ten answers' lengths. */
export function expectedOutput(nodes) {
  return nodes === 'trivial' ? NODES : NODES * ANSWER.length;
}

/**
 * `normal`: WAL with `synchronous=NORMAL` (homeostat's default; set explicitly on
 * LangGraph's connection, whose first connection to a new file would otherwise stay at
 * SQLite's FULL). `full`: `synchronous=FULL` on both, an fsync per commit.
 */
export function durabilityOf(name) {
  if (name !== 'normal' && name !== 'full') throw new Error(`durability is normal or full, not ${name}`);
  return name;
}

export function promptOf(id, node) {
  return `Summarise document ${id}, part ${node + 1} of ${NODES}, as JSON with a summary and a sentiment.`;
}

/** homeostat: an engine on `file` running the pipeline as a workflow; `models` only for model nodes. */
export async function openHomeostat({ file, durability, nodes, baseUrl, worker = { concurrency: 100 } }) {
  const homeostat = await loadHomeostat();
  let engine;
  let workflow;
  if (nodes === 'trivial') {
    workflow = defineTenSteps(homeostat, 'ten-trivial-nodes');
  } else {
    const models = homeostat.createModels({ config: modelsConfig(baseUrl), store: () => engine.store });
    workflow = homeostat.defineWorkflow('ten-model-nodes', async (ctx, input) => {
      let acc = 0;
      for (let node = 0; node < NODES; node++) {
        const { text } = await models.call(ctx, `node-${node}`, { prompt: promptOf(input.id, node) });
        acc += text.length;
      }
      return acc;
    });
  }
  const store = durability === 'full' ? `sqlite:${file}?durability=full` : `sqlite:${file}`;
  engine = await homeostat.Engine.open({ store, workflows: [workflow], worker });
  return {
    engine,
    workflow,
    /** Start pipeline `id` and wait for its output. */
    async run(id) {
      const handle = await engine.start(workflow, nodes === 'trivial' ? { n: 0 } : { id }, { id });
      return handle.result();
    },
    close: () => engine.close(),
  };
}

/** LangGraph: the same pipeline as a StateGraph of ten nodes in a line, checkpointed by SqliteSaver on `file`. */
export function openLangGraph({ file, durability, nodes, baseUrl }) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  const checkpointer = new SqliteSaver(db);
  const State = Annotation.Root({ id: Annotation(), acc: Annotation() });
  const graph = new StateGraph(State);
  for (let node = 0; node < NODES; node++) {
    graph.addNode(
      `node-${node}`,
      nodes === 'trivial'
        ? (state) => ({ acc: state.acc + 1 })
        : async (state) => ({ acc: state.acc + (await bareChatCompletion(baseUrl, promptOf(state.id, node))).length }),
    );
  }
  graph.addEdge(START, 'node-0');
  for (let node = 1; node < NODES; node++) graph.addEdge(`node-${node - 1}`, `node-${node}`);
  graph.addEdge(`node-${NODES - 1}`, END);
  const app = graph.compile({ checkpointer });
  return {
    app,
    /** Run pipeline `id` (its own thread) from the start and wait for its output. */
    async run(id) {
      const state = await app.invoke({ id, acc: 0 }, { configurable: { thread_id: id } });
      return state.acc;
    },
    async close() {
      db.close();
    },
  };
}
