import type { EscalationConfig } from '../config/schema/policies.js';
import type { Incidents } from '../knowledge/incidents.js';
import { ESCALATION_TIMEOUT_MS, secretOf, type EscalationOutcome } from './actuators.js';
import { resolveDue } from './escalation-episode.js';
import { webhookPayload, type EscalationMessage } from './escalation-payloads.js';
import { webhookSender, type WebhookSender } from './webhook-sender.js';

export interface EscalationNotifierOptions {
  incidents: Pick<Incidents, 'explain' | 'record' | 'onResolved'>;
  /** The escalation config applied now (webhooks follow config versions). */
  escalation: () => EscalationConfig;
  /** The incident and its explanation, as the trigger page had them (with the dashboard link). */
  escalationMessage: (incidentId: string, severity: EscalationMessage['severity']) => Promise<EscalationMessage>;
  /** Sends the resolves: signed, retried, dead-lettered when a target stays down (webhook-sender.ts). Default: one built from `attempts` and `backoffMs` that records nothing. */
  webhooks?: WebhookSender;
  /** Without `webhooks`: sends per webhook before giving up (default 4). */
  attempts?: number;
  /** Without `webhooks`: the wait before the first retry, doubled (with jitter) for each next one (default 1 s). */
  backoffMs?: number;
  /** A resolve was sent (or given up on), as recorded. */
  onSent?: (incidentId: string, outcome: EscalationOutcome) => void;
  /** Reading or recording failed: the resolve may not have been sent. */
  onError?: (incidentId: string, error: unknown) => void;
}

/**
 * Closes the page when a paged incident resolves, however it resolved (an action, externally,
 * an operator's close): one resolve to each escalation webhook — PagerDuty `resolve` with the
 * incident id as dedup key, a Slack "✅ resolved" message, JSON `event: 'resolve'`.
 *
 * Subscribed to {@link Incidents.onResolved}, so the knowledge layer stays free of HTTP. At
 * most once: the send is recorded as an `escalation` entry with `event: 'resolve'`, which
 * also ends the incident's paging episode (see escalation-episode.ts), and a resolution of an
 * incident the webhooks were not told of (no page, no approval-expiry warning) sends nothing. A webhook that fails is retried
 * by the one delivery every webhook goes through (webhook-delivery.ts); what still failed
 * is recorded as such, and as a dead letter.
 *
 * @example const notifier = new EscalationNotifier({ incidents, escalation: () => live.config.escalation, escalationMessage }); notifier.start(); … await notifier.stop();
 */
export class EscalationNotifier {
  private readonly pending = new Map<string, Promise<EscalationOutcome | undefined>>();
  private readonly stopping = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private readonly webhooks: WebhookSender;

  constructor(private readonly options: EscalationNotifierOptions) {
    const policy = { ...(options.attempts !== undefined ? { attempts: options.attempts } : {}), ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}) };
    this.webhooks = options.webhooks ?? webhookSender({ policy });
  }

  start(): void {
    this.unsubscribe ??= this.options.incidents.onResolved((incident) => {
      void this.resolved(incident.id).catch((error: unknown) => this.options.onError?.(incident.id, error));
    });
  }

  /** Stop listening and cut short the retries in flight (a resolve not yet sent is then not recorded). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.stopping.abort(new Error('the escalation notifier is stopping'));
    await Promise.allSettled(this.pending.values());
  }

  /**
   * Send the resolve for `incidentId` if the webhooks were told of it ({@link resolveDue});
   * undefined when not (never paged nor warned, or its resolve already recorded). Concurrent calls for one incident share one send.
   */
  resolved(incidentId: string): Promise<EscalationOutcome | undefined> {
    const running = this.pending.get(incidentId);
    if (running) return running;
    const sending = this.send(incidentId).finally(() => this.pending.delete(incidentId));
    this.pending.set(incidentId, sending);
    return sending;
  }

  private async send(incidentId: string): Promise<EscalationOutcome | undefined> {
    const { incidents } = this.options;
    const explained = await incidents.explain(incidentId);
    if (!explained || !resolveDue(explained.entries)) return undefined;
    const hooks = this.options.escalation().webhooks;
    const message = { ...(await this.options.escalationMessage(incidentId, 'info')), event: 'resolve' as const };
    const signal = this.stopping.signal;
    const results = await Promise.all(hooks.map((hook) => this.webhooks.send({ incidentId, event: 'resolve', url: hook.url, body: webhookPayload(message, hook), timeoutMs: ESCALATION_TIMEOUT_MS, ...secretOf(hook), signal })));
    const delivered = results.filter((r) => r.ok).length;
    const outcome: EscalationOutcome = {
      ok: delivered === results.length,
      delivered,
      detail: hooks.length === 0 ? 'resolved (no webhooks configured)' : results.map((r) => r.detail).join('; '),
    };
    if (this.stopping.signal.aborted && !outcome.ok) return undefined;
    await incidents.record(incidentId, 'escalation', { event: 'resolve', ...outcome });
    this.options.onSent?.(incidentId, outcome);
    return outcome;
  }

  /**
   * Send the resolves that were due and never sent: the process that resolved them died
   * between the resolution and the send, or the resolution was written with no `up` running
   * (a CLI close with `--local`). Called by a controller when it starts leading, with the
   * incidents resolved lately; {@link resolveDue} skips those sent already and those never
   * paged, so a catch-up sends nothing twice. Returns how many resolves it sent.
   */
  async catchUp(incidentIds: string[]): Promise<number> {
    let sent = 0;
    for (const id of incidentIds) {
      if (this.stopping.signal.aborted) break;
      const outcome = await this.resolved(id).catch((error: unknown) => {
        this.options.onError?.(id, error);
        return undefined;
      });
      if (outcome) sent++;
    }
    return sent;
  }
}
