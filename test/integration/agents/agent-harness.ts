import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AgentDispatcher } from '../../../src/agents/agent-dispatcher.js';
import { createAgentTasks } from '../../../src/agents/agent-tasks.js';
import { buildApi } from '../../../src/api/api-server.js';
import { ApiTokens } from '../../../src/api/api-tokens.js';
import { LiveEventHub } from '../../../src/api/live-events.js';
import { Knowledge } from '../../../src/knowledge/knowledge.js';
import { TimeSeriesStore } from '../../../src/monitor/time-series.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { defineWorkflow, type WorkflowDefinition } from '../../../src/workflow/define-workflow.js';
import { Engine } from '../../../src/workflow/engine.js';
import { ChildGroup, type JsonChild } from '../helpers/child.js';
import { freshSchema } from '../helpers/postgres.js';
import { tempDir } from '../temp-store.js';

const AGENT_SCRIPT = new URL('./fixtures/agent-process.js', import.meta.url);

export interface SpawnedAgent {
  child: JsonChild;
  name: string;
}

/**
 * One `up`-like process in the test: a store, an engine with a worker running the test
 * workflows, the HTTP API on loopback with the agent routes and a sweeping dispatcher;
 * agents are real child processes talking to it with their own tokens.
 */
export class AgentHarness {
  engine!: Engine;
  app!: FastifyInstance;
  url = '';
  dispatcher!: AgentDispatcher;
  knowledge!: Knowledge;
  readonly tokens: ApiTokens;
  private readonly children = new ChildGroup();
  private readonly live: LiveEventHub;

  private constructor(
    readonly store: Store,
    /** The store's URL, for the CLI. */
    readonly storeUrl: string,
    private readonly cleanup: () => void | Promise<void>,
  ) {
    this.tokens = new ApiTokens(store);
    this.live = new LiveEventHub(store, 50);
  }

  /** On a fresh SQLite file, or (`postgres: true`) in a fresh schema of the shared PostgreSQL. */
  static async open(options: { maxLapses?: number; postgres?: boolean; workflows?: (store: Store, knowledge: Knowledge) => WorkflowDefinition<never, unknown>[] } = {}): Promise<AgentHarness> {
    let h: AgentHarness;
    if (options.postgres) {
      const schema = freshSchema('hs_agents');
      h = new AgentHarness(await PostgresStore.open(schema.url), schema.url, schema.drop);
    } else {
      const temp = tempDir('homeostat-agents-');
      h = new AgentHarness(SqliteStore.open(temp.dbPath), `sqlite:${temp.dbPath}`, temp.cleanup);
    }
    const agents = createAgentTasks(h.store, { ...(options.maxLapses ? { maxLapses: options.maxLapses } : {}) });
    const research = defineWorkflow('agents-test-research', async (ctx, input: { topic: string; capability?: string }) => {
      const found = await agents.task<{ by: string }>(ctx, 'research', { capability: input.capability ?? 'research', input: { topic: input.topic } });
      const checked = await ctx.step('after', () => `checked ${found.by}`);
      return { found, checked };
    });
    // Every durable wait suspends the run (no in-memory waits), so the result always comes back through a replay.
    h.knowledge = new Knowledge(h.store);
    h.engine = await Engine.open({ store: h.store, workflows: [research as never, ...(options.workflows?.(h.store, h.knowledge) ?? [])], inMemoryWaitMs: 0 });
    h.dispatcher = new AgentDispatcher(h.store, (runId, name, payload) => h.engine.signal(runId, name, payload));
    h.dispatcher.startSweeping(100);
    h.app = await buildApi(
      { store: h.store, knowledge: h.knowledge, engine: h.engine, tokens: h.tokens, series: new TimeSeriesStore(), live: h.live, now: Date.now, agents: h.dispatcher },
      { onInternalError: (error) => console.error('internal error in test', error) },
    );
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    h.url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    return h;
  }

  async token(name: string, role: 'agent' | 'viewer' | 'operator' | 'admin' = 'agent'): Promise<string> {
    return (await this.tokens.create(name, role, 'test')).token;
  }

  /** Start an agent process and wait until it registered. */
  async spawnAgent(name: string, options: { capabilities?: string[]; capacity?: number; workMs?: number; fail?: boolean; token?: string; script?: URL; mode?: string } = {}): Promise<SpawnedAgent> {
    const token = options.token ?? (await this.token(`agent-${name}`));
    const child = this.children.spawn(options.script ?? AGENT_SCRIPT, [
      this.url,
      token,
      name,
      (options.capabilities ?? ['research']).join(','),
      String(options.capacity ?? 1),
      String(options.workMs ?? 50),
      ...(options.fail ? ['fail'] : options.mode ? [options.mode] : []),
    ]);
    await child.waitForLine((line) => line.type === 'registered', 10_000, `${name} registered`);
    return { child, name };
  }

  start(topic: string, capability?: string) {
    return this.engine.start('agents-test-research', capability ? { topic, capability } : { topic });
  }

  /** The task's history as `kind:agent:generation`. */
  async history(taskId: string): Promise<string[]> {
    return (await this.store.listAgentTaskEvents(taskId)).map((event) => `${event.kind}:${event.agent ?? '-'}:${event.generation}`);
  }

  async close(): Promise<void> {
    await this.children.killAll();
    this.dispatcher.stop();
    this.live.close();
    await this.app.close();
    await this.engine.close(500);
    await this.store.close();
    await this.cleanup();
  }
}
