/** A symptom homeostat raises by itself (no rule in the config needed), for policies to match. */
export interface BuiltInSymptom {
  name: string;
  /** What raises it. */
  raisedBy: string;
  /** The labels it carries (policies can match them with `match.labels`). */
  labels: string[];
  meaning: string;
}

/**
 * Every symptom name homeostat raises without a symptom rule. The config reference is
 * generated from this list; a test (src/config/config-reference.test.ts) drives `symptomOf`
 * and `symptomOfRun` over every event and run status, reads the config manager's symptom
 * names, and fails when a name raised is missing here or one listed is raised nowhere.
 */
export const BUILT_IN_SYMPTOMS: readonly BuiltInSymptom[] = [
  { name: 'process-crashed', raisedBy: 'supervisor', labels: ['code'], meaning: 'A supervised process exited on its own with a non-zero code or a signal (`code` is the exit code or signal name).' },
  { name: 'liveness-failing', raisedBy: 'supervisor', labels: ['probe'], meaning: 'A liveness probe became failing, or a startup or liveness probe got the process killed (`probe`: `liveness` or `startup`).' },
  { name: 'readiness-failing', raisedBy: 'supervisor', labels: ['probe'], meaning: 'A readiness probe became failing (the instance is taken out of readiness; it is not restarted).' },
  { name: 'crash-looping', raisedBy: 'supervisor', labels: [], meaning: 'The service restarted `crashLoop.restarts` times within `crashLoop.window`.' },
  { name: 'resource-breach', raisedBy: 'supervisor', labels: ['resource'], meaning: 'RSS or CPU passed `limits.memory` / `limits.cpu`, or `maxMemory` got the process restarted (`resource`: `memory` or `cpu`).' },
  { name: 'spawn-failed', raisedBy: 'supervisor', labels: [], meaning: 'The command could not be started (not found, not executable, bad `cwd`).' },
  { name: 'workflow-failed', raisedBy: 'workflow watch', labels: ['workflow', 'status'], meaning: 'A workflow run ended failed (retries exhausted or a terminal error); the element is `workflow:<name>`.' },
  { name: 'workflow-dead-lettered', raisedBy: 'workflow watch', labels: ['workflow', 'status'], meaning: 'A workflow run was parked (dead-lettered); the element is `workflow:<name>`.' },
  { name: 'model-provider-degraded', raisedBy: 'provider watch', labels: ['provider', 'kind'], meaning: 'A model provider with `element:` breached its `degradedWhen` over its window (its attempts, from every process on the store); the element is `provider:<name>` (docs/model-steps.md).' },
  { name: 'model-provider-recovered', raisedBy: 'provider watch', labels: ['provider', 'kind'], meaning: 'A drained model provider answered `element.probe.successes` probes in a row (the leader probes it); the element is `provider:<name>`.' },
  { name: 'agent-unresponsive', raisedBy: 'agent watch', labels: ['agent', 'kind', 'owner'], meaning: 'With `agentElements`: a registered agent\'s heartbeats stopped — its health reached `unresponsiveWhen` (late or dead); the element is `agent:<name>` (docs/agents.md).' },
  { name: 'agent-dissenting', raisedBy: 'agent watch', labels: ['agent', 'kind', 'owner'], meaning: 'With `agentElements`: an agent\'s agreement rate in quorums (since its last release) fell below `minReliability` over at least `minVotes` votes; the element is `agent:<name>`.' },
  { name: 'config-apply-failed', raisedBy: 'config manager', labels: ['version'], meaning: 'A new config version could not be applied (its processes did not start); the previous version stays in force. On each service that failed, else on the element `config`.' },
];
