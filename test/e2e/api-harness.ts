import type { ProviderControl } from '../../src/execute/manual-provider-state.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AlertIntake, ConfigControl, ServiceScaling } from '../../src/api/api-context.js';
import type { LeadershipView } from '../../src/api/leader-forwarding.js';
import assert from 'node:assert/strict';
import { buildApi, type ApiAnswer } from '../../src/api/api-server.js';
import { ApiTokens } from '../../src/api/api-tokens.js';
import { LiveEventHub } from '../../src/api/live-events.js';
import { Knowledge } from '../../src/knowledge/knowledge.js';
import { TimeSeriesStore } from '../../src/monitor/time-series.js';
import type { ApiRole } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { defineWorkflow } from '../../src/workflow/define-workflow.js';
import { Engine } from '../../src/workflow/engine.js';
import { schemaViolations } from './response-schema-check.js';
import { AgentActions } from '../../src/execute/agent-action-requests.js';
import { agentActionWorkflow } from '../../src/execute/agent-action-workflow.js';
import type { AgentsConfig } from '../../src/config/schema/agents.js';

/**
 * Agent `agent-bot` may request a low-risk restart of `api`, a high-risk scale of it, and a
 * high-risk restart whose approval expires in 300 ms (what the harness's stand-in actuator records).
 */
export const HARNESS_ALLOW_LISTS: AgentsConfig = {
  'agent-bot': {
    actions: {
      'restart-api': { service: 'api', risk: 'low', approvalTtl: 60_000, do: { action: 'restart', scope: 'service' } },
      'scale-api': { service: 'api', risk: 'high', approvalTtl: 60_000, do: { action: 'scale', replicas: 2, max: 3 } },
      'hasty-restart': { service: 'api', risk: 'high', approvalTtl: 300, do: { action: 'restart', scope: 'service' } },
    },
  },
};

/** Waits for signal `approval:1` and returns it: a stand-in for an approval-gated remediation. */
export const gated = defineWorkflow('api-test-gated', async (ctx) => ctx.waitForSignal<string>('approval:1', { timeout: '30s' }));
/** Fails in its one step: a dead letter to redrive. */
export const failing = defineWorkflow('api-test-failing', async (ctx) => ctx.step('boom', () => Promise.reject(new Error('boom')), { retry: false }));

/** An API over a fresh SQLite store, with one token of each role. */
export class ApiHarness {
  readonly store: SqliteStore;
  readonly knowledge: Knowledge;
  readonly tokens: ApiTokens;
  readonly series = new TimeSeriesStore();
  readonly live: LiveEventHub;
  engine!: Engine;
  app!: FastifyInstance;
  readonly token: Record<ApiRole, string> = { viewer: '', operator: '', admin: '', agent: '' };
  /** Every JSON answer the API gave, as its handler returned it: checked against the route's response schema at close. */
  readonly answers: ApiAnswer[] = [];
  revoked = '';
  /** What the stand-in actuator of agents' actions was asked to do (`restart api`). */
  readonly agentActionsRun: string[] = [];

  constructor() {
    this.store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'homeostat-api-')), 'homeostat.db'));
    this.knowledge = new Knowledge(this.store);
    this.tokens = new ApiTokens(this.store);
    this.live = new LiveEventHub(this.store, 50);
  }

  /** What the fake config manager was asked to do. */
  readonly configCalls: string[] = [];
  readonly configs: ConfigControl = {
    apply: async (text, source) => {
      this.configCalls.push(`apply by ${source}`);
      const record = await this.knowledge.configVersions.applied(text, source);
      return { version: record.version, previous: record.version - 1, services: ['api'] };
    },
    rollback: async (target) => {
      this.configCalls.push(`rollback for ${target.incidentId}`);
      return this.configCalls.length > 2 ? { ok: true, detail: 'rolled back' } : { ok: false, detail: 'no other version was ever marked good' };
    },
  };

  static async open(options: { bodyLimit?: number; withoutConfigs?: boolean; dashboardRoot?: string; streamTokenCheckMs?: number; leadership?: LeadershipView; alerts?: AlertIntake; scaling?: ServiceScaling; providers?: ProviderControl; allowLists?: AgentsConfig } = {}): Promise<ApiHarness> {
    const h = new ApiHarness();
    const agentAction = agentActionWorkflow({
      knowledge: h.knowledge,
      actuator: {
        execute: async (action, target) => {
          h.agentActionsRun.push(`${action.action} ${target.service}`);
          return { ok: true, detail: `${action.action} ${target.service} (stand-in)` };
        },
      },
    });
    h.engine = await Engine.open({ store: h.store, workflows: [gated as never, failing as never, agentAction as never] });
    for (const role of ['viewer', 'operator', 'admin', 'agent'] as const) h.token[role] = (await h.tokens.create(`${role}-bot`, role, 'test')).token;
    const gone = await h.tokens.create('gone', 'admin', 'test');
    await h.tokens.revoke(gone.record.id);
    h.revoked = gone.token;
    h.app = await buildApi(
      {
        store: h.store,
        knowledge: h.knowledge,
        engine: h.engine,
        tokens: h.tokens,
        series: h.series,
        live: h.live,
        now: Date.now,
        ...(options.streamTokenCheckMs ? { streamTokenCheckMs: options.streamTokenCheckMs } : {}),
        ...(options.withoutConfigs ? {} : { configs: h.configs }),
        ...(options.leadership ? { leadership: options.leadership } : {}),
        ...(options.alerts ? { alerts: options.alerts } : {}),
        ...(options.scaling ? { scaling: options.scaling } : {}),
        agentActions: new AgentActions({ store: h.store, knowledge: h.knowledge, engine: h.engine, allowLists: () => options.allowLists ?? HARNESS_ALLOW_LISTS }),
        ...(options.providers ? { providers: options.providers } : {}),
      },
      { ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}), ...(options.dashboardRoot ? { dashboardRoot: options.dashboardRoot } : {}), onInternalError: (error) => console.error('internal error in test', error), onAnswer: (answer) => h.answers.push(answer) },
    );
    return h;
  }

  /** `inject` as `role` (a role name, a raw Authorization value, or none). */
  async call(role: ApiRole | 'none' | { authorization: string }, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const authorization = role === 'none' ? undefined : typeof role === 'object' ? role.authorization : `Bearer ${this.token[role]}`;
    const response = await this.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(authorization ? { authorization } : {}), ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    // Tests read answers loosely; the routes' schemas are checked by the API itself.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let json: any;
    try {
      json = response.json();
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, json, headers: response.headers, text: response.body };
  }

  /** Closes everything, then fails when an answer given during the test does not match its route's response schema. */
  async close(): Promise<void> {
    this.live.close();
    await this.app.close();
    await this.engine.close(500);
    await this.store.close();
    const { violations } = await schemaViolations(this.answers);
    assert.deepEqual(violations, [], 'answers that do not match their route\'s response schema');
  }
}
