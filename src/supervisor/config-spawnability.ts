import { ConfigError } from '../config/config-error.js';
import { configIssueAt } from '../config/load-config.js';
import type { HomeostatConfig } from '../config/schema/root.js';
import { buildProcessSpec } from './process-spec.js';
import { checkSpawnable, spawnLimits, type SpawnLimits, type SpawnProblem } from './spawn-check.js';

/** A spawn problem of one replica, with the config field it comes from. */
export interface ServiceSpawnProblem extends SpawnProblem {
  service: string;
  instance: string;
  /** The config field (`['services', 'api', 'env', 'BIG']`); the service itself when no one field is to blame. */
  path: (string | number)[];
}

export interface SpawnabilityOptions {
  config: HomeostatConfig;
  /** Folder that relative `cwd`s resolve against (the config file's folder). */
  baseDir: string;
  /** Which services to check (default: every supervised one). */
  services?: string[];
  /** The variables the supervisor adds for a replica (heartbeat endpoint …). */
  supervisorEnv?: (instance: string) => Record<string, string>;
  /** The environment the processes inherit (default: this process's). */
  parentEnv?: NodeJS.ProcessEnv;
  limits?: SpawnLimits;
}

/**
 * The first-order check before a config's processes are started (by a reload, which
 * stops the old ones first): every replica of the chosen supervised services is built as
 * it would be spawned and checked ({@link checkSpawnable}). A replica without a fixed port
 * is checked with the widest one (65535), so the sizes are never underestimated. Problems
 * that repeat across replicas are listed once.
 *
 * @example spawnabilityProblems({ config, baseDir }) // [] when every command, cwd and size is fine
 */
export function spawnabilityProblems(options: SpawnabilityOptions): ServiceSpawnProblem[] {
  const { config } = options;
  const limits = options.limits ?? spawnLimits();
  const problems: ServiceSpawnProblem[] = [];
  const seen = new Set<string>();
  const names = options.services ?? Object.keys(config.services);
  for (const service of names) {
    const serviceConfig = config.services[service];
    if (!serviceConfig || serviceConfig.command === undefined) continue;
    for (let replica = 0; replica < serviceConfig.replicas; replica++) {
      const instance = `${service}#${replica}`;
      const spec = buildProcessSpec({
        service,
        replica,
        port: serviceConfig.port !== undefined ? serviceConfig.port + replica : 65_535,
        config: serviceConfig,
        baseDir: options.baseDir,
        supervisorEnv: options.supervisorEnv?.(instance) ?? {},
        ...(options.parentEnv ? { parentEnv: options.parentEnv } : {}),
      });
      for (const problem of checkSpawnable(spec, limits)) {
        const path = configPath(service, serviceConfig, problem);
        const inherited = problem.part === 'env' && path.length === 2 ? ` (${problem.key} is not in the config: it is inherited from homeostat up's environment or set by the supervisor)` : '';
        const key = `${path.join('.')}|${problem.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        problems.push({ ...problem, message: `${instance}: ${problem.message}${inherited}`, service, instance, path });
      }
    }
  }
  return problems;
}

/**
 * The problems as a {@link ConfigError} (`HS_CONFIG_NOT_SPAWNABLE`), each located at its
 * field in `text` (file, line, column).
 */
export function notSpawnableError(problems: ServiceSpawnProblem[], text: string, file: string): ConfigError {
  const issues = problems.map((problem) => configIssueAt(text, file, problem.path, problem.message));
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  return new ConfigError('HS_CONFIG_NOT_SPAWNABLE', issues);
}

function configPath(service: string, config: HomeostatConfig['services'][string], problem: SpawnProblem): (string | number)[] {
  const base = ['services', service];
  switch (problem.part) {
    case 'command':
      return [...base, 'command'];
    case 'cwd':
      return config.cwd === undefined ? base : [...base, 'cwd'];
    case 'args':
      return [...base, 'args', problem.index ?? 0];
    case 'env':
      return problem.key !== undefined && config.env[problem.key] !== undefined ? [...base, 'env', problem.key] : base;
    case 'total':
      return base;
  }
}
