import { spawn } from 'node:child_process';
import type { ActionConfig, EscalationConfig } from '../config/schema/policies.js';
import { SpanStatusCode } from '@opentelemetry/api';
import { redactText } from '../knowledge/redact.js';
import { traced, traceHeaders } from '../telemetry/tracing.js';
import type { ElementControl } from './element-control.js';
import { jsonPayload, webhookPayload, type EscalationMessage } from './escalation-payloads.js';

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
  /** Start a runbook workflow and wait for it (the engine's `start` + `result`). */
  runWorkflow?: (name: string, input: unknown, id: string, timeoutMs: number) => Promise<unknown>;
  /** Roll the config back to the last known good version and apply it. */
  rollback?: (target: ActionTarget) => Promise<ActionOutcome>;
  /** The escalation message for an incident (its explanation). */
  escalationMessage: (incidentId: string, severity: EscalationMessage['severity']) => Promise<EscalationMessage>;
  /**
   * Put a `command` action's process group under the supervisor's orphan protection (it
   * dies with `up`, even after a SIGKILL); returns the function that releases it.
   */
  guardProcess?: (pid: number, target: ActionTarget) => () => void;
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
          return runCommand(action.run, action.timeout, { HOMEOSTAT_SERVICE: target.service, HOMEOSTAT_INSTANCE: target.instance ?? '', HOMEOSTAT_INCIDENT: target.incidentId }, signal, deps.guardProcess && ((pid) => deps.guardProcess!(pid, target)));
        case 'webhook': {
          const message = await deps.escalationMessage(target.incidentId, 'warning');
          return postJson(action.url, jsonPayload({ ...message, event: 'trigger' }), action.timeout, signal);
        }
        case 'workflow': {
          if (!deps.runWorkflow) return { ok: false, detail: 'no engine to run the runbook workflow' };
          const output = await deps.runWorkflow(action.name, action.input ?? { incidentId: target.incidentId, service: target.service, instance: target.instance }, `runbook-${target.incidentId}-${action.name}`, action.timeout);
          return { ok: true, detail: `runbook ${action.name} completed: ${JSON.stringify(output)?.slice(0, 200)}` };
        }
        case 'escalate':
          return escalate(deps, target.incidentId, 'critical', signal);
        default:
          return { ok: false, detail: `unknown action on ${where}` };
      }
    },
  };
}

/** What an escalation did: the action outcome, and how many webhooks accepted it. */
export interface EscalationOutcome extends ActionOutcome {
  /** Webhooks that answered 2xx (0 when none is configured). */
  delivered: number;
}

/**
 * Send the incident's explanation to every escalation webhook (PagerDuty-, Slack- or
 * plain-JSON-shaped, see escalation-payloads.ts). Sends unconditionally: who pages when is
 * decided by `pageOnce` (page-once.ts) and the resolve notifier.
 */
export async function escalate(deps: Pick<ActuatorDeps, 'escalation' | 'escalationMessage'>, incidentId: string, severity: EscalationMessage['severity'], signal?: AbortSignal, event: EscalationMessage['event'] = 'trigger'): Promise<EscalationOutcome> {
  const message = { ...(await deps.escalationMessage(incidentId, severity)), event };
  if (deps.escalation.webhooks.length === 0) return { ok: true, delivered: 0, detail: 'escalated (no webhooks configured: see `homeostat incidents`)' };
  const results = await Promise.all(deps.escalation.webhooks.map((hook) => postJson(hook.url, webhookPayload(message, hook), 5_000, signal)));
  const delivered = results.filter((r) => r.ok).length;
  return { ok: delivered === results.length, delivered, detail: results.map((r) => r.detail).join('; ') };
}

/** POST `body` as JSON; any answer but 2xx, a timeout or a network error is `ok: false`. The URL is redacted in the detail. */
export async function postJson(url: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<ActionOutcome> {
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...traceHeaders() }, body: JSON.stringify(body), signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await response.arrayBuffer();
    return { ok: response.ok, detail: `POST ${redactText(url)} → HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, detail: `POST ${redactText(url)} failed: ${(error as Error).message}` };
  }
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

function runCommand(command: string, timeoutMs: number, env: Record<string, string>, signal: AbortSignal, guard?: (pid: number) => () => void): Promise<ActionOutcome> {
  return new Promise((resolve) => {
    // Its own process group: a timeout, an abort or the reaper stops what it started too.
    const child = spawn('sh', ['-c', command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const release = child.pid !== undefined && guard ? guard(child.pid) : undefined;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    };
    const timer = setTimeout(killGroup, timeoutMs);
    if (signal.aborted) killGroup();
    signal.addEventListener('abort', killGroup, { once: true });
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', killGroup);
      killGroup(); // what it left running in the background
      release?.();
    };
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => {
      done();
      resolve({ ok: false, detail: `command failed to run: ${error.message}` });
    });
    child.on('close', (code, killed) => {
      done();
      const tail = redactText(output.trim().split('\n').slice(-5).join(' | '));
      resolve({ ok: code === 0, detail: `\`${redactText(command)}\` exited ${code ?? killed}${tail ? `: ${tail}` : ''}` });
    });
  });
}
