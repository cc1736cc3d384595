import type { FastifyPluginAsync } from 'fastify';
import { storedDiagnosis } from '../../analyze/diagnosis-codec.js';
import type { IncidentStatus } from '../../store/records.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { idParams, limitOf, positiveIntText, responses } from '../schemas.js';
import { approvalSchema, approvalShape } from '../shapes/approval.js';
import { incidentEntrySchema, incidentEntryShape, incidentSchema, incidentShape } from '../shapes/incident.js';
import { anyJson, arrayOf, closedObject } from '../shapes/json-schema.js';

const STATUSES = '(open|remediating|awaiting-approval|escalated|resolved)';

/** One incident, its explanation chain, its diagnosis parsed (ranked root-cause candidates, classification) and its approvals. */
const incidentDetailSchema = closedObject({ incident: incidentSchema, entries: arrayOf(incidentEntrySchema), diagnosis: anyJson, approvals: arrayOf(approvalSchema) });

/** `/api/incidents`: incidents, and one with its explanation chain and approvals. */
export const incidentRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get<{ Querystring: { status?: string; all?: string; element?: string; limit?: string } }>('/api/incidents', {
    config: { role: 'viewer' },
    schema: {
      tags: ['incidents'],
      summary: 'Incidents, newest first: unresolved ones, or all (`all=true`) or those of given statuses',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { type: 'string', pattern: `^${STATUSES}(,${STATUSES})*$` },
          all: { type: 'string', enum: ['true', 'false'] },
          element: { type: 'string', maxLength: 200 },
          limit: positiveIntText,
        },
      },
      response: responses({ 200: closedObject({ incidents: arrayOf(incidentSchema) }) }),
    },
    handler: async (request) => {
      const q = request.query;
      const incidents = await ctx.store.listIncidents({
        limit: limitOf(q.limit, 50),
        ...(q.element ? { element: q.element } : {}),
        ...(q.status ? { status: q.status.split(',') as IncidentStatus[] } : q.all === 'true' ? {} : { unresolved: true }),
      });
      return { incidents: incidents.map(incidentShape) };
    },
  });

  app.get<{ Params: { id: string } }>('/api/incidents/:id', {
    config: { role: 'viewer' },
    schema: { tags: ['incidents'], summary: 'One incident with its explanation chain (oldest entry first), its diagnosis (ranked root-cause candidates, classification) and its approvals', params: idParams, response: responses({ 200: incidentDetailSchema }) },
    handler: async (request) => {
      const explained = await ctx.knowledge.incidents.explain(request.params.id);
      if (!explained) throw new ApiError('HS_INCIDENT_NOT_FOUND', `no incident ${request.params.id}`);
      const approvals = (await ctx.store.listApprovals()).filter((a) => a.incidentId === request.params.id);
      // The diagnosis parsed: `diagnosis.candidates[0]` is the root cause the incident targets.
      return { incident: incidentShape(explained.incident), entries: explained.entries.map(incidentEntryShape), diagnosis: storedDiagnosis(explained.incident.diagnosis) ?? null, approvals: approvals.map(approvalShape) };
    },
  });
};

