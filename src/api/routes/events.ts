import type { FastifyPluginAsync } from 'fastify';
import { redact } from '../../knowledge/redact.js';
import type { ApiContext } from '../api-context.js';
import type { LiveEvent } from '../live-events.js';

/**
 * `GET /api/stream` (viewer): server-sent events — `element` (supervisor events),
 * `incident` (opened or changed), `run-finished` — each `data:` one JSON object, and a
 * comment line every 15 s so proxies keep the connection.
 */
export const eventRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get('/api/stream', {
    config: { role: 'viewer' },
    schema: { tags: ['events'], summary: 'Live events as text/event-stream: element, incident, run-finished' },
    handler: async (request, reply) => {
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      raw.write(': homeostat live events\n\n');
      const send = (event: LiveEvent) => void raw.write(`event: ${event.type}\ndata: ${JSON.stringify(redact(event))}\n\n`);
      const off = ctx.live.subscribe(send);
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      keepAlive.unref();
      request.raw.once('close', () => {
        clearInterval(keepAlive);
        off();
      });
    },
  });
};
