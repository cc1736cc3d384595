import type { IncidentExplanation } from '../knowledge/incidents.js';

/** An explanation entry, as {@link IncidentExplanation} has them. */
type Entry = Pick<IncidentExplanation['entries'][number], 'at' | 'kind' | 'data'>;

/**
 * Whether someone has been paged for the incident as it stands, read from its explanation
 * chain alone — so a restarted controller knows it as well as the one that paged.
 *
 * The chain is cut into episodes: an episode ends with the resolve sent for it (an
 * `escalation` entry with `event: 'resolve'`, sent or not) or when the incident is re-opened
 * (a `note` whose detail starts with "re-opened"). A page is an `escalation` entry with
 * `event: 'trigger'` that at least one webhook accepted (or that had no webhook to go to).
 * Returns the latest page of the current episode; undefined when none was sent in it.
 *
 * @example outstandingPage([{ at: 5, kind: 'escalation', data: { event: 'trigger', ok: true, delivered: 2 } }]) // { at: 5 }
 * @example outstandingPage([page, { at: 9, kind: 'escalation', data: { event: 'resolve', ok: true } }]) // undefined: resolved since
 * @example outstandingPage([{ at: 5, kind: 'escalation', data: { event: 'trigger', ok: false, delivered: 0 } }]) // undefined: nobody got it
 */
export function outstandingPage(entries: readonly Entry[]): { at: number } | undefined {
  let paged: { at: number } | undefined;
  for (const entry of entries) {
    if (endsEpisode(entry)) paged = undefined;
    else if (isPage(entry)) paged = { at: entry.at };
  }
  return paged;
}

/**
 * Whether the escalation webhooks were told of the incident in its current episode, so a
 * resolution must close what they opened: a page ({@link outstandingPage}), or an approval's
 * expiry warning that reached a webhook (an `approval` entry, `status: 'expiring'`, with
 * `delivered` > 0) — a PagerDuty alert is open under the incident id either way.
 * @example resolveDue([{ at: 5, kind: 'approval', data: { status: 'expiring', delivered: 1 } }]) // true
 */
export function resolveDue(entries: readonly Entry[]): boolean {
  let told = false;
  for (const entry of entries) {
    if (endsEpisode(entry)) told = false;
    else if (isPage(entry) || isDeliveredWarning(entry)) told = true;
  }
  return told;
}

function isDeliveredWarning(entry: Entry): boolean {
  return entry.kind === 'approval' && entry.data.status === 'expiring' && typeof entry.data.delivered === 'number' && entry.data.delivered > 0;
}

function isPage(entry: Entry): boolean {
  if (entry.kind !== 'escalation' || entry.data.event !== 'trigger') return false;
  return (typeof entry.data.delivered === 'number' && entry.data.delivered > 0) || entry.data.ok === true;
}

function endsEpisode(entry: Entry): boolean {
  if (entry.kind === 'escalation') return entry.data.event === 'resolve';
  return entry.kind === 'note' && typeof entry.data.detail === 'string' && /^re-opened\b/.test(entry.data.detail);
}
