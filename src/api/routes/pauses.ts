import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { responses } from '../schemas.js';
import { arrayOf, closedObject } from '../shapes/json-schema.js';
import { pauseSchema, pauseShape } from '../shapes/pause.js';

/** Every answer of these routes: the pauses in force after the request. */
const pausesSchema = closedObject({ pauses: arrayOf(pauseSchema) });

const scopeParams = { type: 'object', required: ['scope'], properties: { scope: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

/** `/api/pauses`: pause and resume remediation (operator), globally (`*`) or per service. */
export const pauseRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get('/api/pauses', {
    config: { role: 'viewer' },
    schema: { tags: ['remediation'], summary: 'Current pauses of remediation', response: responses({ 200: pausesSchema }) },
    handler: async () => ({ pauses: (await ctx.store.listPauses()).map(pauseShape) }),
  });

  app.put<{ Params: { scope: string }; Body: { reason?: string } | null | undefined }>('/api/pauses/:scope', {
    config: { role: 'operator' },
    schema: {
      tags: ['remediation'],
      summary: 'Pause remediation for a service, or everywhere (`*`): incidents still open, no action runs (audited)',
      params: scopeParams,
      body: { type: ['object', 'null'], properties: { reason: { type: 'string', maxLength: 2_000 } }, additionalProperties: false },
      response: responses({ 200: pausesSchema }),
    },
    handler: async (request) => {
      await ctx.knowledge.pause(request.params.scope, request.principal!.actor, request.body?.reason ?? 'paused through the API');
      return { pauses: (await ctx.store.listPauses()).map(pauseShape) };
    },
  });

  app.delete<{ Params: { scope: string } }>('/api/pauses/:scope', {
    config: { role: 'operator' },
    schema: { tags: ['remediation'], summary: 'Resume remediation for a service, or globally (`*`) (audited)', params: scopeParams, response: responses({ 200: pausesSchema }) },
    handler: async (request) => {
      await ctx.knowledge.resume(request.params.scope, request.principal!.actor);
      return { pauses: (await ctx.store.listPauses()).map(pauseShape) };
    },
  });
};
