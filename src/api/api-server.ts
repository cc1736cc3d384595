import swagger from '@fastify/swagger';
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { redact } from '../knowledge/redact.js';
import { roleAllows } from './api-tokens.js';
import { ApiError, statusOf, type ApiErrorBody } from './api-error.js';
import type { ApiContext } from './api-context.js';
import { dashboardAssets, findDashboardRoot } from './dashboard-assets.js';
import { allowedHostNames, hostNameOf } from './host-allow-list.js';
import { agentQuorumRoutes } from './routes/agent-quorums.js';
import { agentRoutes } from './routes/agents.js';
import { agentActionRoutes } from './routes/agent-actions.js';
import { agentOperatorRoutes } from './routes/agent-operator.js';
import { taskGraphRoutes } from './routes/task-graphs.js';
import { approvalRoutes } from './routes/approvals.js';
import { auditRoutes } from './routes/audit.js';
import { configRoutes } from './routes/config.js';
import { eventRoutes } from './routes/events.js';
import { incidentActionRoutes } from './routes/incident-actions.js';
import { incidentRoutes } from './routes/incidents.js';
import { alertRoutes } from './routes/alerts.js';
import { metricRoutes } from './routes/metrics.js';
import { pauseRoutes } from './routes/pauses.js';
import { providerRoutes } from './routes/providers.js';
import { runRoutes } from './routes/runs.js';
import { serviceMetricRoutes } from './routes/service-metrics.js';
import { serviceRoutes } from './routes/services.js';
import { tokenRoutes } from './routes/tokens.js';

export interface ApiServerOptions {
  /** Largest request body in bytes (default 1 MiB): larger ones get 413. */
  bodyLimit?: number;
  /** Told about every 5xx (the error itself; the caller only sees a generic message). */
  onInternalError?: (error: unknown, route: string) => void;
  /** The dashboard's `ui/` folder (default: the package's own); without one `/` answers 404. */
  dashboardRoot?: string;
  /** `Host` names answered (default: loopback names only); see {@link allowedHostNames}. */
  allowedHosts?: Set<string>;
  /**
   * Told about every JSON answer as it is about to be serialized: the tests check each one
   * against its route's response schema, so a field the schema does not document, or a
   * documented one missing, fails there.
   */
  onAnswer?: (answer: ApiAnswer) => void;
}

/** One answer of a route before serialization: `responseSchemas` is the route's declared `schema.response`. */
export interface ApiAnswer {
  method: string;
  /** The route's URL pattern (`/api/runs/:id`); undefined for a request no route matched. */
  route: string | undefined;
  status: number;
  payload: unknown;
  responseSchemas: Record<string, unknown> | undefined;
}

/**
 * A request Node's HTTP parser refused before fastify saw it (headers over 16 KiB: 431;
 * anything malformed: 400), answered in the same `{ error: { code, message } }` shape.
 */
function clientErrorResponse(error: Error & { code?: string }): string {
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body: ApiErrorBody = tooLarge
    ? { error: { code: 'HS_API_HEADERS_TOO_LARGE', message: 'the request headers are larger than the server accepts (16 KiB)' } }
    : { error: { code: 'HS_API_INVALID_REQUEST', message: 'malformed HTTP request' } };
  const text = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`;
}

/**
 * The HTTP API as a fastify instance, routes registered, not listening: `inject()` it in
 * tests, or `listen()` it ({@link serveApi} does, for `homeostat up`). Every route under
 * `/api/` needs a bearer token of a role at least its own; `/openapi.json` and the
 * dashboard's page and assets (`/`, `/ui/…`) are public.
 *
 * @example
 * const app = await buildApi(context); const res = await app.inject({ url: '/api/incidents', headers: { authorization: `Bearer ${token}` } });
 * @example
 * await app.inject({ url: '/api/incidents' }) // 401 { error: { code: 'HS_API_UNAUTHORIZED', … } }
 */
export async function buildApi(context: ApiContext, options: ApiServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // SSE streams stay open: closing the server ends them instead of waiting for them.
    forceCloseConnections: true,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // Bodies are validated as sent: "1" is not a number. Query strings are declared as text.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    routerOptions: { maxParamLength: 300 },
    clientErrorHandler: (error, socket) => {
      if ((error as { code?: string }).code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      socket.end(clientErrorResponse(error));
    },
    // Router-level refusals (a bad URL, a 300+ character id) in the same error shape.
    frameworkErrors: (error, _request, reply) => {
      const { status, code, message } = statusOf(error);
      const body: ApiErrorBody = { error: { code, message: message.length > 200 ? `${message.slice(0, 200)}…` : message } };
      void (reply as unknown as FastifyReply).status(status).send(body);
    },
  });
  app.decorateRequest('principal', null);
  // An answer is written exactly as its shape (shapes/) built it, fields in the order they
  // always had. The response schemas document the answers (and /openapi.json) and the tests
  // check every answer against them; serializing through them would reorder fields and
  // coerce values instead of showing a mismatch.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'homeostat API', version: '1', description: 'Services, incidents, approvals, runs, audit and config of a homeostat deployment. See docs/api.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: '`hst_…` token from `homeostat token create`' } } },
      security: [{ bearer: [] }],
    },
  });

  const allowedHosts = options.allowedHosts ?? allowedHostNames('127.0.0.1');
  // First of all hooks, for every route (public ones and 404s too): DNS rebinding.
  app.addHook('onRequest', async (request) => {
    const host = hostNameOf(request.headers.host);
    if (host === undefined || !allowedHosts.has(host)) {
      throw new ApiError('HS_API_HOST_NOT_ALLOWED', `this server does not answer to the host name ${JSON.stringify((request.headers.host ?? '').slice(0, 100))} (api.allowedHosts lists the names it answers to besides loopback)`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const needed = request.routeOptions.config.role;
    if (!needed) return;
    const header = request.headers.authorization;
    if (!header) throw new ApiError('HS_API_UNAUTHORIZED', 'missing bearer token: send "Authorization: Bearer hst_…" (homeostat token create makes one)');
    if (!/^Bearer /i.test(header)) throw new ApiError('HS_API_UNAUTHORIZED', 'the Authorization header must use the Bearer scheme: "Authorization: Bearer hst_…"');
    // A route's shared secret (the alert receiver's, from an environment variable) stands in for a token.
    if (request.routeOptions.config.sharedSecret?.(header.slice('Bearer '.length).trim())) return;
    const token = await context.tokens.authenticate(header);
    if (!token) throw new ApiError('HS_API_UNAUTHORIZED', 'invalid or revoked bearer token');
    if (!roleAllows(token.role, needed)) throw new ApiError('HS_API_FORBIDDEN', `this needs the ${needed} role; token "${token.name}" is ${token.role}`);
    request.principal = { token, actor: `api:${token.name}` };
  });

  // Every answer of an `/api/` route is redacted on its way out, whatever the route and
  // the role: run inputs, step outputs, audit data, incident entries and error messages
  // hold what callers and services put there, and only the store keeps it as it was.
  app.addHook('preSerialization', async (request, reply, payload) => {
    const answer = request.routeOptions.config?.role && !request.routeOptions.config.revealsSecrets ? redact(payload) : payload;
    options.onAnswer?.({ method: request.method, route: request.routeOptions.url, status: reply.statusCode, payload: answer, responseSchemas: request.routeOptions.schema?.response as Record<string, unknown> | undefined });
    return answer;
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, code, message } = statusOf(error);
    if (status >= 500) options.onInternalError?.(error, `${request.method} ${request.url}`);
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    const body: ApiErrorBody = { error: { code, message } };
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ApiErrorBody = { error: { code: 'HS_API_NO_ROUTE', message: `no route ${request.method} ${request.url.split('?')[0]} (GET /openapi.json lists them)` } };
    return reply.status(404).send(body);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  for (const routes of [serviceRoutes, serviceMetricRoutes, incidentRoutes, incidentActionRoutes, approvalRoutes, pauseRoutes, runRoutes, auditRoutes, configRoutes, metricRoutes, alertRoutes, eventRoutes, tokenRoutes, agentRoutes, agentActionRoutes, agentOperatorRoutes, taskGraphRoutes, agentQuorumRoutes, providerRoutes]) {
    await app.register(routes, context);
  }
  // The dashboard's page and assets: public, the data behind them is not.
  await app.register(dashboardAssets, { root: options.dashboardRoot ?? findDashboardRoot() });
  await app.ready();
  return app;
}
