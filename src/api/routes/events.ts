import type { FastifyPluginAsync } from 'fastify';
import { redact } from '../../knowledge/redact.js';
import type { ApiContext } from '../api-context.js';
import type { LiveEvent } from '../live-events.js';
import { responses } from '../schemas.js';
import { liveEventShape } from '../shapes/live-event.js';

/**
 * The stream itself is not JSON: one `event:`/`data:` frame per event (each `data` is
 * documented by `liveEventSchema`); refusals are the usual error body.
 */
const streamResponses = responses({
  200: { description: 'text/event-stream of `event: <type>` and `data: <JSON>` frames (see shapes/live-event.ts)', content: { 'text/event-stream': { schema: { type: 'string' } } } },
});

/**
 * `GET /api/stream` (viewer): server-sent events — `element` (supervisor events),
 * `incident` (opened or changed), `run-finished`, and `dropped` (`{count}`: events this
 * client missed because it had 1 MiB unread; reload) — each `data:` one JSON object, and a
 * comment line every 15 s so proxies keep the connection. The token is checked again
 * every `streamTokenCheckMs` (1 s): once it is revoked (or deleted) the stream gets an
 * `error` event with `HS_API_UNAUTHORIZED` and ends, instead of going on for as long as the
 * connection lasts.
 */
export const eventRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get('/api/stream', {
    config: { role: 'viewer' },
    schema: { tags: ['events'], summary: 'Live events as text/event-stream: element, incident, run-finished', response: streamResponses },
    handler: async (request, reply) => {
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      raw.write(': homeostat live events\n\n');
      const frame = (event: LiveEvent) => `event: ${event.type}\ndata: ${JSON.stringify(redact(liveEventShape(event)))}\n\n`;
      const off = ctx.live.subscribeOutput(raw, frame, (count) => `event: dropped\ndata: ${JSON.stringify({ type: 'dropped', count })}\n\n`);
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      keepAlive.unref();
      const tokenId = request.principal!.token.id;
      let checking = false;
      const tokenCheck = setInterval(() => {
        if (checking) return;
        checking = true;
        ctx.tokens
          .isLive(tokenId)
          .then((live) => {
            if (live || raw.writableEnded) return;
            stop();
            raw.end(`event: error\ndata: ${JSON.stringify({ error: { code: 'HS_API_UNAUTHORIZED', message: 'the token of this stream was revoked' } })}\n\n`);
          })
          .catch(() => undefined) // the store is unavailable: ask again next time
          .finally(() => (checking = false));
      }, ctx.streamTokenCheckMs ?? 1_000);
      tokenCheck.unref();
      const stop = () => {
        clearInterval(keepAlive);
        clearInterval(tokenCheck);
        off();
      };
      request.raw.once('close', stop);
    },
  });
};
