import { AgentActions } from '../execute/agent-action-requests.js';
import type { ProviderControl } from '../execute/manual-provider-state.js';
import { AgentDispatcher } from '../agents/agent-dispatcher.js';
import type { AgentsConfig } from '../config/schema/agents.js';
import type { ApiConfig } from '../config/schema/api.js';
import { HomeostatError } from '../errors/homeostat-error.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { TimeSeriesStore } from '../monitor/time-series.js';
import type { Store } from '../store/store.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Engine } from '../workflow/engine.js';
import type { AlertIntake, ConfigControl, ServiceScaling } from './api-context.js';
import type { LeadershipView } from './leader-forwarding.js';
import { buildApi } from './api-server.js';
import { allowedHostNames } from './host-allow-list.js';
import { ApiTokens } from './api-tokens.js';
import { LiveEventHub, type LiveEvent } from './live-events.js';

/** How often `up` sweeps lapsed agent tasks (a quarter of the default 800 ms task lease). */
const AGENT_SWEEP_MS = 200;

/** A listening API. */
export interface ServedApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Publish to the SSE stream (the runtime's remediation worker publishes `run-finished`). */
  live: LiveEventHub;
  close(): Promise<void>;
}

/**
 * Serve the HTTP API for `homeostat up`: over its store, knowledge, engine and metric
 * series, with the supervisor's and engine's events on the SSE stream.
 *
 * @example
 * const api = await serveApi({ config: loaded.config.api, store, knowledge, engine, series, supervisor }); console.log(api.url);
 * @example
 * await serveApi({ config: { …, port: 80 }, … }) // throws HS_API_LISTEN when the port is taken or not allowed
 */
export async function serveApi(options: {
  config: ApiConfig;
  store: Store;
  knowledge: Knowledge;
  engine: Engine;
  series: TimeSeriesStore;
  supervisor?: Pick<Supervisor, 'on'>;
  configs?: ConfigControl;
  leadership?: LeadershipView;
  alerts?: AlertIntake;
  scaling?: ServiceScaling;
  /** Agents' allow-lists of the applied config: with it, agents may request their listed actions. */
  agentAllowLists?: () => AgentsConfig;
  providers?: ProviderControl;
  onInternalError?: (error: unknown, route: string) => void;
}): Promise<ServedApi> {
  const { config, store, engine } = options;
  const live = new LiveEventHub(store);
  // Lapsed agent tasks are requeued on every claim; the sweep also ends the ones no capable agent is left to claim.
  const agents = new AgentDispatcher(store, (runId, name, payload) => engine.signal(runId, name, payload), Date.now, (error, task) => options.onInternalError?.(error, `telling run ${task.runId} that agent task ${task.id} ended`));
  agents.startSweeping(AGENT_SWEEP_MS, (error) => options.onInternalError?.(error, 'sweeping lapsed agent tasks'));
  const app = await buildApi(
    { agents, store, knowledge: options.knowledge, engine, tokens: new ApiTokens(store), series: options.series, pushMaxSeries: config.pushMaxSeries, live, now: Date.now, ...(options.configs ? { configs: options.configs } : {}), ...(options.leadership ? { leadership: options.leadership } : {}), ...(options.alerts ? { alerts: options.alerts } : {}), ...(options.scaling ? { scaling: options.scaling } : {}), ...(options.agentAllowLists ? { agentActions: new AgentActions({ store, knowledge: options.knowledge, engine, allowLists: options.agentAllowLists }) } : {}), ...(options.providers ? { providers: options.providers } : {}) },
    { bodyLimit: config.bodyLimit, allowedHosts: allowedHostNames(config.host, config.allowedHosts), ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}) },
  );
  const offs = [
    engine.on((event) => {
      if (event.type === 'run-finished') live.publish(runFinished(event));
    }),
    ...(options.supervisor ? [options.supervisor.on((event) => live.publish({ type: 'element', event: { ...event } }))] : []),
  ];
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    for (const off of offs) off();
    agents.stop();
    await app.close();
    throw new HomeostatError('HS_API_LISTEN', `cannot serve the API on ${config.host}:${config.port}: ${(error as Error).message} (set api.port, 0 picks a free port)`, { cause: error });
  }
  return {
    url: address,
    live,
    close: async () => {
      for (const off of offs) off();
      agents.stop();
      live.close();
      await app.close();
    },
  };
}

/** The SSE form of an engine's `run-finished` event. */
export function runFinished(event: { runId: string; workflow: string; status: string }): LiveEvent {
  return { type: 'run-finished', runId: event.runId, workflow: event.workflow, status: event.status };
}
