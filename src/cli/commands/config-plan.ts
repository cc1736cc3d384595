import { readFileSync } from 'node:fs';
import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { findConfig } from '../config-location.js';

export const configUsage = 'homeostat config plan -c new.yaml [--store URL]';

/**
 * `homeostat config plan -c new.yaml`: validate the file (line-numbered errors, exit 1;
 * also when a process it would start cannot be spawned: HS_CONFIG_NOT_SPAWNABLE) and
 * show what applying it would change against the version `homeostat up` applied last —
 * services, policies, symptom rules, guardrails — field by field.
 */
export async function configCommand(ctx: CommandContext): Promise<number> {
  if (ctx.positionals[0] !== 'plan') throw new UsageError(`usage: ${configUsage}`);
  if (typeof ctx.options.config !== 'string') throw new UsageError(`missing -c new.yaml\nusage: ${configUsage}`);
  const loaded = findConfig(ctx, true)!;
  // The plan compares with what the store says is applied: for `-c new.yaml` that is the
  // store of the new file's state dir, which is where the running `up` keeps its state too.
  const yaml = readFileSync(loaded.file, 'utf8');
  return withBackend(ctx, async (backend) => {
    // It also checks that the processes it would start can be spawned: "valid" only after that.
    const plan = await backend.planConfig(yaml, loaded.file);
    ctx.out(`${loaded.file}: valid (${Object.keys(loaded.config.services).length} services, ${Object.keys(loaded.config.policies).length} policies, ${Object.keys(loaded.config.symptoms).length} symptom rules)`);
    if (!plan.against) {
      ctx.out('no applied version in the store yet: applying it (homeostat up) adds everything above');
      return 0;
    }
    const { version, status, appliedAt } = plan.against;
    if (plan.changes === null) {
      ctx.out(`the applied version v${version} no longer parses with this homeostat; showing no field diff`);
      return 0;
    }
    ctx.out(`against applied v${version} (${status}, ${new Date(appliedAt).toISOString()}):`);
    if (plan.changes.length === 0) ctx.out('  no changes');
    for (const change of plan.changes) ctx.out(`  ${change}`);
    return 0;
  });
}
