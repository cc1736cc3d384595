import type { EscalationConfig } from '../../config/schema/policies.js';
import { EscalationNotifier, type EscalationNotifierOptions } from '../../execute/escalation-notifier.js';
import type { Knowledge } from '../../knowledge/knowledge.js';
import type { Logger } from '../../telemetry/logger.js';

/** How far back a new leader looks for resolves that were due and never sent. */
const LOOK_BACK_MS = 24 * 3_600_000;

export interface EscalationResolvesDeps {
  knowledge: Pick<Knowledge, 'incidents'>;
  /** The escalation config applied now (webhooks follow config versions). */
  escalation: () => EscalationConfig;
  escalationMessage: EscalationNotifierOptions['escalationMessage'];
  /** The process's webhook sender: resolves are signed, retried and dead-lettered like pages. */
  webhooks?: EscalationNotifierOptions['webhooks'];
  logger: Pick<Logger, 'info' | 'error'>;
  /** Replaces the notifier's sends for the late ones (tests). */
  catchUp?: (incidentIds: string[]) => Promise<number>;
  now?: () => number;
}

/** The resolves a paged incident's webhooks get: at once when it resolves here, late from a new leader. */
export interface EscalationResolves {
  /** Sends the resolve of every incident resolved in this process (started here). */
  notifier: EscalationNotifier;
  /**
   * The resolves a paged incident was due and never got — the process that resolved it died
   * first, or a CLI closed it with `--local` while no `up` ran — sent by the new leader
   * (only the leader, so two nodes do not both send). Incidents resolved in the last day;
   * the notifier skips what was sent already or never paged.
   */
  sendLate(): Promise<void>;
}

/**
 * Every resolution goes through Incidents.resolve, in whichever process made it (the
 * leader's remediation, the API's operator close): that process sends the resolve.
 */
export function escalationResolves(deps: EscalationResolvesDeps): EscalationResolves {
  const { knowledge, logger } = deps;
  const notifier = new EscalationNotifier({
    incidents: knowledge.incidents,
    escalation: deps.escalation,
    escalationMessage: deps.escalationMessage,
    ...(deps.webhooks ? { webhooks: deps.webhooks } : {}),
    onSent: (incident, outcome) => logger.info({ incident, ok: outcome.ok, detail: outcome.detail }, 'escalation resolve sent'),
    onError: (incident, error) => logger.error({ incident, err: error }, 'sending the escalation resolve failed'),
  });
  notifier.start();
  const catchUp = deps.catchUp ?? ((ids: string[]) => notifier.catchUp(ids));
  return {
    notifier,
    sendLate: async () => {
      const since = (deps.now ?? Date.now)() - LOOK_BACK_MS;
      const resolved = (await knowledge.incidents.list({ status: ['resolved'], limit: 500 })).filter((i) => (i.resolvedAt ?? 0) >= since);
      const sent = await catchUp(resolved.map((i) => i.id));
      if (sent > 0) logger.info({ sent }, 'escalation resolves sent late (resolved while no controller listened)');
    },
  };
}
