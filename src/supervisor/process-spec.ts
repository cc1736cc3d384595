import { resolve } from 'node:path';
import type { ServiceConfig } from '../config/schema/services.js';
import type { ProcessSpec } from './process-instance.js';
import { fillTemplate, type TemplateValues } from './templating.js';

/** What a replica's process spec is made from. */
export interface ProcessSpecSource {
  service: string;
  replica: number;
  port: number | null;
  config: ServiceConfig;
  /** Folder that a relative `cwd` resolves against (the config file's folder). */
  baseDir: string;
  /** Variables the supervisor adds (heartbeat endpoint …). */
  supervisorEnv: Record<string, string>;
  /** The environment the process inherits (default: this process's). */
  parentEnv?: NodeJS.ProcessEnv;
}

/**
 * The command, args, cwd and environment one replica is spawned with: the inherited
 * environment, the supervisor's variables, `HOMEOSTAT_*` and `PORT`, then the config's
 * `env`, with `{{port}}`, `{{replica}}`, `{{name}}` and `{{instance}}` filled in. The same
 * function serves the spawn and the check before a reload ({@link checkSpawnable}), so
 * what is checked is what is spawned.
 *
 * @example buildProcessSpec({ service: 'api', replica: 0, port: 4100, config, baseDir: '/srv', supervisorEnv: {} }).env.PORT // '4100'
 */
export function buildProcessSpec(source: ProcessSpecSource): ProcessSpec {
  const { config } = source;
  const instance = `${source.service}#${source.replica}`;
  const values: TemplateValues = { port: source.port, replica: source.replica, name: source.service, instance };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source.parentEnv ?? process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, source.supervisorEnv, {
    HOMEOSTAT_SERVICE: source.service,
    HOMEOSTAT_INSTANCE: instance,
    HOMEOSTAT_REPLICA: String(source.replica),
  });
  if (source.port !== null) {
    env.HOMEOSTAT_PORT = String(source.port);
    if (config.env.PORT === undefined) env.PORT = String(source.port);
  }
  for (const [key, value] of Object.entries(config.env)) env[key] = fillTemplate(value, values);
  const cwd = resolve(source.baseDir, fillTemplate(config.cwd ?? '.', values));
  return { command: config.command!, args: config.args.map((arg) => fillTemplate(arg, values)), cwd, env };
}
