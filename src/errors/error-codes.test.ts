import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The compiled test lives in dist/src/errors/; the sources and docs are at the repo root.
const root = fileURLToPath(new URL('../../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test('every error code used in the source is documented in docs/errors.md, once', () => {
  const used = new Set<string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/['"`](HS_[A-Z][A-Z_]*[A-Z])['"`]/g)) used.add(match[1]!);
  }
  assert.ok(used.size > 10, `expected to find the engine's codes, found ${used.size}`);
  const docs = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  const documentedRows = [...docs.matchAll(/^\| `(HS_[A-Z_]+)` \|/gm)].map((m) => m[1]!);
  const missing = [...used].filter((code) => !documentedRows.includes(code)).sort();
  assert.deepEqual(missing, [], `codes used but not documented in docs/errors.md: ${missing.join(', ')}`);
  const duplicated = documentedRows.filter((code, i) => documentedRows.indexOf(code) !== i);
  assert.deepEqual(duplicated, [], `codes documented twice: ${duplicated.join(', ')}`);
});
