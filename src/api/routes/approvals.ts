import type { FastifyPluginAsync } from 'fastify';
import { decideApproval } from '../../execute/decide-approval.js';
import type { ApprovalStatus } from '../../store/records.js';
import type { ApiContext } from '../api-context.js';
import { idParams, reasonBody, responses } from '../schemas.js';
import { approvalSchema, approvalShape } from '../shapes/approval.js';
import { arrayOf, closedObject } from '../shapes/json-schema.js';

const STATUSES = '(pending|approved|denied|expired)';

/** `/api/approvals`: the inbox, and approve / deny (operator), as `homeostat approve` does it. */
export const approvalRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get<{ Querystring: { status?: string } }>('/api/approvals', {
    config: { role: 'viewer' },
    schema: {
      tags: ['approvals'],
      summary: 'Approvals, oldest first (default: pending ones)',
      querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', pattern: `^(all|${STATUSES}(,${STATUSES})*)$` } } },
      response: responses({ 200: closedObject({ approvals: arrayOf(approvalSchema) }) }),
    },
    handler: async (request) => {
      const status = request.query.status ?? 'pending';
      const approvals = await ctx.store.listApprovals(status === 'all' ? undefined : (status.split(',') as ApprovalStatus[]));
      return { approvals: approvals.map(approvalShape) };
    },
  });

  for (const [verb, decision] of [
    ['approve', 'approved'],
    ['deny', 'denied'],
  ] as const) {
    app.post<{ Params: { id: string }; Body: { reason?: string } | null | undefined }>(`/api/approvals/:id/${verb}`, {
      config: { role: 'operator' },
      schema: {
        tags: ['approvals'],
        summary: `${verb === 'approve' ? 'Approve' : 'Deny'} a pending action, by approval id or incident id (audited; the remediation run is signalled)`,
        params: idParams,
        body: reasonBody,
        response: responses({ 200: closedObject({ approval: approvalSchema }) }),
      },
      handler: async (request) => {
        const approval = await decideApproval({ store: ctx.store, engine: ctx.engine, now: ctx.now }, request.params.id, decision, request.principal!.actor, request.body?.reason ?? null);
        return { approval: approvalShape(approval) };
      },
    });
  }
};
