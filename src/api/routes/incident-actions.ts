import type { FastifyPluginAsync } from 'fastify';
import { acknowledgeIncident, annotateIncident, closeIncident, type OperateIncidentDeps } from '../../execute/operate-incident.js';
import type { IncidentRecord } from '../../store/records.js';
import type { ApiContext } from '../api-context.js';
import { closeBody, emptyBody, idParams, noteBody, responses } from '../schemas.js';
import { incidentSchema, incidentShape } from '../shapes/incident.js';
import { arrayOf, boolean, closedObject, oneOf, text } from '../shapes/json-schema.js';

const acknowledgedSchema = closedObject({ incident: incidentSchema, outcome: oneOf(['acknowledged', 'already', 'recorded']) });
const annotatedSchema = closedObject({ incident: incidentSchema });
const closedSchema = closedObject({ incident: incidentSchema, cancelledRuns: arrayOf(closedObject({ id: text, stopped: boolean })), deniedApprovals: arrayOf(text) });

/**
 * `/api/incidents/:id/acknowledge|notes|close`: what an operator does with an incident, as
 * `homeostat incident ack|note|close` does it. Operator role (as approvals): a viewer
 * watches; each action is audited as `api:<token name>` and published on the event stream
 * at once, so every open dashboard shows it.
 */
export const incidentActionRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const deps: OperateIncidentDeps = { store: ctx.store, knowledge: ctx.knowledge, engine: ctx.engine, now: ctx.now };
  const published = (incident: IncidentRecord) => {
    ctx.live.publish({ type: 'incident', incident });
    return incident;
  };

  app.post<{ Params: { id: string } }>('/api/incidents/:id/acknowledge', {
    config: { role: 'operator' },
    schema: {
      tags: ['incidents'],
      summary: 'Acknowledge an unresolved incident ("I am on it"): the first acknowledgement stays, later ones are recorded (audited); 409 when resolved',
      params: idParams,
      body: emptyBody,
      response: responses({ 200: acknowledgedSchema }),
    },
    handler: async (request) => {
      const acknowledged = await acknowledgeIncident(deps, request.params.id, request.principal!.actor);
      if (acknowledged.outcome !== 'already') published(acknowledged.incident);
      return { incident: incidentShape(acknowledged.incident), outcome: acknowledged.outcome };
    },
  });

  app.post<{ Params: { id: string }; Body: { text: string } }>('/api/incidents/:id/notes', {
    config: { role: 'operator' },
    schema: {
      tags: ['incidents'],
      summary: "Append an operator's note (at most 2 KiB) to the incident's explanation chain (redacted, audited)",
      params: idParams,
      body: noteBody,
      response: responses({ 200: annotatedSchema }),
    },
    handler: async (request) => ({ incident: incidentShape(published(await annotateIncident(deps, request.params.id, request.body.text, request.principal!.actor))) }),
  });

  app.post<{ Params: { id: string }; Body: { reason: string } }>('/api/incidents/:id/close', {
    config: { role: 'operator' },
    schema: {
      tags: ['incidents'],
      summary: 'Close (resolve) an incident by hand, with a reason: its remediation runs in flight are cancelled, its pending approvals denied (audited); 409 when already resolved',
      params: idParams,
      body: closeBody,
      response: responses({ 200: closedSchema }),
    },
    handler: async (request) => {
      const closed = await closeIncident(deps, request.params.id, request.body.reason, request.principal!.actor);
      published(closed.incident);
      return { incident: incidentShape(closed.incident), cancelledRuns: closed.cancelledRuns.map((run) => ({ id: run.id, stopped: run.stopped })), deniedApprovals: closed.deniedApprovals };
    },
  });
};
