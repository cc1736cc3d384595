import type { FastifyPluginAsync } from 'fastify';
import { parseHead } from '../../knowledge/audit-head.js';
import type { ApiContext } from '../api-context.js';
import { countText, limitOf, positiveIntText, responses } from '../schemas.js';
import { auditEntrySchema, auditEntryShape, auditVerificationSchema, auditVerificationShape } from '../shapes/audit-entry.js';
import { arrayOf, closedObject } from '../shapes/json-schema.js';

/** `/api/audit`: the hash-chained audit log, and its verification. */
export const auditRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get<{ Querystring: { afterSeq?: string; limit?: string } }>('/api/audit', {
    config: { role: 'viewer' },
    schema: {
      tags: ['audit'],
      summary: 'Audit entries oldest first, after `afterSeq`',
      querystring: { type: 'object', additionalProperties: false, properties: { afterSeq: countText, limit: positiveIntText } },
      response: responses({ 200: closedObject({ entries: arrayOf(auditEntrySchema) }) }),
    },
    handler: async (request) => {
      const entries = await ctx.store.listAudit({ afterSeq: Number(request.query.afterSeq ?? 0), limit: limitOf(request.query.limit, 100) });
      return { entries: entries.map(auditEntryShape) };
    },
  });

  app.get<{ Querystring: { expect?: string } }>('/api/audit/verify', {
    config: { role: 'viewer' },
    schema: {
      tags: ['audit'],
      summary: 'Recompute every hash and link, and check the chain against the audit head file and an expected head (`expect=<seq>:<hash>` as an earlier verify printed): ok, or the first bad entry and the anchors that do not match (truncated, rewritten, forged)',
      querystring: { type: 'object', additionalProperties: false, properties: { expect: { type: 'string', pattern: '^[1-9][0-9]{0,15}:[0-9a-f]{64}$' } } },
      response: responses({ 200: auditVerificationSchema }),
    },
    handler: async (request) => auditVerificationShape(await ctx.knowledge.audit.verify(request.query.expect ? { expect: parseHead(request.query.expect) } : {})),
  });
};
