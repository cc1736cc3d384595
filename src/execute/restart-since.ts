import type { IncidentExplanation } from '../knowledge/incidents.js';

/** What a restart of an incident's target needs to know before it decides to skip. */
export interface RestartSince {
  /**
   * A replica whose process started at or after this was restarted by someone else (the
   * supervisor, after a crash): the restart is skipped. Undefined: nothing to skip for.
   */
  since?: number;
  /** When this incident's own remediation last restarted its target (the intent of its last `action` that restarted). */
  ownRestartAt?: number;
}

/**
 * When a replica counts as "already restarted" for an incident, from its explanation.
 *
 * Before any restart of ours: since the incident's first signal (the supervisor restarts a
 * crashed process on its own). After one of ours (an earlier rung or cycle, e.g. the slow
 * retry of an escalated incident): the process that restart started is ours, not a fresh
 * start by the supervisor, so it counts only from the first symptom after our restart (a
 * crash the supervisor then answered); with no symptom since, nothing is skipped.
 *
 * @example restartSince(explained) // { since: 1700000000123 } — a crash, no restart of ours yet
 * @example restartSince(explained) // { ownRestartAt: 1700000042000 } — our restart, no symptom since: restart again
 */
export function restartSince(explained: IncidentExplanation | undefined): RestartSince {
  if (!explained) return {};
  const { entries, incident } = explained;
  const restarted = entries
    .filter((e) => e.kind === 'action' && e.data.ok === true && e.data.skipped !== true && e.data.dryRun !== true && /^(restart|stop-start) /.test(String(e.data.action ?? '')))
    .at(-1);
  // From its intent, written before it ran: the process it started may start before its outcome is written.
  const ownRestartAt = restarted && (entries.find((e) => e.kind === 'intent' && e.data.run === restarted.data.run && e.data.rung === restarted.data.rung)?.at ?? restarted.at);
  if (ownRestartAt === undefined) {
    const at = entries.find((e) => e.kind === 'signal')?.data.at;
    return { since: typeof at === 'number' ? at : incident.openedAt };
  }
  // A later symptom of an element already in the incident is recorded as its signal only.
  const after = entries
    .filter((e) => e.kind === 'symptom' || e.kind === 'signal')
    .map((e) => (typeof e.data.at === 'number' ? e.data.at : e.at))
    .filter((at) => at > ownRestartAt);
  return after.length > 0 ? { since: Math.min(...after), ownRestartAt } : { ownRestartAt };
}
