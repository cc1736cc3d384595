import type { ActionConfig } from '../config/schema/policies.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { ActionOutcome } from './actuators.js';
import type { ElementControl } from './element-control.js';

/**
 * What to do with an action that was started before the controller died, when nobody
 * knows whether it finished (the workflow engine checkpoints a step only after it ends,
 * so a resumed run executes an interrupted `act:` step again):
 * - `repeat`: running it twice is harmless (it sets an absolute state);
 * - `check`: look whether it took effect, skip if so, else run it again;
 * - `once`: never run twice (at-most-once): the outcome is recorded as unknown and
 *   verification of health decides whether the next rung follows.
 */
export type ResumeRule = 'repeat' | 'check' | 'once';

/** The table in docs/architecture.md ("Actions at most once"). */
export function resumeRule(action: ActionConfig): ResumeRule {
  switch (action.action) {
    case 'restart':
    case 'stop-start':
      // Its effect is visible: a replica whose process started after the intent was restarted.
      return 'check';
    case 'scale':
      // `replicas: 3` sets a count; `by: 1` would add a second replica.
      return action.replicas !== undefined ? 'repeat' : 'once';
    case 'workflow':
      // Started with a stable run id (`runbook:<remediation run>:<rung>:<name>`): starting it again joins
      // the run already started, it does not start a second one.
      return 'repeat';
    case 'redrive':
      // Redrives only runs still failed or parked, then waits: a second time waits for the same runs.
      return 'repeat';
    case 'drain':
    case 'limit':
    case 'restore':
      // Sets the provider's state in the store: setting it twice leaves it the same.
      return 'repeat';
    case 'quarantine':
    case 'release':
      // Sets the agent's quarantine in the store: a second time finds no task left to requeue.
      return 'repeat';
    case 'replace':
      // Retires, then restarts a process: a second restart would kill the fresh instance.
      return 'once';
    case 'command':
    case 'webhook':
      // Side effects outside homeostat: repeated only when the policy says they are idempotent.
      return action.idempotent ? 'repeat' : 'once';
    default:
      // failover: a second switch flips back; rollback: "the last good version" may have
      // moved; escalate: pages.
      return 'once';
  }
}

/** Where one action of one remediation run stands, as its explanation chain says. */
export interface ActionIntent {
  knowledge: Knowledge;
  control: ElementControl;
  incidentId: string;
  /** The remediation run and its rung: an incident may see several runs of one ladder. */
  runId: string;
  rung: number;
  action: ActionConfig;
  /** `restart api#0`, as the chain names it. */
  label: string;
  service: string;
  instance?: string;
  /**
   * The supervised service whose processes show a restart's effect when it is not `service`
   * itself: an agent element `agent:<name>` is restarted through the service that
   * `agentElements.processes` names for it.
   */
  processService?: string;
  leaderTerm?: number;
}

/**
 * Before an action runs: if this run's rung already recorded its outcome, that outcome
 * (the crash came after it was written: nothing runs again). If it recorded only its
 * intent, the crash came while it ran: returns what {@link resumeRule} makes of it (an
 * `uncertain` outcome, or a skip), or `undefined` when it is safe to run again.
 * Undefined also when it never started.
 */
export async function resumeInterrupted(intent: ActionIntent): Promise<{ outcome: ActionOutcome; recorded: boolean } | undefined> {
  const entries = (await intent.knowledge.incidents.explain(intent.incidentId))?.entries ?? [];
  const mine = entries.filter((e) => e.data.run === intent.runId && e.data.rung === intent.rung);
  const done = mine.find((e) => e.kind === 'action');
  if (done) {
    const { ok, detail, skipped, resumed, uncertain, verifyOn } = done.data as Partial<ActionOutcome>;
    return { recorded: true, outcome: { ok: ok === true, detail: String(detail ?? ''), ...(skipped ? { skipped } : {}), ...(resumed ? { resumed } : {}), ...(uncertain ? { uncertain } : {}), ...(verifyOn ? { verifyOn } : {}) } };
  }
  const started = mine.filter((e) => e.kind === 'intent').at(-1);
  if (!started) return undefined;
  const at = new Date(started.at).toISOString();
  const rule = resumeRule(intent.action);
  if (rule === 'repeat') return undefined;
  if (rule === 'check') {
    const restartedSince = restartedAfter(intent, started.at);
    if (!restartedSince) return undefined;
    return { recorded: false, outcome: { ok: true, skipped: true, resumed: true, detail: `skipped: started at ${at} before a crash of the controller; ${restartedSince} since, so it is not repeated` } };
  }
  return {
    recorded: false,
    outcome: { ok: false, uncertain: true, detail: `uncertain: started at ${at} before a crash of the controller, outcome unknown; not repeated (${intent.action.action} is not safe to run twice): verification decides` },
  };
}

/** Write the intent to the chain and the audit log before the action runs (attributed to the controller). */
export async function recordIntent(intent: ActionIntent): Promise<void> {
  const { knowledge, incidentId, runId, rung, label, leaderTerm } = intent;
  const data = { rung, run: runId, action: label, kind: intent.action.action, ...(leaderTerm === undefined ? {} : { leaderTerm }) };
  await knowledge.incidents.record(incidentId, 'intent', { ...data, detail: 'starting; recorded first, so a crash before its outcome is known does not repeat it blindly' });
  await knowledge.audit.append('controller', 'action.started', incidentId, { ...data, target: intent.instance ?? intent.service });
}

/** Which replicas of the target started after `since`, in words; undefined when any did not. */
function restartedAfter(intent: ActionIntent, since: number): string | undefined {
  const service = intent.processService ?? intent.service;
  const scoped = intent.processService === undefined && 'scope' in intent.action && intent.action.scope === 'instance' && intent.instance !== undefined;
  const instances = scoped ? [intent.instance!] : intent.control.instances(service);
  if (instances.length === 0 || !intent.control.restartState) return undefined;
  for (const instance of instances) {
    const startedAt = intent.control.restartState(service, instance)?.startedAt;
    if (startedAt == null || startedAt < since) return undefined;
  }
  return `${scoped ? intent.instance! : `every replica of ${service}`} started after it`;
}
