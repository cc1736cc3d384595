import type { FastifyPluginAsync } from 'fastify';
import type { ApiRole } from '../../store/records.js';
import { API_ROLES } from '../api-tokens.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { idParams, responses } from '../schemas.js';
import { apiTokenProperties, apiTokenSchema, apiTokenShape } from '../shapes/api-token.js';
import { arrayOf, closedObject, text } from '../shapes/json-schema.js';

/** A token just created: its secret (`token`, in this answer only) and what the list shows of it. */
const createdTokenSchema = closedObject({ token: text, ...apiTokenProperties });

/** `/api/tokens` (admin): list, create (the token is in this one answer only) and revoke. */
export const tokenRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get('/api/tokens', {
    config: { role: 'admin' },
    schema: { tags: ['tokens'], summary: 'Every token, without secrets', response: responses({ 200: closedObject({ tokens: arrayOf(apiTokenSchema) }) }) },
    handler: async () => ({ tokens: (await ctx.tokens.list()).map(apiTokenShape) }),
  });

  app.post<{ Body: { name: string; role: ApiRole } }>('/api/tokens', {
    config: { role: 'admin', revealsSecrets: true },
    schema: {
      tags: ['tokens'],
      summary: 'Create a token; the answer holds it, nothing else ever will (audited)',
      body: { type: 'object', required: ['name', 'role'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, role: { type: 'string', enum: [...API_ROLES] } } },
      response: responses({ 201: createdTokenSchema }),
    },
    handler: async (request, reply) => {
      const { token, record } = await ctx.tokens.create(request.body.name, request.body.role, request.principal!.actor);
      await ctx.knowledge.audit.append(request.principal!.actor, 'token.created', `token:${record.id}`, { name: record.name, role: record.role });
      return reply.status(201).send({ token, ...apiTokenShape(record) });
    },
  });

  app.delete<{ Params: { id: string } }>('/api/tokens/:id', {
    config: { role: 'admin' },
    schema: { tags: ['tokens'], summary: 'Revoke a token (audited)', params: idParams, response: responses({ 200: closedObject({ revoked: text }) }) },
    handler: async (request) => {
      if (!(await ctx.tokens.revoke(request.params.id))) throw new ApiError('HS_API_TOKEN_NOT_FOUND', `no live token ${request.params.id}`);
      await ctx.knowledge.audit.append(request.principal!.actor, 'token.revoked', `token:${request.params.id}`, {});
      return { revoked: request.params.id };
    },
  });
};
