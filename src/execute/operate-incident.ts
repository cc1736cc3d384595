import { HomeostatError, isHomeostatError } from '../errors/homeostat-error.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { IncidentRecord, RunRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/** Longest operator note, in UTF-8 bytes: a note explains, a log goes elsewhere. */
export const NOTE_MAX_BYTES = 2_048;
/** Longest reason for closing an incident by hand (same bound as a note). */
export const CLOSE_REASON_MAX_BYTES = NOTE_MAX_BYTES;

/** What closing an incident needs from the engine: read its remediation run, and cancel it. */
export interface RunCanceller {
  getRun(runId: string): Promise<RunRecord | undefined>;
  cancel(runId: string): Promise<RunRecord>;
}

export interface OperateIncidentDeps {
  store: Store;
  knowledge: Knowledge;
  engine: RunCanceller;
  now?: () => number;
  /**
   * How long closing waits for a cancelled remediation run to stop (default 5 s) before it
   * resolves the incident: a run stopped mid-step could otherwise still write a status
   * ("escalated") over the resolution. A run no worker picks up (nothing running) is left
   * with its cancel requested, and the explanation says so.
   */
  stopWaitMs?: number;
}

/** An operator action that cannot be done: unknown incident, bad note, or already resolved. */
export class IncidentOperationError extends HomeostatError {
  constructor(code: 'HS_INCIDENT_NOT_FOUND' | 'HS_INCIDENT_RESOLVED' | 'HS_INVALID_NOTE', message: string) {
    super(code, message, { retryable: false });
  }
}

const IN_FLIGHT = new Set(['pending', 'running', 'waiting']);

/**
 * The operator actions on each incident under way in this process, chained so that they
 * run one at a time: two operators closing the same incident at once through one `up`'s
 * API get one close and one 409, and two acknowledging get one first acknowledgement.
 * (Across processes — the CLI on the store while `up` serves the API — the store has the
 * last word and both could pass; the audit log then shows both.)
 */
const underWay = new Map<string, Promise<unknown>>();

function oneAtATime<T>(id: string, action: () => Promise<T>): Promise<T> {
  const previous = underWay.get(id) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(action);
  underWay.set(id, next);
  const forget = () => {
    if (underWay.get(id) === next) underWay.delete(id);
  };
  next.then(forget, forget);
  return next;
}

async function existing(deps: OperateIncidentDeps, id: string): Promise<IncidentRecord> {
  const incident = await deps.store.getIncident(id);
  if (!incident) throw new IncidentOperationError('HS_INCIDENT_NOT_FOUND', `no incident ${id} (homeostat incidents --all lists them)`);
  return incident;
}

/** The trimmed text, refused (400) when empty or over `max` UTF-8 bytes. */
function boundedText(text: unknown, what: string, max: number): string {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (trimmed === '') throw new IncidentOperationError('HS_INVALID_NOTE', `${what} is empty: say something an on-call reader can use`);
  const bytes = Buffer.byteLength(trimmed, 'utf8');
  if (bytes > max) throw new IncidentOperationError('HS_INVALID_NOTE', `${what} is ${bytes} bytes; at most ${max} are kept (link to a longer write-up instead)`);
  return trimmed;
}

/**
 * What an acknowledgement did: `acknowledged`, it is now `by`'s; `already`, `by` had
 * acknowledged it before (nothing changed); `recorded`, someone else had, and stays first.
 */
export interface Acknowledged {
  incident: IncidentRecord;
  outcome: 'acknowledged' | 'already' | 'recorded';
}

/**
 * Acknowledge an incident as `by` ("I am on it"). The first acknowledgement stays: a later
 * one by someone else is recorded in the explanation and audited but does not take it over
 * (who answered first is what a page's escalation policy asks); the same person again
 * changes nothing. A resolved incident has nothing left to take on (409).
 *
 * @example
 * await acknowledgeIncident(deps, 'inc-1a2b3c4d', 'api:alice') // { incident: { acknowledgedBy: 'api:alice', … }, outcome: 'acknowledged' }
 * @example
 * await acknowledgeIncident(deps, 'inc-1a2b3c4d', 'api:bob') // outcome 'recorded': acknowledgedBy still 'api:alice'; bob's is a note
 */
export function acknowledgeIncident(deps: OperateIncidentDeps, id: string, by: string): Promise<Acknowledged> {
  return oneAtATime(id, () => acknowledgeNow(deps, id, by));
}

async function acknowledgeNow(deps: OperateIncidentDeps, id: string, by: string): Promise<Acknowledged> {
  const { knowledge } = deps;
  const now = deps.now ?? Date.now;
  const incident = await existing(deps, id);
  if (incident.status === 'resolved') throw new IncidentOperationError('HS_INCIDENT_RESOLVED', `incident ${id} is already resolved${incident.resolvedBy ? ` (by ${incident.resolvedBy})` : ''}: there is nothing to acknowledge (a note can still be added)`);
  if (incident.acknowledgedBy === by) return { incident, outcome: 'already' };
  if (incident.acknowledgedBy !== null) {
    await knowledge.incidents.record(id, 'note', { acknowledged: true, by, detail: `also acknowledged by ${by} (${incident.acknowledgedBy} acknowledged it first)` });
    await knowledge.audit.append(by, 'incident.acknowledged', id, { first: incident.acknowledgedBy });
    const touched = await deps.store.updateIncident(id, { updatedAt: now() });
    return { incident: touched ?? incident, outcome: 'recorded' };
  }
  const at = now();
  const updated = (await deps.store.updateIncident(id, { acknowledgedAt: at, acknowledgedBy: by, updatedAt: at })) ?? incident;
  await knowledge.incidents.record(id, 'note', { acknowledged: true, by, detail: `acknowledged by ${by}` });
  await knowledge.audit.append(by, 'incident.acknowledged', id, {});
  return { incident: updated, outcome: 'acknowledged' };
}

/**
 * Append an operator's note to the explanation chain (redacted like every entry), audited.
 * Resolved incidents take notes too: the post-mortem is written after.
 *
 * @example
 * await annotateIncident(deps, 'inc-1a2b3c4d', 'disk was full on db-2; cleaned /var/log', 'api:alice')
 * @example
 * await annotateIncident(deps, 'inc-1a2b3c4d', '   ', 'api:alice') // throws HS_INVALID_NOTE (400)
 */
export async function annotateIncident(deps: OperateIncidentDeps, id: string, text: unknown, by: string): Promise<IncidentRecord> {
  const note = boundedText(text, 'the note', NOTE_MAX_BYTES);
  const incident = await existing(deps, id);
  await deps.knowledge.incidents.record(id, 'note', { text: note, by });
  await deps.knowledge.audit.append(by, 'incident.annotated', id, { bytes: Buffer.byteLength(note, 'utf8') });
  return (await deps.store.updateIncident(id, { updatedAt: (deps.now ?? Date.now)() })) ?? incident;
}

/** What closing an incident did besides resolving it. */
export interface ClosedIncident {
  incident: IncidentRecord;
  /** The remediation run that was in flight (none or one), and whether it had stopped before the incident was resolved. */
  cancelledRuns: { id: string; stopped: boolean }[];
  /** Pending approvals of the incident, now denied. */
  deniedApprovals: string[];
}

/**
 * Close an incident by hand, as `by`, for `reason`: its current remediation run (the one
 * `IncidentRecord.remediation` names), still in flight, is cancelled (and given a moment to stop), its pending approvals denied, what was
 * cancelled recorded in the explanation, and the incident resolved through
 * `Incidents.resolve` with resolution `operator` (so whatever hooks resolution — a resolve
 * sent to a pager — covers manual closes too). Closing a resolved incident is a 409.
 *
 * @example
 * await closeIncident(deps, 'inc-1a2b3c4d', 'fixed the disk by hand', 'api:alice') // { incident: { status: 'resolved', resolution: 'operator', resolvedBy: 'api:alice' }, cancelledRuns: [{ id: 'remediate:db:inc-1a2b3c4d:0', stopped: true }], deniedApprovals: [] }
 * @example
 * await closeIncident(deps, 'inc-done', 'again', 'api:bob') // throws HS_INCIDENT_RESOLVED
 */
export async function closeIncident(deps: OperateIncidentDeps, id: string, reason: unknown, by: string): Promise<ClosedIncident> {
  const why = boundedText(reason, 'the reason for closing', CLOSE_REASON_MAX_BYTES);
  return oneAtATime(id, () => closeNow(deps, id, why, by));
}

async function closeNow(deps: OperateIncidentDeps, id: string, why: string, by: string): Promise<ClosedIncident> {
  const { store, knowledge, engine } = deps;
  const incident = await existing(deps, id);
  refuseResolved(incident);

  const cancelledRuns: ClosedIncident['cancelledRuns'] = [];
  // The current run is the one that may act: the loop starts a cycle once the previous
  // run has finished or after it cancelled it (a re-target). A reference whose run is not
  // started yet has no run to cancel.
  const run = incident.remediation && (await engine.getRun(incident.remediation.runId));
  if (run && IN_FLIGHT.has(run.status)) {
    const requested = await engine.cancel(run.id).catch((error: unknown) => {
      // Finished between the look and the cancel: nothing left to stop.
      if (isHomeostatError(error, 'HS_INVALID_RUN_STATE')) return undefined;
      throw error;
    });
    if (requested && (requested.status === 'cancelled' || IN_FLIGHT.has(requested.status))) cancelledRuns.push({ id: run.id, stopped: false });
  }
  for (const run of cancelledRuns) run.stopped = await waitStopped(engine, run.id, deps.stopWaitMs ?? 5_000);

  const deniedApprovals: string[] = [];
  for (const approval of (await knowledge.approvals.list(['pending'])).filter((a) => a.incidentId === id)) {
    const decided = await knowledge.approvals.decide(approval.id, 'denied', by, `incident closed by ${by}: ${why}`);
    if (decided?.status === 'denied' && decided.decidedBy === by) deniedApprovals.push(approval.id);
  }

  // The run may have healed it while it was being stopped: then that stands.
  refuseResolved((await store.getIncident(id)) ?? incident);
  const cancelled = [
    ...cancelledRuns.map((r) => (r.stopped ? `cancelled remediation ${r.id}` : `requested cancelling remediation ${r.id} (it stops when a worker picks it up)`)),
    ...deniedApprovals.map((a) => `denied pending approval ${a}`),
  ];
  await knowledge.incidents.record(id, 'note', {
    by,
    detail: `closed by ${by}: ${cancelled.length ? cancelled.join('; ') : 'no remediation was in flight'}`,
    cancelledRuns: cancelledRuns.map((r) => r.id),
    deniedApprovals,
  });
  await knowledge.incidents.record(id, 'outcome', { outcome: 'resolved', by, detail: why });
  const resolved = await knowledge.incidents.resolve(id, { resolution: 'operator', by, actor: by, summary: `closed by ${by}: ${why}` });
  if (!resolved) {
    // Resolved meanwhile by someone else (another process's close, the loop): theirs stands.
    const now = await knowledge.incidents.get(id);
    if (now) refuseResolved(now);
  }
  return { incident: resolved ?? incident, cancelledRuns, deniedApprovals };
}

function refuseResolved(incident: IncidentRecord): void {
  if (incident.status !== 'resolved') return;
  const how = incident.resolution === 'operator' ? `closed by ${incident.resolvedBy ?? 'an operator'}` : incident.resolution === 'external' ? 'externally' : incident.resolvedBy ? `by ${incident.resolvedBy}` : 'by the loop';
  throw new IncidentOperationError('HS_INCIDENT_RESOLVED', `incident ${incident.id} is already resolved (${how}); a new symptom opens a new incident`);
}

/** Poll until the run has finished (cancelled, or it ended another way), up to `ms`. */
async function waitStopped(engine: RunCanceller, runId: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    const run = await engine.getRun(runId);
    if (!run || !IN_FLIGHT.has(run.status)) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
