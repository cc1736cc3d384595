import type { HomeostatConfig } from '../../config/schema/root.js';
import { createActuator, type ActuatorDeps, type Actuator } from '../../execute/actuators.js';
import type { ElementControl } from '../../execute/element-control.js';
import { nodeRoutedActuator, type NodeRoutingOptions } from '../../execute/node-routed-actuator.js';
import type { Logger } from '../../telemetry/logger.js';
import { NodeAgent, type NodeAgentStore } from '../node-agent.js';
import type { NodeIdentity } from '../node-identity.js';
import { instrumentedActuator } from './instrumented-actuator.js';
import type { RuntimeMetrics } from './runtime-metrics.js';

export interface NodeActuationDeps extends Pick<ActuatorDeps, 'escalationMessage' | 'runWorkflow' | 'redriveRuns' | 'rollback' | 'guardProcess' | 'webhooks' | 'providers' | 'agents'> {
  store: NodeRoutingOptions['store'] & NodeAgentStore;
  self: NodeIdentity;
  /** This node's own processes. */
  control: ElementControl;
  /** The config version applied now: escalation targets, node liveness and timeouts are read at each action. */
  applied: () => HomeostatConfig;
  metrics: Pick<RuntimeMetrics, 'actions' | 'actionSeconds'>;
  logger: Pick<Logger, 'info'>;
  say: (line: string) => void;
  /** The agent's store failures (retried). */
  warn: (error: unknown, message: string) => void;
}

/** How this node acts: its own actuator, the leader's routed one, and the agent that executes requests for it. */
export interface NodeActuation {
  /** This node's own actions, counted, timed and said (its agent executes them, for whichever node leads). */
  local: Actuator;
  /** The leader's: an action on another node's process is that node's agent's to execute. */
  routed: Actuator;
  /** Not started: the caller starts it when its place in the start-up comes. */
  agent: NodeAgent;
}

export function nodeActuation(deps: NodeActuationDeps): NodeActuation {
  const { store, self, applied, logger } = deps;
  const local = instrumentedActuator(
    createActuator({
      control: deps.control,
      get escalation() {
        return applied().escalation;
      },
      escalationMessage: deps.escalationMessage,
      ...(deps.runWorkflow ? { runWorkflow: deps.runWorkflow } : {}),
      ...(deps.redriveRuns ? { redriveRuns: deps.redriveRuns } : {}),
      ...(deps.rollback ? { rollback: deps.rollback } : {}),
      ...(deps.guardProcess ? { guardProcess: deps.guardProcess } : {}),
      ...(deps.webhooks ? { webhooks: deps.webhooks } : {}),
      ...(deps.providers ? { providers: deps.providers } : {}),
      ...(deps.agents ? { agents: deps.agents } : {}),
    }),
    deps,
  );
  const goneAfterMs = () => applied().node.goneAfter;
  const agent = new NodeAgent({
    store,
    self,
    actuator: local,
    goneAfterMs,
    onError: (error, what) => deps.warn(error, `node agent: ${what} failed (retrying)`),
    onExecuted: (request, outcome) => logger.info({ request: request.id, incident: request.incidentId, node: self.name, ok: outcome.ok }, 'node action executed for the leader'),
  });
  const routed = nodeRoutedActuator({ store, self, local, goneAfterMs, actionTimeoutMs: () => applied().node.actionTimeout, syncedWith: (node, at) => agent.syncedWith(node, at) });
  return { local, routed, agent };
}
