import type { FastifyPluginAsync } from 'fastify';
import { DEFAULT_PUSH_MAX_SERIES, ingestPushedMetrics } from '../../monitor/metric-scraper.js';
import { ApiError } from '../api-error.js';
import { forwardToLeader } from '../leader-forwarding.js';
import type { ApiContext } from '../api-context.js';
import { responses } from '../schemas.js';
import { closedObject, number, nullableText, text } from '../shapes/json-schema.js';

/** What a push stored, and the samples dropped by reason (`stale`, `series_limit` …). */
const pushedSchema = closedObject({ stored: number, dropped: { type: 'object', additionalProperties: number } });
/** A follower that cannot forward the push names the leader (`error.leader`: its API URL, null when unknown); other 503s are the plain error body. */
const notLeaderSchema = closedObject({ error: closedObject({ code: text, message: text, leader: nullableText }, ['leader']) });

/**
 * `POST /api/metrics` (operator): JSON metrics into the monitor's series, where the
 * `symptoms:` rules see them. Not audited: it is telemetry, not a decision, and it can
 * arrive every second. Each token is its own source with its own series budget, and
 * timestamps outside the window around now are dropped (counted, and returned by
 * reason), so one pusher can neither fill the series cap nor blind a rule. Only the
 * leader's rules read the series: a follower forwards the push to the leader's API, or
 * answers 503 naming the leader (see leader-forwarding.ts) — never a 202 for a dropped push.
 */
export const metricRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.post<{ Body: unknown }>('/api/metrics', {
    config: { role: 'operator' },
    schema: {
      tags: ['metrics'],
      summary: 'Push metrics: {"metrics": [{"name", "value", "labels"?, "timestamp"?}]}',
      body: {
        type: 'object',
        required: ['metrics'],
        additionalProperties: false,
        properties: {
          metrics: {
            type: 'array',
            maxItems: 10_000,
            items: {
              type: 'object',
              required: ['name', 'value'],
              additionalProperties: false,
              properties: {
                name: { type: 'string', pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$', maxLength: 200 },
                value: { type: 'number' },
                labels: { type: 'object', maxProperties: 64, additionalProperties: { type: 'string', maxLength: 1_000 } },
                timestamp: { type: 'number', minimum: 0 },
              },
            },
          },
        },
      },
      response: responses({ 202: pushedSchema, 503: notLeaderSchema }),
    },
    handler: async (request, reply) => {
      if (ctx.leadership && !ctx.leadership.isLeader()) return forwardToLeader(ctx.leadership, request, reply);
      const source = { name: `push:${request.principal!.token.id}`, maxSeries: ctx.pushMaxSeries ?? DEFAULT_PUSH_MAX_SERIES };
      const result = ingestPushedMetrics(request.body, ctx.series, ctx.now(), source);
      if ('error' in result) throw new ApiError('HS_API_INVALID_REQUEST', result.error);
      return reply.status(202).send({ stored: result.stored, dropped: result.dropped });
    },
  });
};
