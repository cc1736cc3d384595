import { parseConfig } from '../../../src/config/load-config.js';
import { Knowledge } from '../../../src/knowledge/knowledge.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { Engine } from '../../../src/workflow/engine.js';
import { Guardrails } from '../../../src/plan/guardrails.js';
import { createActuator } from '../../../src/execute/actuators.js';
import { appliedPolicies, remediationWorkflow } from '../../../src/execute/remediation-workflow.js';
import type { ElementControl } from '../../../src/execute/element-control.js';
import { AutonomicLoop, type AutonomicLoopOptions } from '../../../src/controller/autonomic-loop.js';
import type { Store } from '../../../src/store/store.js';
import type { Symptom } from '../../../src/analyze/symptom.js';
import { tempDir } from '../temp-store.js';
import { escalationMessage as messageOf } from '../../../src/execute/escalation-message.js';
import type { EscalationMessage } from '../../../src/execute/escalation-payloads.js';

/** Services whose health the test sets; a restart heals the restarted service unless it is `stuck`. */
function fakeServices(names: string[], replicas: (service: string) => number) {
  const healthy = new Map(names.map((n) => [n, true]));
  const stuck = new Set<string>();
  const actions: string[] = [];
  const control: ElementControl = {
    instances: (service) => Array.from({ length: replicas(service) }, (_, i) => `${service}#${i}`),
    isHealthy: (service) => healthy.get(service) ?? false,
    async restart(service, instance) {
      actions.push(`restart ${instance ?? service}`);
      if (!stuck.has(service)) healthy.set(service, true);
    },
    async stopStart(service) {
      actions.push(`stop-start ${service}`);
      healthy.set(service, true);
    },
    async scale(service, n) {
      actions.push(`scale ${service} ${n}`);
    },
  };
  return { healthy, stuck, actions, control };
}

/** One service, `api`, restarted on a crash and verified healthy for 100 ms: the loop's smallest full remediation. */
export const CRASH_RESTARTS_API = `
services:
  api: { command: node, args: [a.js] }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 100ms, timeout: 2s }
escalation: { retryEvery: 1h }
`;

/**
 * The autonomic loop in-process over a SQLite store, with services whose health the test
 * scripts (`symptom()` makes one unhealthy; a restart heals it unless it is `stuck`).
 * `wrapStore` puts something between the loop's knowledge and the store (fault injection);
 * the engine keeps the real store.
 */
export async function loopHarness(yaml: string, options: { worker?: boolean; wrapStore?: (store: Store) => Store; onDropped?: AutonomicLoopOptions['onDropped']; incidentHealth?: AutonomicLoopOptions['incidentHealth'] } = {}) {
  const tmp = tempDir('homeostat-correlation-');
  const store = SqliteStore.open(tmp.dbPath);
  const { config } = parseConfig(yaml, { file: `${tmp.dir}/homeostat.yaml` });
  const knowledge = new Knowledge(options.wrapStore ? options.wrapStore(store) : store);
  const services = fakeServices(Object.keys(config.services), (service) => config.services[service]?.replicas ?? 1);
  const escalationMessage = (id: string, severity: EscalationMessage['severity']) => messageOf({ knowledge, publicUrl: config.api.publicUrl }, id, severity);
  const actuator = createActuator({ control: services.control, escalation: config.escalation, escalationMessage });
  const workflow = remediationWorkflow({ knowledge, appliedPolicy: appliedPolicies(() => ({ config, version: 1, source: 'test' })), guardrails: new Guardrails(config.guardrails, knowledge), actuator, control: services.control, escalation: config.escalation, escalationMessage, evidence: async () => ({}), prometheus: () => config.prometheus });
  // Without a worker, remediation runs stay pending: what the loop decides can be looked at before anything acts.
  const engine = await Engine.open({ store, workflows: [workflow as never], ...(options.worker === false ? { worker: false as const } : {}) });
  const loop = new AutonomicLoop({ config, knowledge, engine, control: services.control, ...(options.onDropped ? { onDropped: options.onDropped } : {}), ...(options.incidentHealth ? { incidentHealth: options.incidentHealth } : {}) });
  loop.start();
  return {
    ...services,
    engine,
    store,
    knowledge,
    loop,
    symptom(name: string, element: string, labels: Record<string, string> = {}, instance = `${element}#0`): void {
      if (name === 'liveness-failing' || name === 'process-crashed') services.healthy.set(element, false);
      const symptom: Symptom = { name, element, instance, at: Date.now(), labels, signal: { kind: 'test', message: `${name} on ${element}` } };
      loop.observe(symptom);
    },
    async all() {
      return store.listIncidents({ limit: 100 });
    },
    async close() {
      await loop.stop();
      await engine.close(500);
      await store.close();
      tmp.cleanup();
    },
  };
}

