import type { FastifyPluginAsync } from 'fastify';
import { isHomeostatError } from '../../errors/homeostat-error.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { responses } from '../schemas.js';
import { arrayOf, boolean, closedObject, nullableNumber, nullableText, text } from '../shapes/json-schema.js';

const providerStateSchema = closedObject({ provider: text, configured: boolean, drained: boolean, maxConcurrency: nullableNumber, reason: nullableText, changedBy: nullableText, changedAt: nullableNumber });
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } }, additionalProperties: false } as const;
const reasonBody = { type: ['object', 'null'], properties: { reason: { type: 'string', minLength: 1, maxLength: 2_000 } }, additionalProperties: false } as const;

/**
 * `/api/providers` (docs/model-steps.md): the model providers' states, and an operator's
 * drain and restore by hand. Threat model: listing is for viewers and up (it shows provider
 * names and who changed them, no key — keys are never in the store); drain and restore take
 * an operator token (or admin), are audited with the token's actor, and accept only a
 * provider of the applied config. What they reach: one row of `model_provider_states`,
 * read by every process making model calls — nothing outside homeostat. The worst an
 * operator can do is take a provider out of its chains (calls go to the next link, or fail
 * as `chain-exhausted` when it was the last), or put back one the loop drained (the loop
 * drains it again if it is still degraded).
 */
export const providerRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const control = () => {
    if (!ctx.providers) throw new ApiError('HS_API_NOT_SERVED', 'model providers are listed and drained by the API of the running homeostat up (it knows the applied config)');
    return ctx.providers;
  };

  app.get('/api/providers', {
    config: { role: 'viewer' },
    schema: { tags: ['providers'], summary: 'Every configured model provider (and any with a stored state) with its state: drained, concurrency limit, why, by whom, when', response: responses({ 200: closedObject({ providers: arrayOf(providerStateSchema) }) }) },
    handler: async () => ({ providers: await control().list() }),
  });

  for (const action of ['drain', 'restore'] as const) {
    app.post<{ Params: { name: string }; Body: { reason?: string } | null | undefined }>(`/api/providers/:name/${action}`, {
      config: { role: 'operator' },
      schema: {
        tags: ['providers'],
        summary:
          action === 'drain'
            ? 'Drain a model provider by hand: out of every chain, in every process making model calls, until restored (audited)'
            : 'Restore a model provider by hand: back in its chains, without a concurrency limit (audited)',
        params: nameParams,
        body: reasonBody,
        response: responses({ 200: closedObject({ provider: providerStateSchema }) }),
      },
      handler: async (request) => {
        const reason = request.body?.reason ?? `${action === 'drain' ? 'drained' : 'restored'} through the API`;
        try {
          return { provider: await control().set(request.params.name, action, request.principal!.actor, reason) };
        } catch (error) {
          if (isHomeostatError(error, 'HS_MODEL_UNKNOWN_PROVIDER')) throw new ApiError('HS_API_PROVIDER_NOT_FOUND', error.message);
          throw error;
        }
      },
    });
  }
};
