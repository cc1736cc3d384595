import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logFiles } from '../../supervisor/log-files.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { findConfig } from '../config-location.js';

export const logsUsage = 'homeostat logs <service> [--previous] [--replica N] [--lines N] [-c homeostat.yaml]';

/**
 * `homeostat logs <service>`: the last lines of each replica's current instance, or with
 * `--previous` of the instance before the last restart (the one that crashed).
 */
export async function logsCommand(ctx: CommandContext): Promise<number> {
  const service = ctx.positionals[0];
  if (!service) throw new UsageError(`missing the service\nusage: ${logsUsage}`);
  const loaded = findConfig(ctx, false);
  const stateDir = loaded?.stateDir ?? '.homeostat';
  const lines = ctx.options.lines === undefined ? 100 : Number(ctx.options.lines);
  if (!Number.isInteger(lines) || lines < 1) throw new UsageError('--lines must be a positive integer');
  const serviceDir = join(stateDir, 'logs', service);
  if (!existsSync(serviceDir)) {
    ctx.err(`no logs for "${service}" under ${join(stateDir, 'logs')}${loaded && !loaded.config.services[service] ? ` (${loaded.file} has no such service)` : ''}`);
    return 1;
  }
  const which = ctx.options.previous ? 'previous' : 'current';
  const replicas = readdirSync(serviceDir)
    .filter((name) => /^\d+$/.test(name) && (ctx.options.replica === undefined || name === String(ctx.options.replica)))
    .sort((a, b) => Number(a) - Number(b));
  let printed = 0;
  for (const replica of replicas) {
    const files = logFiles(join(serviceDir, replica), which);
    if (files.length === 0) continue;
    // Read from the newest file back until enough lines are gathered.
    let collected: string[] = [];
    for (const file of [...files].reverse()) {
      const text = readFileSync(file, 'utf8');
      collected = [...text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1), ...collected];
      if (collected.length >= lines) break;
    }
    if (replicas.length > 1) ctx.out(`==> ${service}#${replica} (${which}) <==`);
    for (const line of collected.slice(-lines)) ctx.out(line);
    printed++;
  }
  if (printed === 0) {
    ctx.err(`no ${which} logs for "${service}"${which === 'previous' ? ' (it has not restarted yet)' : ''}`);
    return 1;
  }
  return 0;
}
