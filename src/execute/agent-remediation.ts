import { agentOf } from '../analyze/agent-element.js';
import { LOOP_ACTOR } from '../store/agent-retirement-records.js';
import type { AgentRetirementStore } from '../store/ports/agent-retirement-store.js';
import type { AgentStore } from '../store/ports/agent-store.js';
import type { ActionOutcome, ActionTarget } from './actuators.js';
import type { ElementControl } from './element-control.js';

/** What the `restart` and `replace` rungs of an agent need. */
export interface AgentRemediationDeps {
  store: Pick<AgentStore, 'getAgent'> & Pick<AgentRetirementStore, 'retireAgent'>;
  /** The supervisor's processes: an agent's process is restarted by the same actuator as any service's. */
  control: Pick<ElementControl, 'restart' | 'instances' | 'restartState'>;
  /** `agentElements.processes` of the applied config: the service that runs each agent (read at each action). */
  processes: () => Readonly<Record<string, string>>;
}

/**
 * The `restart` rung on `agent:<name>`: restart the process `agentElements.processes` names
 * for it — the supervisor's own restart (the stop signal, SIGKILL after the service's
 * `gracePeriod`, a fresh process), so a hung agent (SIGSTOP, a deadlock) is killed, not asked.
 * The fresh process registers again; verification waits until it heartbeats (the watch's
 * `agent-unresponsive` clears only when the agent is alive). Its tasks are not touched here:
 * their leases lapse and they go to whichever capable agent claims first, the fresh one included.
 *
 * Threat model: caused only by a remediation of an incident on `agent:<name>` (the leader's,
 * under the guardrails, approval where the policy asks); it reaches one supervised service,
 * the one a person named in the config for that agent — never a process the agent names.
 *
 * @example await restartAgent(deps, { incidentId: '7', service: 'agent:researcher-1' }) // { ok: true, detail: 'restarted the process of agent researcher-1 (service researcher-1) …' }
 */
export async function restartAgent(deps: AgentRemediationDeps, target: ActionTarget): Promise<ActionOutcome> {
  const agent = agentOf(target.service);
  if (agent === undefined) return { ok: false, detail: `restart of an agent acts on agent:<name>, not on ${target.service}` };
  const service = deps.processes()[agent];
  if (service === undefined) return { ok: false, detail: `cannot restart agent ${agent}: agentElements.processes names no process for it (homeostat does not run it); quarantine or replace it instead` };
  const instances = deps.control.instances(service);
  if (instances.length === 0) return { ok: false, detail: `cannot restart agent ${agent}: its service ${service} has no replica in this homeostat up` };
  // Started after the symptom (the supervisor respawned a crashed agent): restarting it again
  // would kill the fresh process; verification still waits for it to heartbeat.
  const started = instances.map((instance) => deps.control.restartState?.(service, instance)?.startedAt ?? null);
  if (target.since !== undefined && started.every((at) => at !== null && at >= target.since!)) {
    return { ok: true, skipped: true, healedBy: `the supervisor's restart of ${service}`, detail: `skipped: the process of agent ${agent} (service ${service}) already started after the symptom; verification waits for it to heartbeat` };
  }
  await deps.control.restart(service);
  return { ok: true, detail: `restarted the process of agent ${agent} (service ${service}): stopped, killed after its grace period if it did not stop, and started again; verification waits for it to heartbeat` };
}

/**
 * The `replace` rung on `agent:<name>`: retire the agent — the tasks it holds go back to the
 * queue now, for another capable agent, and its registration claims nothing again (a late
 * answer of it is refused by the generation fence) — then, where `agentElements.processes`
 * names its process, restart that process: the fresh instance registers again, after the
 * retired registration, and claims. Without a process, the name stays fenced until an
 * operator releases it (`homeostat agents release`). Verification waits until the tasks it
 * held are finished or held by live agents (agent-watch.ts).
 *
 * Threat model: caused only by a remediation of an incident on `agent:<name>`; it reaches one
 * row of `agent_retirements`, the in-flight tasks of that one agent and, with a process, the
 * one supervised service a person named for it. The worst it does is take an agent out of
 * the fleet: its tasks wait for another capable agent.
 *
 * @example await replaceAgent(deps, { incidentId: '7', service: 'agent:extractor-3' }) // { ok: true, detail: 'retired agent extractor-3 …' }
 */
export async function replaceAgent(deps: AgentRemediationDeps, target: ActionTarget, now: number): Promise<ActionOutcome> {
  const agent = agentOf(target.service);
  if (agent === undefined) return { ok: false, detail: `replace acts on an agent (element agent:<name>), not on ${target.service}` };
  const service = deps.processes()[agent];
  const withProcess = service !== undefined && deps.control.instances(service).length > 0;
  const reason = `incident ${target.incidentId}${target.requestId ? ` (${target.requestId})` : ''}`;
  const retired = await deps.store.retireAgent(agent, { freshAllowed: withProcess, reason, by: LOOP_ACTOR, now });
  if (!retired) return { ok: false, detail: `replace: no agent "${agent}" is registered` };
  const tasks = retired.requeued.length === 0 ? 'it held no task' : `its ${retired.requeued.length} task(s) in flight went back to the queue (${retired.requeued.join(', ')})`;
  if (!withProcess) {
    const why = service === undefined ? 'agentElements.processes names no process for it' : `its service ${service} has no replica in this homeostat up`;
    return { ok: true, detail: `retired agent ${agent}: it claims no task again (${why}, so no fresh instance was started; an operator's release lets it back); ${tasks}` };
  }
  await deps.control.restart(service);
  return { ok: true, detail: `retired agent ${agent} and restarted its process (service ${service}): the retired registration claims no task again, the fresh instance claims once it registers; ${tasks}` };
}
