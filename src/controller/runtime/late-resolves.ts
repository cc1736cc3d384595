import type { Knowledge } from '../../knowledge/knowledge.js';
import type { Logger } from '../../telemetry/logger.js';

/** How far back a new leader looks for resolves that were due and never sent. */
const LOOK_BACK_MS = 24 * 3_600_000;

/**
 * The resolves a paged incident was due and never got — the process that resolved it died
 * first, or a CLI closed it with `--local` while no `up` ran — sent by the new leader
 * (only the leader, so two nodes do not both send). Incidents resolved in the last day;
 * `catchUp` (the escalation notifier's) skips what was sent already or never paged.
 */
export async function sendLateResolves(deps: {
  knowledge: Pick<Knowledge, 'incidents'>;
  catchUp: ((incidentIds: string[]) => Promise<number>) | undefined;
  logger: Pick<Logger, 'info'>;
  now?: () => number;
}): Promise<void> {
  const since = (deps.now ?? Date.now)() - LOOK_BACK_MS;
  const resolved = (await deps.knowledge.incidents.list({ status: ['resolved'], limit: 500 })).filter((i) => (i.resolvedAt ?? 0) >= since);
  const sent = (await deps.catchUp?.(resolved.map((i) => i.id))) ?? 0;
  if (sent > 0) deps.logger.info({ sent }, 'escalation resolves sent late (resolved while no controller listened)');
}
