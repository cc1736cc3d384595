import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import type { CommandContext } from './command.js';

/** `-c FILE`, else `./homeostat.yaml` when it exists (`required`: else an error from loadConfig). */
export function findConfig(ctx: CommandContext, required: boolean): LoadedConfig | undefined {
  const given = ctx.options.config;
  if (typeof given === 'string') return loadConfig(given);
  if (required || existsSync('homeostat.yaml')) return loadConfig('homeostat.yaml');
  return undefined;
}

/**
 * The store a config-driven command uses: `--store`, else the config's `store:`, else
 * `$HOMEOSTAT_STORE`, else `sqlite:<stateDir>/homeostat.db`.
 */
export function storeUrlFor(ctx: CommandContext, loaded: LoadedConfig | undefined): string {
  if (typeof ctx.options.store === 'string') return ctx.options.store;
  if (loaded?.config.store) return loaded.config.store;
  if (process.env.HOMEOSTAT_STORE) return process.env.HOMEOSTAT_STORE;
  return loaded ? `sqlite:${join(loaded.stateDir, 'homeostat.db')}` : ctx.storeUrl;
}
