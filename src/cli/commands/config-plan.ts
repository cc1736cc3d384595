import { parseConfig } from '../../config/load-config.js';
import type { HomeostatConfig } from '../../config/schema/root.js';
import { Knowledge } from '../../knowledge/knowledge.js';
import { canonicalJson } from '../../knowledge/canonical-json.js';
import { openStore } from '../../store/open-store.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { findConfig, storeUrlFor } from '../config-location.js';

export const configUsage = 'homeostat config plan -c new.yaml [--store URL]';

/**
 * `homeostat config plan -c new.yaml`: validate the file (line-numbered errors, exit 1)
 * and show what applying it would change against the version `homeostat up` applied
 * last — services, policies, symptom rules, guardrails — field by field.
 */
export async function configCommand(ctx: CommandContext): Promise<number> {
  if (ctx.positionals[0] !== 'plan') throw new UsageError(`usage: ${configUsage}`);
  if (typeof ctx.options.config !== 'string') throw new UsageError(`missing -c new.yaml\nusage: ${configUsage}`);
  const loaded = findConfig(ctx, true)!;
  ctx.out(`${loaded.file}: valid (${Object.keys(loaded.config.services).length} services, ${Object.keys(loaded.config.policies).length} policies, ${Object.keys(loaded.config.symptoms).length} symptom rules)`);
  const store = await openStore(storeUrlFor(ctx, loaded));
  try {
    const current = await new Knowledge(store).configVersions.current();
    if (!current) {
      ctx.out('no applied version in the store yet: applying it (homeostat up) adds everything above');
      return 0;
    }
    let before: HomeostatConfig;
    try {
      before = parseConfig(current.text, { file: loaded.file, displayName: `applied config v${current.version}` }).config;
    } catch {
      ctx.out(`the applied version v${current.version} no longer parses with this homeostat; showing no field diff`);
      return 0;
    }
    const changes = diffConfigs(before, loaded.config);
    ctx.out(`against applied v${current.version} (${current.status}, ${new Date(current.appliedAt).toISOString()}):`);
    if (changes.length === 0) ctx.out('  no changes');
    for (const change of changes) ctx.out(`  ${change}`);
    return 0;
  } finally {
    await store.close();
  }
}

/** Human lines: `+ services.cache (new)`, `- policies.old`, `~ services.api.replicas: 2 → 3`. */
export function diffConfigs(before: HomeostatConfig, after: HomeostatConfig): string[] {
  const lines: string[] = [];
  const walk = (path: string, a: unknown, b: unknown, depth: number) => {
    if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return;
    if (a === undefined) return void lines.push(`+ ${path} (new)`);
    if (b === undefined) return void lines.push(`- ${path} (removed)`);
    const objects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b);
    if (objects && depth < 4) {
      const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
      for (const key of keys) walk(`${path}.${key}`, (a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], depth + 1);
      return;
    }
    lines.push(`~ ${path}: ${short(a)} → ${short(b)}`);
  };
  for (const key of Object.keys({ ...before, ...after }).sort()) walk(key, (before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], 1);
  return lines;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
