// The API with agents behind it, in this process, for the dashboard's agent views: a fresh
// SQLite store, an engine running the test's workflows, the dispatcher sweeping lapsed
// leases, tokens, the live event hub and the API listening on loopback; close() undoes all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentDispatcher } from '../../src/agents/agent-dispatcher.js';
import { buildApi } from '../../src/api/api-server.js';
import { ApiTokens } from '../../src/api/api-tokens.js';
import { LiveEventHub } from '../../src/api/live-events.js';
import { Knowledge } from '../../src/knowledge/knowledge.js';
import { TimeSeriesStore } from '../../src/monitor/time-series.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { WorkflowDefinition } from '../../src/workflow/define-workflow.js';
import { Engine } from '../../src/workflow/engine.js';

export interface AgentsApi {
  store: SqliteStore;
  engine: Engine;
  knowledge: Knowledge;
  tokens: ApiTokens;
  url: string;
  close(): Promise<void>;
}

/** Open it all; `workflows` are made on the store (agent tasks and quorums need it). */
export async function openAgentsApi(name: string, workflows: (store: SqliteStore) => WorkflowDefinition<never, unknown>[]): Promise<AgentsApi> {
  const dir = mkdtempSync(join(tmpdir(), `homeostat-${name}-`));
  const store = SqliteStore.open(join(dir, 'homeostat.db'));
  const engine = await Engine.open({ store, workflows: workflows(store) });
  const dispatcher = new AgentDispatcher(store, (runId, signal, payload) => engine.signal(runId, signal, payload));
  dispatcher.startSweeping(200, () => undefined);
  const tokens = new ApiTokens(store);
  const live = new LiveEventHub(store, 100);
  const knowledge = new Knowledge(store);
  const app = await buildApi({ store, knowledge, engine, tokens, series: new TimeSeriesStore(), live, now: Date.now, agents: dispatcher });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    store,
    engine,
    knowledge,
    tokens,
    url,
    async close() {
      dispatcher.stop();
      live.close();
      await app.close();
      await engine.close(500);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
