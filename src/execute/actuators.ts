import type { ActionConfig, EscalationConfig } from '../config/schema/policies.js';
import { SpanStatusCode } from '@opentelemetry/api';
import { redactText } from '../knowledge/redact.js';
import { runCommandAction } from './command-action.js';
import { setProviderState } from './provider-actions.js';
import { setAgentQuarantine, type AgentActionStore } from './agent-actions.js';
import { replaceAgent, restartAgent, type AgentRemediationDeps } from './agent-remediation.js';
import { isAgentElement } from '../analyze/agent-element.js';
import type { ModelStore } from '../store/ports/model-store.js';
import { traced } from '../telemetry/tracing.js';
import type { ElementControl } from './element-control.js';
import { jsonPayload, webhookPayload, type EscalationMessage } from './escalation-payloads.js';
import { webhookSender, type WebhookSender } from './webhook-sender.js';

/** What an action is aimed at. */
export interface ActionTarget {
  incidentId: string;
  service: string;
  instance?: string;
  /** When the symptom that led here happened: a replica respawned after it is not restarted again (see restart-since.ts). */
  since?: number;
  /** When this incident's own remediation last restarted the target: a process started since is that restart's, not the supervisor's. */
  ownRestartAt?: number;
  /**
   * The node that supervises `instance` (several `up` on one store): an action on a process
   * is executed by that node's agent (see node-routed-actuator.ts). Absent: this node.
   */
  node?: string;
  /** This action of this run (`<run>:<rung>`): stable across a resume, so a node executes it once. */
  requestId?: string;
}

export interface ActionOutcome {
  ok: boolean;
  detail: string;
  /** Nothing was done because it was no longer needed (e.g. the supervisor already restarted the replica). */
  skipped?: boolean;
  /**
   * With `skipped`: not repeated because it already ran, before a crash of the controller,
   * and took effect (action-intent.ts) — it is still this remediation's action, credited as
   * such; a plain skip is credited with nothing.
   */
  resumed?: boolean;
  /**
   * With `skipped`: who already did what the action would have, when that was homeostat's own
   * supervisor (its restart policy respawned the replica): the incident is credited to it.
   * Absent: the skip was someone else's doing, and a recovery is external.
   */
  healedBy?: string;
  /** The service whose health verifies the action, when not the target's (a failover: the side now active). */
  verifyOn?: string;
  /**
   * Started before a crash of the controller, outcome unknown, and not run again (see
   * action-intent.ts): `ok` is false, yet verification of health still decides.
   */
  uncertain?: boolean;
  /** The node whose process it acted on (several `up` on one store). */
  node?: string;
  /** A `workflow` rung's run: its id, and its output (JSON, redacted, cut at 2,000 characters) or its error — part of the explanation. */
  runbook?: RunbookOutcome;
}

/** What a runbook run gave back, for the incident's explanation. */
export interface RunbookOutcome {
  runId: string;
  workflow: string;
  output?: string;
  error?: string;
}

/**
 * Carries out one remediation action. One method, so a function can stand in.
 * @example await actuator.execute({ action: 'restart', scope: 'instance' }, { incidentId, service: 'api', instance: 'api#0' }, signal)
 * @example await actuator.execute({ action: 'rollback' }, target, signal) // { ok: false, detail: '… no config reload hook' } when none is wired
 */
export interface Actuator {
  execute(action: ActionConfig, target: ActionTarget, signal: AbortSignal): Promise<ActionOutcome>;
}

export interface ActuatorDeps {
  control: ElementControl;
  escalation: EscalationConfig;
  /** Start a runbook workflow and wait for it (the engine's `start` + `result`); starting an id that exists joins that run. */
  runWorkflow?: (name: string, input: unknown, id: string, timeoutMs: number) => Promise<unknown>;
  /** Redrive the failed or dead-lettered runs incident `incidentId` is about and wait for them (see redrive-runs.ts). */
  redriveRuns?: (incidentId: string, timeoutMs: number, signal: AbortSignal) => Promise<ActionOutcome>;
  /** Roll the config back to the last known good version and apply it. */
  rollback?: (target: ActionTarget) => Promise<ActionOutcome>;
  /** The escalation message for an incident (its explanation). */
  escalationMessage: (incidentId: string, severity: EscalationMessage['severity']) => Promise<EscalationMessage>;
  /**
   * Put a `command` action's process group under the supervisor's orphan protection (it
   * dies with `up`, even after a SIGKILL); returns the function that releases it.
   */
  guardProcess?: (pid: number, target: ActionTarget) => () => void;
  /**
   * Where a model provider's state is written (`drain`, `limit`, `restore`): the store every
   * worker reads it from, and the providers the applied config names.
   */
  providers?: { store: Pick<ModelStore, 'setModelProviderState'>; known: () => readonly string[] };
  /**
   * Where an agent's quarantine and retirement are written (`quarantine`, `release`,
   * `replace`): the store every dispatcher's claim reads; and which service runs each agent
   * (`agentElements.processes`), for `restart` and `replace` of `agent:<name>`.
   */
  agents?: { store: AgentActionStore & AgentRemediationDeps['store']; processes?: () => Readonly<Record<string, string>> };
  /**
   * Sends the `webhook` rungs and the escalation pages: signed, retried, dead-lettered and
   * counted (webhook-sender.ts). Default: retried and signed, recorded nowhere (tests).
   */
  webhooks?: WebhookSender;
}

/** Actions that interrupt service: evidence is snapshotted before them. */
export const DESTRUCTIVE_ACTIONS = new Set<ActionConfig['action']>(['restart', 'stop-start', 'scale', 'rollback', 'command', 'failover']);

/** The standard actuators over an {@link ElementControl}. */
export function createActuator(deps: ActuatorDeps): Actuator {
  const actuator = untracedActuator(deps);
  return {
    // Traced as `homeostat.action`: the webhook it posts carries its `traceparent`.
    execute: (action, target, signal) =>
      traced('homeostat.action', { 'homeostat.action.kind': action.action, 'homeostat.action.target': target.instance ?? target.service, 'homeostat.incident.id': target.incidentId }, async (span) => {
        const outcome = await actuator.execute(action, target, signal);
        if (span) {
          span.setAttributes({ 'homeostat.action.outcome': outcome.ok ? 'ok' : 'failed', 'homeostat.action.skipped': outcome.skipped === true, 'homeostat.action.detail': outcome.detail });
          if (!outcome.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.detail });
        }
        return outcome;
      }),
  };
}

function untracedActuator(deps: ActuatorDeps): Actuator {
  return {
    async execute(action, target, signal) {
      const where = target.instance ?? target.service;
      switch (action.action) {
        case 'restart': {
          // An agent's restart is its process's (agent-remediation.ts), named by the config, not by the symptom.
          if (isAgentElement(target.service)) return deps.agents ? restartAgent(agentRemediation(deps, deps.agents), target) : { ok: false, detail: `cannot restart ${where}: no agent store is wired in this process` };
          const instance = action.scope === 'instance' ? target.instance : undefined;
          // The supervisor restarts a crashed process on its own: restarting it again would
          // interrupt the fresh process. Skip a replica started after the symptom — which,
          // after a restart of ours, is the first symptom since it (restart-since.ts): the
          // process our own restart started is not one "already restarted by the supervisor".
          const state = instance !== undefined ? deps.control.restartState?.(target.service, instance) : undefined;
          if (target.since !== undefined && state?.startedAt != null && state.startedAt >= target.since) {
            return skippedRestart(instance!, state.startedAt - target.since, state.startedAt, state.lastExitReason);
          }
          await deps.control.restart(target.service, instance);
          if (state?.nextRestartAt != null) return { ok: true, detail: `started ${instance} now: it was waiting in restart backoff (its scheduled restart is cancelled, not repeated)` };
          const again = target.ownRestartAt !== undefined && state?.startedAt != null && state.startedAt >= target.ownRestartAt;
          if (again) return { ok: true, detail: `restarted ${instance} again: its process was the one this incident's own restart started (${new Date(state.startedAt!).toISOString()}), and it is still unhealthy` };
          return { ok: true, detail: `restarted ${instance ?? `every replica of ${target.service}`}` };
        }
        case 'stop-start': {
          const instance = action.scope === 'instance' ? target.instance : undefined;
          await deps.control.stopStart(target.service, instance);
          return { ok: true, detail: `stopped and started ${instance ?? target.service}` };
        }
        case 'scale': {
          const current = deps.control.instances(target.service).length;
          const wanted = Math.min(action.max, action.replicas ?? current + (action.by ?? 1));
          await deps.control.scale(target.service, wanted);
          return { ok: true, detail: `scaled ${target.service} from ${current} to ${wanted} replicas` };
        }
        case 'failover': {
          if (!deps.control.failover) return { ok: false, detail: `cannot fail over ${target.service}: this element control has no failover` };
          const switched = await deps.control.failover(target.service, `failover action for incident ${target.incidentId}`);
          if (!switched) return { ok: false, detail: `cannot fail over ${target.service}: it has no standby pair, or the other side has no healthy replica` };
          return { ok: true, detail: `failed over from ${switched.from} to ${switched.to}`, verifyOn: switched.to };
        }
        case 'rollback':
          return deps.rollback ? deps.rollback(target) : { ok: false, detail: 'cannot roll back: no config reload hook is wired in this process' };
        case 'command':
          return runCommandAction(
            { run: action.run, timeoutMs: action.timeout, about: { service: target.service, instance: target.instance ?? '', incident: target.incidentId }, env: action.env, passEnv: action.passEnv, ...(action.user !== undefined ? { user: action.user } : {}) },
            signal,
            deps.guardProcess && ((pid) => deps.guardProcess!(pid, target)),
          );
        case 'webhook': {
          const message = await deps.escalationMessage(target.incidentId, 'warning');
          const sent = await (deps.webhooks ?? webhookSender()).send({ incidentId: target.incidentId, event: 'action', url: action.url, body: jsonPayload({ ...message, event: 'trigger' }), timeoutMs: action.timeout, ...secretOf(action), signal });
          return { ok: sent.ok, detail: sent.detail };
        }
        case 'workflow': {
          if (!deps.runWorkflow) return { ok: false, detail: 'no engine to run the runbook workflow' };
          // One run per remediation run and rung: a resumed rung joins it, while a re-opened incident's
          // next remediation runs the runbook again (joining the earlier, completed run would repair nothing).
          const runId = `runbook:${target.requestId ?? target.incidentId}:${action.name}`;
          try {
            const output = await deps.runWorkflow(action.name, action.input ?? { incidentId: target.incidentId, service: target.service, instance: target.instance }, runId, action.timeout);
            const text = redactText(JSON.stringify(output) ?? 'undefined').slice(0, 2_000);
            return { ok: true, detail: `runbook ${action.name} completed (run ${runId}): ${text.slice(0, 200)}`, runbook: { runId, workflow: action.name, output: text } };
          } catch (error) {
            // `up` is stopping: the run goes on under the next leader, which joins it — not a failed rung.
            if (signal.aborted) throw error;
            const message = redactText((error as Error).message).slice(0, 2_000);
            return { ok: false, detail: `runbook ${action.name} did not complete (run ${runId}): ${message}`, runbook: { runId, workflow: action.name, error: message } };
          }
        }
        case 'redrive':
          if (!deps.redriveRuns) return { ok: false, detail: 'no engine to redrive workflow runs' };
          return deps.redriveRuns(target.incidentId, action.timeout, signal);
        case 'drain':
        case 'limit':
        case 'restore':
          if (!deps.providers) return { ok: false, detail: `cannot ${action.action} ${where}: no model store is wired in this process` };
          return setProviderState(deps.providers.store, action, target, Date.now(), deps.providers.known());
        case 'quarantine':
        case 'release':
          if (!deps.agents) return { ok: false, detail: `cannot ${action.action} ${where}: no agent store is wired in this process` };
          return setAgentQuarantine(deps.agents.store, action, target, Date.now());
        case 'replace':
          if (!deps.agents) return { ok: false, detail: `cannot replace ${where}: no agent store is wired in this process` };
          return replaceAgent(agentRemediation(deps, deps.agents), target, Date.now());
        case 'escalate':
          return escalate(deps, target.incidentId, 'critical', signal);
        default:
          return { ok: false, detail: `unknown action on ${where}` };
      }
    },
  };
}

function agentRemediation(deps: ActuatorDeps, agents: NonNullable<ActuatorDeps['agents']>): AgentRemediationDeps {
  return { store: agents.store, control: deps.control, processes: agents.processes ?? (() => ({})) };
}

/** What an escalation did: the action outcome, and how many webhooks accepted it. */
export interface EscalationOutcome extends ActionOutcome {
  /** Webhooks that answered 2xx (0 when none is configured). */
  delivered: number;
}

/**
 * Send the incident's explanation to every escalation webhook (PagerDuty-, Slack- or
 * plain-JSON-shaped, see escalation-payloads.ts), each delivery signed, retried and
 * dead-lettered when it stays undelivered (webhook-sender.ts). Sends unconditionally: who
 * pages when is decided by `pageOnce` (page-once.ts) and the resolve notifier.
 */
export async function escalate(deps: Pick<ActuatorDeps, 'escalation' | 'escalationMessage' | 'webhooks'>, incidentId: string, severity: EscalationMessage['severity'], signal?: AbortSignal, event: EscalationMessage['event'] = 'trigger'): Promise<EscalationOutcome> {
  const message = { ...(await deps.escalationMessage(incidentId, severity)), event };
  if (deps.escalation.webhooks.length === 0) return { ok: true, delivered: 0, detail: 'escalated (no webhooks configured: see `homeostat incidents`)' };
  const sender = deps.webhooks ?? webhookSender();
  const results = await Promise.all(deps.escalation.webhooks.map((hook) => sender.send({ incidentId, event, url: hook.url, body: webhookPayload(message, hook), timeoutMs: ESCALATION_TIMEOUT_MS, ...secretOf(hook), ...(signal ? { signal } : {}) })));
  const delivered = results.filter((r) => r.ok).length;
  return { ok: delivered === results.length, delivered, detail: results.map((r) => r.detail).join('; ') };
}

/** Each attempt to an escalation webhook fails after this long. */
export const ESCALATION_TIMEOUT_MS = 5_000;

/** The `secretEnv` of a webhook's config, when it has one, as a {@link WebhookSender} send takes it. */
export function secretOf(hook: { secretEnv?: string | undefined }): { secretEnv?: string } {
  return hook.secretEnv !== undefined ? { secretEnv: hook.secretEnv } : {};
}

/** Previous processes that the supervisor's restart policy replaced by itself (a crash, a failed probe, a memory limit). */
const POLICY_RESTARTS = new Set<string>(['exited', 'liveness', 'startup', 'memory']);

/**
 * A restart skipped because the replica's process already started after the symptom, saying
 * who started it: the supervisor's restart policy (credited with the recovery), a restart
 * someone requested (an operator, through the CLI or API: external), or unknown.
 */
function skippedRestart(instance: string, afterMs: number, startedAt: number, lastExitReason: string | null | undefined): ActionOutcome {
  const started = `${afterMs} ms after the symptom (started ${new Date(startedAt).toISOString()})`;
  if (lastExitReason && POLICY_RESTARTS.has(lastExitReason)) {
    return { ok: true, skipped: true, healedBy: `the supervisor's restart of ${instance}`, detail: `skipped: ${instance} was already restarted by the supervisor (its restart policy, after ${lastExitReason === 'exited' ? 'it exited' : `its ${lastExitReason} check`}) ${started}` };
  }
  if (lastExitReason === 'requested') return { ok: true, skipped: true, detail: `skipped: ${instance} was already restarted on request, not by this incident, ${started}` };
  return { ok: true, skipped: true, detail: `skipped: ${instance} already has a process started ${started}` };
}
