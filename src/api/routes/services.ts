import type { FastifyPluginAsync } from 'fastify';
import { parse as parseYaml } from 'yaml';
import type { ElementStateRecord } from '../../store/records.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { countText, limitOf, positiveIntText, responses } from '../schemas.js';
import { elementEventSchema, elementEventShape } from '../shapes/element-event.js';
import { incidentSchema, incidentShape } from '../shapes/incident.js';
import { arrayOf, closedObject, number, text } from '../shapes/json-schema.js';
import { isHomeostatError } from '../../errors/homeostat-error.js';
import { instanceShape, serviceProperties, serviceSchema, type ServiceShape } from '../shapes/service.js';

// Worst first. `down`: an instance that should run has no live process (crashed, in restart
// backoff); the supervisor reports its health as '-', which must not read as better than healthy.
const HEALTH_ORDER = ['down', 'unhealthy', 'crash-looping', 'not-ready', 'starting', 'unprobed', 'healthy'];

function stoppedOnPurpose(state: ElementStateRecord): boolean {
  return state.state === 'stopped' || state.state === 'stopping';
}

/** An instance's health for the service's verdict: '-' (no process) is `down` unless it was stopped on purpose. */
function instanceHealth(state: ElementStateRecord): string {
  return state.health === '-' && !stoppedOnPurpose(state) ? 'down' : state.health;
}

/** The worst health among instances that are meant to run: the service's own (`stopped` when none is). */
function serviceHealth(states: ElementStateRecord[]): string {
  const running = states.filter((s) => !stoppedOnPurpose(s));
  if (running.length === 0) return states.length > 0 ? 'stopped' : 'unknown';
  const ranks = running.map((s) => {
    const health = instanceHealth(s);
    return HEALTH_ORDER.includes(health) ? HEALTH_ORDER.indexOf(health) : HEALTH_ORDER.length;
  });
  return HEALTH_ORDER[Math.min(...ranks)] ?? running[0]!.health;
}

/** What the applied config says about how services relate: the dependency graph and active-passive pairs. */
interface Topology {
  dependsOn: ReadonlyMap<string, string[]>;
  /** Primary → its standby service. */
  standby: ReadonlyMap<string, string>;
}

function group(states: ElementStateRecord[], topology: Topology): ServiceShape[] {
  const byService = new Map<string, ElementStateRecord[]>();
  for (const state of states) byService.set(state.element, [...(byService.get(state.element) ?? []), state]);
  return [...byService].map(([name, instances]) => ({
    name,
    health: serviceHealth(instances),
    dependsOn: topology.dependsOn.get(name) ?? [],
    standby: topology.standby.get(name) ?? null,
    instances: instances.map(instanceShape),
  }));
}

/**
 * Each service's `dependsOn` and `standby`, from the config version applied last (the store
 * has it, so the API needs no config of its own); parsed once per version.
 */
function topologyReader(ctx: ApiContext): () => Promise<Topology> {
  let cached: { version: number; topology: Topology } | undefined;
  return async () => {
    const current = await ctx.knowledge.configVersions.current();
    if (!current) return { dependsOn: new Map(), standby: new Map() };
    if (cached?.version === current.version) return cached.topology;
    const dependsOn = new Map<string, string[]>();
    const standby = new Map<string, string>();
    try {
      const services = (parseYaml(current.text) as { services?: Record<string, { dependsOn?: unknown; standby?: unknown } | null> } | null)?.services ?? {};
      for (const [name, spec] of Object.entries(services)) {
        const list = spec?.dependsOn;
        if (Array.isArray(list)) dependsOn.set(name, list.filter((d): d is string => typeof d === 'string'));
        // `standby: name` or `standby: { service: name, after: … }`.
        const pair = spec?.standby;
        const partner = typeof pair === 'string' ? pair : typeof pair === 'object' && pair !== null ? (pair as { service?: unknown }).service : undefined;
        if (typeof partner === 'string') standby.set(name, partner);
      }
    } catch {
      // A stored version was valid when applied; a text that no longer parses has no edges.
    }
    cached = { version: current.version, topology: { dependsOn, standby } };
    return cached.topology;
  };
}

/** `/api/services`: every managed service with its instances' state and health, and its element events. */
export const serviceRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const topology = topologyReader(ctx);
  app.get('/api/services', {
    config: { role: 'viewer' },
    schema: { tags: ['services'], summary: 'Services, the health of their instances and the services each depends on (`dependsOn`: the dependency graph) and its standby', response: responses({ 200: closedObject({ services: arrayOf(serviceSchema) }) }) },
    handler: async () => ({ services: group(await ctx.store.listElementStates(), await topology()) }),
  });

  app.get<{ Params: { name: string } }>('/api/services/:name', {
    config: { role: 'viewer' },
    schema: {
      tags: ['services'],
      summary: 'One service, its instances and open incidents',
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: responses({ 200: closedObject({ ...serviceProperties, incidents: arrayOf(incidentSchema) }) }),
    },
    handler: async (request) => {
      const states = (await ctx.store.listElementStates()).filter((s) => s.element === request.params.name);
      if (states.length === 0) throw new ApiError('HS_API_SERVICE_NOT_FOUND', `no service ${request.params.name} has reported state`);
      const incidents = await ctx.store.listIncidents({ element: request.params.name, unresolved: true });
      return { ...group(states, await topology())[0]!, incidents: incidents.map(incidentShape) };
    },
  });

  // An operator scales a service of the node that answers (each `up` supervises its own); audited.
  app.post<{ Params: { name: string }; Body: { replicas: number } }>('/api/services/:name/scale', {
    config: { role: 'operator' },
    schema: {
      tags: ['services'],
      summary: 'Scale a service this node supervises to a number of replicas (audited; within its autoscale bounds, if any)',
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } },
      body: { type: 'object', additionalProperties: false, required: ['replicas'], properties: { replicas: { type: 'integer', minimum: 0, maximum: 1_000 } } },
      response: responses({ 200: closedObject({ service: text, from: number, to: number }) }),
    },
    handler: async (request) => {
      if (!ctx.scaling) throw new ApiError('HS_API_NOT_SERVED', 'scaling needs the API of the running homeostat up that supervises the service');
      try {
        return await ctx.scaling.scale(request.params.name, request.body.replicas, request.principal!.actor);
      } catch (error) {
        if (isHomeostatError(error, 'HS_UNKNOWN_SERVICE')) throw new ApiError('HS_API_SERVICE_NOT_FOUND', error.message);
        throw error;
      }
    },
  });

  app.get<{ Querystring: { element?: string; kinds?: string; sinceId?: string; limit?: string } }>('/api/events', {
    config: { role: 'viewer' },
    schema: {
      tags: ['services'],
      summary: 'Element events (oldest first): the latest `limit`, or those after `sinceId`',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { element: { type: 'string', maxLength: 200 }, kinds: { type: 'string', maxLength: 1_000 }, sinceId: countText, limit: positiveIntText },
      },
      response: responses({ 200: closedObject({ events: arrayOf(elementEventSchema) }) }),
    },
    handler: async (request) => {
      const q = request.query;
      const events = await ctx.store.listEvents({
        limit: limitOf(q.limit, 100),
        ...(q.element ? { element: q.element } : {}),
        ...(q.kinds ? { kinds: q.kinds.split(',') } : {}),
        ...(q.sinceId ? { sinceId: Number(q.sinceId) } : {}),
      });
      return { events: events.map(elementEventShape) };
    },
  });
};
