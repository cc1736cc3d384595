import type { HomeostatConfig } from '../config/schema/root.js';
import { canonicalJson } from './canonical-json.js';
import { isSecretKey, redact, REDACTED } from './redact.js';

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
    // A plan is shown and logged: a changed secret is named, its values are not.
    const secret = isSecretKey(path.slice(path.lastIndexOf('.') + 1));
    lines.push(secret ? `~ ${path}: ${REDACTED} → ${REDACTED}` : `~ ${path}: ${short(redact(a))} → ${short(redact(b))}`);
  };
  for (const key of Object.keys({ ...before, ...after }).sort()) walk(key, (before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], 1);
  return lines;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
