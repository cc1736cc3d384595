import type { FastifyPluginAsync } from 'fastify';
import { parseConfig } from '../../config/load-config.js';
import type { HomeostatConfig } from '../../config/schema/root.js';
import { diffConfigs } from '../../knowledge/config-diff.js';
import { restartOnlyChanges } from '../../knowledge/restart-only-changes.js';
import { isHomeostatError } from '../../errors/homeostat-error.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { errorSchema, responses } from '../schemas.js';
import { configVersionSchema, configVersionShape, configVersionSummarySchema, configVersionSummaryShape } from '../shapes/config-version.js';
import { arrayOf, boolean, closedObject, nullable, nullableNumber, number, text } from '../shapes/json-schema.js';
import { pickFields } from '../shapes/pick-fields.js';

const currentSchema = closedObject({ version: configVersionSchema, lastKnownGood: nullableNumber });
/** `changes`: one line per changed key (null when the applied version no longer parses, `note` says so); `needsRestart`: keys only a restart of `up` applies. */
const planSchema = closedObject({ valid: boolean, against: nullableNumber, changes: nullable({ type: 'array', items: text }), needsRestart: arrayOf(text), note: text }, ['needsRestart', 'note']);
/** The version applied, the one before it, the services whose spec changed; `at` and `source` as `homeostat up`'s config manager reports them. */
const appliedSchema = closedObject({ applied: closedObject({ version: number, previous: number, services: arrayOf(text), at: number, source: text }, ['at', 'source']) });
const rollbackSchema = closedObject({ ok: boolean, detail: text });

/**
 * `/api/config` (admin): the applied version, every version, a plan of a new file
 * against the applied one, and — served by `homeostat up` — apply and rollback through
 * its config manager (audited with who asked).
 */
export const configRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get('/api/config', {
    config: { role: 'admin' },
    schema: { tags: ['config'], summary: 'The applied config version (secrets in its text replaced by "[REDACTED]", in place)', response: responses({ 200: currentSchema }) },
    handler: async () => {
      const current = await ctx.knowledge.configVersions.current();
      if (!current) throw new ApiError('HS_API_NO_CONFIG', 'no config version applied yet (homeostat up applies one)');
      return { version: configVersionShape(current), lastKnownGood: (await ctx.knowledge.configVersions.lastKnownGood())?.version ?? null };
    },
  });

  app.get('/api/config/versions', {
    config: { role: 'admin' },
    schema: { tags: ['config'], summary: 'Every applied version, oldest first, without the text', response: responses({ 200: closedObject({ versions: arrayOf(configVersionSummarySchema) }) }) },
    handler: async () => ({ versions: (await ctx.knowledge.configVersions.list()).map(configVersionSummaryShape) }),
  });

  app.get<{ Params: { version: string } }>('/api/config/versions/:version', {
    config: { role: 'admin' },
    schema: {
      tags: ['config'],
      summary: 'One version with its (redacted) text',
      params: { type: 'object', required: ['version'], properties: { version: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' } } },
      response: responses({ 200: closedObject({ version: configVersionSchema }) }),
    },
    handler: async (request) => {
      const version = (await ctx.knowledge.configVersions.list()).find((v) => v.version === Number(request.params.version));
      if (!version) throw new ApiError('HS_API_NO_CONFIG', `no config version ${request.params.version}`);
      return { version: configVersionShape(version) };
    },
  });

  app.post<{ Body: { yaml: string } }>('/api/config/plan', {
    config: { role: 'admin' },
    schema: {
      tags: ['config'],
      summary: 'Validate a homeostat.yaml and list what applying it would change against the applied version',
      body: { type: 'object', required: ['yaml'], additionalProperties: false, properties: { yaml: { type: 'string', minLength: 1 } } },
      response: responses({ 200: planSchema }),
    },
    handler: async (request) => {
      let after: HomeostatConfig;
      try {
        after = parseConfig(request.body.yaml, { file: 'homeostat.yaml', displayName: 'the posted config' }).config;
      } catch (error) {
        throw new ApiError('HS_API_INVALID_REQUEST', (error as Error).message);
      }
      // Served by `up`: the processes it would start are checked as `up` would spawn them (400 HS_CONFIG_NOT_SPAWNABLE).
      ctx.configs?.checkSpawnable?.(request.body.yaml, 'the posted config');
      const current = await ctx.knowledge.configVersions.current();
      if (!current) return { valid: true, against: null, changes: [] };
      let before: HomeostatConfig;
      try {
        before = parseConfig(current.text, { file: 'homeostat.yaml', displayName: `applied config v${current.version}` }).config;
      } catch {
        return { valid: true, against: current.version, changes: null, note: `the applied version v${current.version} no longer parses; no field diff` };
      }
      return { valid: true, against: current.version, changes: diffConfigs(before, after), needsRestart: restartOnlyChanges(before, after) };
    },
  });

  const configs = () => {
    if (!ctx.configs) throw new ApiError('HS_API_NOT_SERVED', 'applying and rolling back config needs the API of a running homeostat up');
    return ctx.configs;
  };

  app.post<{ Body: { yaml: string } }>('/api/config/apply', {
    config: { role: 'admin' },
    schema: {
      tags: ['config'],
      summary:
        'Validate and apply a homeostat.yaml as a new version (services whose spec changed restart) (audited). The file on disk is not changed. 400 HS_CONFIG_NOT_SPAWNABLE: a process it would start cannot be spawned (nothing changed); 422 HS_CONFIG_APPLY_FAILED: one did not start, the previous version is back and this one is marked failed; 422 HS_CONFIG_CANARY_FAILED: a changed service\'s canary (`canary:`) failed or was denied, the previous version stays in force (the answer comes after the canary\'s `duration`).',
      body: { type: 'object', required: ['yaml'], additionalProperties: false, properties: { yaml: { type: 'string', minLength: 1 } } },
      response: responses({ 200: appliedSchema, 422: errorSchema }),
    },
    handler: async (request) => {
      const control = configs();
      try {
        parseConfig(request.body.yaml, { file: 'homeostat.yaml', displayName: 'the posted config' });
      } catch (error) {
        throw new ApiError('HS_API_INVALID_REQUEST', (error as Error).message);
      }
      // HS_CONFIG_NEEDS_RESTART answers 409; HS_CONFIG_APPLY_FAILED 422 (valid, but its processes did not start: the previous version is back, this one marked failed).
      const change = await control.apply(request.body.yaml, request.principal!.actor, { by: request.principal!.actor, displayName: 'the posted config' });
      await ctx.knowledge.audit.append(request.principal!.actor, 'config.apply-requested', `config:v${change.version}`, { previous: change.previous, services: change.services });
      return { applied: pickFields(change, ['version', 'previous', 'at', 'services', 'source']) };
    },
  });

  app.post<{ Body: { incident?: string } | null | undefined }>('/api/config/rollback', {
    config: { role: 'admin' },
    schema: {
      tags: ['config'],
      summary: 'Mark the applied version bad and re-apply the last known good one (audited); 409 when there is none',
      body: { type: ['object', 'null'], additionalProperties: false, properties: { incident: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: responses({ 200: rollbackSchema }),
    },
    handler: async (request) => {
      const control = configs();
      const incidentId = request.body?.incident ?? `requested by ${request.principal!.actor}`;
      let outcome: Awaited<ReturnType<typeof control.rollback>>;
      try {
        outcome = await control.rollback({ incidentId, service: '*' });
      } catch (error) {
        // The re-apply of a rollback that fails answers 400 like every other config error, not the apply route's 409/422.
        if (isHomeostatError(error, 'HS_CONFIG_NEEDS_RESTART') || isHomeostatError(error, 'HS_CONFIG_APPLY_FAILED')) throw new ApiError(error.code, error.message, 400);
        throw error;
      }
      await ctx.knowledge.audit.append(request.principal!.actor, 'config.rollback-requested', 'config', { ok: outcome.ok, detail: outcome.detail });
      if (!outcome.ok) throw new ApiError('HS_API_ROLLBACK_REFUSED', outcome.detail);
      return { ok: outcome.ok, detail: outcome.detail };
    },
  });
};
