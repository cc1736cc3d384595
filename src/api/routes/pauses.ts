import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { anyObject, responses } from '../schemas.js';

const scopeParams = { type: 'object', required: ['scope'], properties: { scope: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

/** `/api/pauses`: pause and resume remediation (operator), globally (`*`) or per service. */
export const pauseRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get('/api/pauses', {
    config: { role: 'viewer' },
    schema: { tags: ['remediation'], summary: 'Current pauses of remediation', response: responses({ 200: anyObject }) },
    handler: async () => ({ pauses: await ctx.store.listPauses() }),
  });

  app.put<{ Params: { scope: string }; Body: { reason?: string } | null | undefined }>('/api/pauses/:scope', {
    config: { role: 'operator' },
    schema: {
      tags: ['remediation'],
      summary: 'Pause remediation for a service, or everywhere (`*`): incidents still open, no action runs (audited)',
      params: scopeParams,
      body: { type: ['object', 'null'], properties: { reason: { type: 'string', maxLength: 2_000 } }, additionalProperties: false },
      response: responses({ 200: anyObject }),
    },
    handler: async (request) => {
      await ctx.knowledge.pause(request.params.scope, request.principal!.actor, request.body?.reason ?? 'paused through the API');
      return { pauses: await ctx.store.listPauses() };
    },
  });

  app.delete<{ Params: { scope: string } }>('/api/pauses/:scope', {
    config: { role: 'operator' },
    schema: { tags: ['remediation'], summary: 'Resume remediation for a service, or globally (`*`) (audited)', params: scopeParams, response: responses({ 200: anyObject }) },
    handler: async (request) => {
      await ctx.knowledge.resume(request.params.scope, request.principal!.actor);
      return { pauses: await ctx.store.listPauses() };
    },
  });
};
