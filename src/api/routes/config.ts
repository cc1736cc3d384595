import type { FastifyPluginAsync } from 'fastify';
import { parseConfig } from '../../config/load-config.js';
import type { HomeostatConfig } from '../../config/schema/root.js';
import { diffConfigs } from '../../knowledge/config-diff.js';
import { restartOnlyChanges } from '../../knowledge/restart-only-changes.js';
import { isHomeostatError } from '../../errors/homeostat-error.js';
import { redactYaml } from '../../knowledge/redact-yaml.js';
import type { ConfigVersionRecord } from '../../store/records.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { anyObject, errorSchema, responses } from '../schemas.js';

/**
 * `/api/config` (admin): the applied version, every version, a plan of a new file
 * against the applied one, and — served by `homeostat up` — apply and rollback through
 * its config manager (audited with who asked).
 */
export const configRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get('/api/config', {
    config: { role: 'admin' },
    schema: { tags: ['config'], summary: 'The applied config version (secrets in its text replaced by "[REDACTED]", in place)', response: responses({ 200: anyObject }) },
    handler: async () => {
      const current = await ctx.knowledge.configVersions.current();
      if (!current) throw new ApiError('HS_API_NO_CONFIG', 404, 'no config version applied yet (homeostat up applies one)');
      return { version: viewOf(current), lastKnownGood: (await ctx.knowledge.configVersions.lastKnownGood())?.version ?? null };
    },
  });

  app.get('/api/config/versions', {
    config: { role: 'admin' },
    schema: { tags: ['config'], summary: 'Every applied version, oldest first, without the text', response: responses({ 200: anyObject }) },
    handler: async () => ({ versions: (await ctx.knowledge.configVersions.list()).map(({ text: _text, ...rest }) => rest) }),
  });

  app.get<{ Params: { version: string } }>('/api/config/versions/:version', {
    config: { role: 'admin' },
    schema: {
      tags: ['config'],
      summary: 'One version with its (redacted) text',
      params: { type: 'object', required: ['version'], properties: { version: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' } } },
      response: responses({ 200: anyObject }),
    },
    handler: async (request) => {
      const version = (await ctx.knowledge.configVersions.list()).find((v) => v.version === Number(request.params.version));
      if (!version) throw new ApiError('HS_API_NO_CONFIG', 404, `no config version ${request.params.version}`);
      return { version: viewOf(version) };
    },
  });

  app.post<{ Body: { yaml: string } }>('/api/config/plan', {
    config: { role: 'admin' },
    schema: {
      tags: ['config'],
      summary: 'Validate a homeostat.yaml and list what applying it would change against the applied version',
      body: { type: 'object', required: ['yaml'], additionalProperties: false, properties: { yaml: { type: 'string', minLength: 1 } } },
      response: responses({ 200: anyObject }),
    },
    handler: async (request) => {
      let after: HomeostatConfig;
      try {
        after = parseConfig(request.body.yaml, { file: 'homeostat.yaml', displayName: 'the posted config' }).config;
      } catch (error) {
        throw new ApiError('HS_API_INVALID_REQUEST', 400, (error as Error).message);
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
    if (!ctx.configs) throw new ApiError('HS_API_NOT_SERVED', 503, 'applying and rolling back config needs the API of a running homeostat up');
    return ctx.configs;
  };

  app.post<{ Body: { yaml: string } }>('/api/config/apply', {
    config: { role: 'admin' },
    schema: {
      tags: ['config'],
      summary:
        'Validate and apply a homeostat.yaml as a new version (services whose spec changed restart) (audited). The file on disk is not changed. 400 HS_CONFIG_NOT_SPAWNABLE: a process it would start cannot be spawned (nothing changed); 422 HS_CONFIG_APPLY_FAILED: one did not start, the previous version is back and this one is marked failed.',
      body: { type: 'object', required: ['yaml'], additionalProperties: false, properties: { yaml: { type: 'string', minLength: 1 } } },
      response: responses({ 200: anyObject, 422: errorSchema, 503: errorSchema }),
    },
    handler: async (request) => {
      const control = configs();
      try {
        parseConfig(request.body.yaml, { file: 'homeostat.yaml', displayName: 'the posted config' });
      } catch (error) {
        throw new ApiError('HS_API_INVALID_REQUEST', 400, (error as Error).message);
      }
      let change: Awaited<ReturnType<typeof control.apply>>;
      try {
        change = await control.apply(request.body.yaml, request.principal!.actor, { by: request.principal!.actor, displayName: 'the posted config' });
      } catch (error) {
        if (isHomeostatError(error, 'HS_CONFIG_NEEDS_RESTART')) throw new ApiError(error.code, 409, error.message);
        // Valid, but its processes did not start: the previous version is back, the version marked failed.
        if (isHomeostatError(error, 'HS_CONFIG_APPLY_FAILED')) throw new ApiError('HS_CONFIG_APPLY_FAILED', 422, error.message);
        throw error;
      }
      await ctx.knowledge.audit.append(request.principal!.actor, 'config.apply-requested', `config:v${change.version}`, { previous: change.previous, services: change.services });
      return { applied: change };
    },
  });

  app.post<{ Body: { incident?: string } | null | undefined }>('/api/config/rollback', {
    config: { role: 'admin' },
    schema: {
      tags: ['config'],
      summary: 'Mark the applied version bad and re-apply the last known good one (audited); 409 when there is none',
      body: { type: ['object', 'null'], additionalProperties: false, properties: { incident: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: responses({ 200: anyObject, 503: errorSchema }),
    },
    handler: async (request) => {
      const control = configs();
      const incidentId = request.body?.incident ?? `requested by ${request.principal!.actor}`;
      const outcome = await control.rollback({ incidentId, service: '*' });
      await ctx.knowledge.audit.append(request.principal!.actor, 'config.rollback-requested', 'config', { ok: outcome.ok, detail: outcome.detail });
      if (!outcome.ok) throw new ApiError('HS_API_ROLLBACK_REFUSED', 409, outcome.detail);
      return outcome;
    },
  });
};

/**
 * A version as the API shows it: the store keeps the real text (rollback re-applies it),
 * every view gets it with secrets replaced in place, so it still parses. Admins who need
 * the values read the config file itself.
 */
function viewOf(version: ConfigVersionRecord): ConfigVersionRecord {
  return { ...version, text: redactYaml(version.text) };
}
