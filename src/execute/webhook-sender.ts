import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../knowledge/audit-log.js';
import type { Incidents } from '../knowledge/incidents.js';
import { redactText } from '../knowledge/redact.js';
import { DEFAULT_DELIVERY_POLICY, deliverWebhook, type DeliveryPolicy, type DeliveryResult } from './webhook-delivery.js';

/** What one webhook send is about and where it goes. */
export interface WebhookSend {
  incidentId: string;
  /** What the body says: `trigger`, `resolve`, `action` (a ladder's `webhook` rung). */
  event: string;
  url: string;
  body: unknown;
  timeoutMs: number;
  /** The environment variable holding the signing secret (`secretEnv` in the config); unset: unsigned. */
  secretEnv?: string;
  signal?: AbortSignal;
}

/** How a delivery ended, as `homeostat_webhook_deliveries_total{outcome}` counts it. */
export const DELIVERY_OUTCOMES = ['delivered', 'dead-lettered', 'aborted'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** Sends every outgoing webhook of a process: signs, retries, counts, and dead-letters. */
export interface WebhookSender {
  send(send: WebhookSend): Promise<DeliveryResult>;
}

export interface WebhookSenderDeps {
  /** Where a dead letter is recorded (an explanation entry of its incident); absent: nowhere (tests). */
  incidents?: Pick<Incidents, 'record'>;
  /** The audit log's `webhook.dead-lettered` entry; absent: none. */
  audit?: Pick<AuditLog, 'append'>;
  onOutcome?: (outcome: DeliveryOutcome, result: DeliveryResult) => void;
  /** Where `secretEnv` is read, at each send (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
  policy?: Partial<DeliveryPolicy>;
}

/**
 * The one way out for webhooks ({@link deliverWebhook} plus what a process owes its
 * operator): a delivery that still failed after its last attempt — the target stayed down,
 * or refused it with a 4xx — is a dead letter, recorded durably as a `dead-letter` entry in
 * its incident's explanation (`homeostat incident show`, `GET /api/incidents/<id>`) and in
 * the audit log, with the redacted URL, the event, the attempts, the last error and the
 * delivery id. One stopped by the stop of `up` is not: nobody found the target down.
 *
 * The secret is read from the environment at each send (config versions may name another
 * variable); `up` refused to start or apply a version naming an unset one (webhook-secrets.ts),
 * and a variable unset since is a dead letter, never an unsigned request.
 *
 * @example const sender = webhookSender({ incidents: knowledge.incidents, audit: knowledge.audit, onOutcome: (o) => counter.inc({ outcome: o }) });
 * await sender.send({ incidentId, event: 'trigger', url, body, timeoutMs: 5_000, secretEnv: 'PAGER_HOOK_SECRET', signal })
 */
export function webhookSender(deps: WebhookSenderDeps = {}): WebhookSender {
  const policy: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, ...deps.policy };
  return {
    async send(send) {
      const secret = send.secretEnv !== undefined ? (deps.env ?? process.env)[send.secretEnv] : undefined;
      const deliveryId = randomUUID();
      const result: DeliveryResult =
        send.secretEnv !== undefined && !secret
          ? { ok: false, attempts: 0, deliveryId, detail: `POST ${redactText(send.url)} not sent: its secretEnv ${send.secretEnv} is not set in homeostat up's environment (a request would go out unsigned)` }
          : await deliverWebhook({ url: send.url, body: send.body, timeoutMs: send.timeoutMs, deliveryId, ...(secret ? { secret } : {}), ...(send.signal ? { signal: send.signal } : {}) }, policy);
      if (result.ok) {
        deps.onOutcome?.('delivered', result);
      } else if (result.aborted) {
        deps.onOutcome?.('aborted', result);
      } else {
        deps.onOutcome?.('dead-lettered', result);
        await deadLetter(deps, send, result);
      }
      return result;
    },
  };
}

async function deadLetter(deps: WebhookSenderDeps, send: WebhookSend, result: DeliveryResult): Promise<void> {
  // `target`, not `webhook`: a key named like a secret is redacted whole.
  const letter = { event: send.event, target: redactText(send.url), deliveryId: result.deliveryId, attempts: result.attempts, lastError: result.detail, ...(result.status !== undefined ? { status: result.status } : {}) };
  await deps.incidents?.record(send.incidentId, 'dead-letter', letter);
  await deps.audit?.append('controller', 'webhook.dead-lettered', send.incidentId, letter);
}
