import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, isErrorCode } from './error-codes.js';
import { ERRORS_REFERENCE_PATH, renderErrorsReference } from './errors-reference.js';
import { HomeostatError } from './homeostat-error.js';

// The compiled test lives in dist/src/errors/; the sources and docs are at the repo root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
// The registry names every code as a key; counting it as a use would make the second check pass always.
const REGISTRY_SOURCE = join('src', 'errors', 'error-codes.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every quoted `HS_*` code in the non-test sources of src/, outside the registry. */
function codesUsedInSource(): Set<string> {
  const used = new Set<string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    if (relative(root, file) === REGISTRY_SOURCE) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(/['"`](HS_[A-Z][A-Z_]*[A-Z])['"`]/g)) used.add(match[1]!);
  }
  return used;
}

test('every error code used in the source is in the registry', () => {
  const used = codesUsedInSource();
  assert.ok(used.size > 10, `expected to find the engine's codes, found ${used.size}`);
  const missing = [...used].filter((code) => !isErrorCode(code)).sort();
  assert.deepEqual(missing, [], `codes used but not in src/errors/error-codes.ts: ${missing.join(', ')}`);
});

test('every code of the registry is used somewhere in the source', () => {
  const used = codesUsedInSource();
  const unused = Object.keys(ERROR_CODES).filter((code) => !used.has(code)).sort();
  assert.deepEqual(unused, [], `codes in the registry that nothing throws or answers: ${unused.join(', ')}`);
});

test('docs/errors.md is what the registry generates, one row per code', () => {
  const docs = readFileSync(join(root, ERRORS_REFERENCE_PATH), 'utf8');
  assert.equal(docs, renderErrorsReference(), `${ERRORS_REFERENCE_PATH} is out of date: run \`npm run docs:errors\` and commit the result`);
  const documentedRows = [...docs.matchAll(/^\| `(HS_[A-Z_]+)` \|/gm)].map((m) => m[1]!);
  assert.deepEqual([...documentedRows].sort(), Object.keys(ERROR_CODES).sort());
});

test('an error takes its retryable default from the registry, and the thrower may say otherwise', () => {
  assert.equal(new HomeostatError('HS_STORE_FULL', 'disk full').retryable, true);
  assert.equal(new HomeostatError('HS_FENCED', 'stale epoch').retryable, false);
  assert.equal(new HomeostatError('HS_TIMEOUT', 'slow', { retryable: false }).retryable, false);
});

test('every HTTP status of the registry is an error status', () => {
  for (const [code, entry] of Object.entries(ERROR_CODES)) assert.ok(entry.httpStatus >= 400 && entry.httpStatus <= 599, `${code}: ${entry.httpStatus}`);
});
