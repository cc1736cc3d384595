import type { FastifyPluginAsync } from 'fastify';
import type { Point, SeriesId, TimeSeriesStore } from '../../monitor/time-series.js';
import { sampleValueJson, sampleValueJsonSchema } from '../../monitor/sample-value-json.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { ResourceHistory } from '../resource-history.js';
import { countText, limitOf, positiveIntText, responses } from '../schemas.js';

const seriesSchema = {
  type: 'object',
  required: ['name', 'labels', 'source', 'points'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    source: { type: 'string', enum: ['supervisor', 'scraped'] },
    points: {
      type: 'array',
      items: { type: 'array', items: sampleValueJsonSchema, minItems: 2, maxItems: 2 },
      description: '[at (ms since the epoch), value], oldest first; value is a number, or "NaN", "+Inf", "-Inf" as strings',
    },
  },
} as const;

const metricsResponse = {
  type: 'object',
  required: ['service', 'since', 'series'],
  additionalProperties: false,
  properties: { service: { type: 'string' }, since: { type: 'number' }, series: { type: 'array', items: seriesSchema } },
} as const;

/** Keep at most `max` points, evenly spread, always the newest. */
function thin(points: Point[], max: number): Point[] {
  if (points.length <= max) return points;
  const kept: Point[] = [];
  for (let i = 1; i <= max; i++) kept.push(points[Math.round((i * points.length) / max) - 1]!);
  return kept;
}

function view(store: TimeSeriesStore, ids: SeriesId[], source: 'supervisor' | 'scraped', since: number, maxPoints: number) {
  return ids
    .map((id) => ({ name: id.name, labels: { ...id.labels }, source, points: thin(store.points(id.key, since), maxPoints).map((p) => [p.at, sampleValueJson(p.value)]) }))
    .filter((s) => s.points.length > 0);
}

/**
 * `GET /api/services/:name/metrics` (viewer): recent samples of one service, read-only —
 * its instances' CPU and RSS (sampled from the supervisors' saved states by a
 * {@link ResourceHistory} that lives as long as the app) and the series scraped or pushed
 * for it (the monitor's, labelled `service`). What the dashboard's sparklines draw.
 */
export const serviceMetricRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const history = new ResourceHistory(ctx.store, { now: ctx.now });
  history.start();
  app.addHook('onClose', async () => history.stop());

  app.get<{ Params: { name: string }; Querystring: { since?: string; limit?: string; points?: string } }>('/api/services/:name/metrics', {
    config: { role: 'viewer' },
    schema: {
      tags: ['services'],
      summary: "Recent samples of a service: its instances' CPU and RSS, and its scraped or pushed series (oldest point first)",
      params: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          since: { ...countText, description: 'ms since the epoch (default: 10 minutes ago)' },
          limit: { ...positiveIntText, description: 'series at most (default 50, at most 200)' },
          points: { ...positiveIntText, description: 'points per series at most, evenly spread (default 120, at most 600)' },
        },
      },
      response: responses({ 200: metricsResponse }),
    },
    handler: async (request) => {
      const { name } = request.params;
      const since = request.query.since === undefined ? ctx.now() - 600_000 : Number(request.query.since);
      const limit = limitOf(request.query.limit, 50, 200);
      const maxPoints = limitOf(request.query.points, 120, 600);
      const own = view(history.series, history.series.select({ service: name }, limit), 'supervisor', since, maxPoints);
      const scraped = view(ctx.series, ctx.series.select({ service: name }, limit), 'scraped', since, maxPoints);
      const series = [...own, ...scraped].slice(0, limit);
      if (series.length === 0 && !(await ctx.store.listElementStates()).some((s) => s.element === name)) {
        throw new ApiError('HS_API_SERVICE_NOT_FOUND', `no service ${name} has reported state or metrics`);
      }
      return { service: name, since, series };
    },
  });
};
