import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import type { AlertmanagerPayload } from '../alerts/alertmanager-payload.js';
import { alertmanagerPayloadSchema } from '../alerts/alertmanager-payload.js';
import { genericAlertPayloadSchema, type GenericAlertPayload } from '../alerts/generic-alert-payload.js';
import { SHARED_SECRET_POSTER } from '../alerts/alert-receiver.js';
import { forwardToLeader } from '../leader-forwarding.js';
import { responses } from '../schemas.js';
import { arrayOf, closedObject, nullableText, number, oneOf, text } from '../shapes/json-schema.js';

/** What a notification did: new symptoms, ended episodes, redeliveries, and the alerts that map to no element. */
const receivedSchema = closedObject({
  fired: number,
  resolved: number,
  duplicates: number,
  ignored: arrayOf(closedObject({ fingerprint: text, reason: oneOf(['no-symptom-label', 'no-service', 'too-many-firing']), detail: text })),
});
const notLeaderSchema = closedObject({ error: closedObject({ code: text, message: text, leader: nullableText }, ['leader']) });

/**
 * `POST /api/alerts/alertmanager` (operator, or the `alerts.secretEnv` shared secret):
 * Alertmanager's webhook v4. A new firing alert becomes a symptom of the element its
 * labels name; a resolved one clears it; a redelivery changes nothing (see
 * alert-receiver.ts). A post can raise symptoms only, never run an action: what happens
 * next is the loop's and the policies' decision, as for any symptom. Not audited itself
 * (the incident it opens is; at thousands of alerts a second, an audit row per post would
 * be the bottleneck), but each symptom it raises records who posted it (`postedBy`). Only the leader's loop keeps the firing alerts: a follower
 * forwards the post to the leader, or answers 503 naming it — never a 202 for alerts not
 * taken.
 */
export const alertRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const alerts = ctx.alerts;
  app.post<{ Body: AlertmanagerPayload }>('/api/alerts/alertmanager', {
    config: { role: 'operator', ...(alerts ? { sharedSecret: (presented: string) => alerts.secretMatches(presented) } : {}) },
    ...(alerts ? { bodyLimit: alerts.bodyLimit } : {}),
    schema: {
      tags: ['alerts'],
      summary: 'Alertmanager webhook (v4): firing alerts become symptoms, resolved ones clear them',
      body: alertmanagerPayloadSchema,
      response: responses({ 202: receivedSchema, 503: notLeaderSchema }),
    },
    handler: async (request, reply) => {
      if (!alerts) throw new ApiError('HS_API_NOT_SERVED', 'receiving alerts needs the API of a running homeostat up');
      if (ctx.leadership && !ctx.leadership.isLeader()) return forwardToLeader(ctx.leadership, request, reply);
      return reply.status(202).send(alerts.receive(request.body, postedBy(request.principal)));
    },
  });

  // The same for any other source, in a documented shape of its own (docs/integrations.md#generic-json-webhook):
  // the same credential, de-duplication, mapping and answer.
  app.post<{ Body: GenericAlertPayload }>('/api/alerts/webhook', {
    config: { role: 'operator', ...(alerts ? { sharedSecret: (presented: string) => alerts.secretMatches(presented) } : {}) },
    ...(alerts ? { bodyLimit: alerts.bodyLimit } : {}),
    schema: {
      tags: ['alerts'],
      summary: 'Generic alert webhook: {"alerts": [{"status", "name", "service", "startsAt", "instance"?, "id"?, "labels"?, "summary"?}]}',
      body: genericAlertPayloadSchema,
      response: responses({ 202: receivedSchema, 503: notLeaderSchema }),
    },
    handler: async (request, reply) => {
      if (!alerts) throw new ApiError('HS_API_NOT_SERVED', 'receiving alerts needs the API of a running homeostat up');
      if (ctx.leadership && !ctx.leadership.isLeader()) return forwardToLeader(ctx.leadership, request, reply);
      return reply.status(202).send(alerts.receiveGeneric(request.body, postedBy(request.principal)));
    },
  });
};

/** Who posted a notification: the token's actor, or the shared secret (which names nobody in particular). */
function postedBy(principal: { actor: string } | null | undefined): string {
  return principal?.actor ?? SHARED_SECRET_POSTER;
}
