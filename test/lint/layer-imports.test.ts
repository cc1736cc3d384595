import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter, type Rule } from 'eslint';

/**
 * The layer rules: the lint rule refuses an import the table does not allow (fixtures
 * linted under the names of real folders), and the table in docs/architecture.md is the
 * table lint enforces, row for row.
 */

// dist/test/lint/ → the repository root; the rule is plain JavaScript under scripts/lint/.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const { layerImportsRule } = (await import(join(root, 'scripts/lint/layer-imports-rule.js'))) as { layerImportsRule: (root: string) => Rule.RuleModule };
const { LAYERS } = (await import(join(root, 'scripts/lint/layers.js'))) as { LAYERS: Record<string, string[]> };

function lint(file: string, code: string): string[] {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [{ files: ['**/*.ts'], plugins: { homeostat: { rules: { 'layer-imports': layerImportsRule(root) } } }, rules: { 'homeostat/layer-imports': 'error' } }],
    { filename: join(root, file) },
  );
  return messages.map((m) => m.message);
}

test('an import between folders the table does not allow is a lint error naming both; an allowed one is not', () => {
  assert.deepEqual(lint('src/store/sqlite/bad.ts', "import { Engine } from '../../workflow/engine.js';\nexport const e = Engine;\n"), [
    "src/store/ may not import src/workflow/ (it may import: errors/); see docs/architecture.md, 'The parts'",
  ]);
  assert.deepEqual(lint('src/execute/bad.ts', "export { AutonomicLoop } from '../controller/autonomic-loop.js';\n"), [
    "src/execute/ may not import src/controller/ (it may import: errors/, resilience/, telemetry/, store/, workflow/, analyze/, config/, monitor/, supervisor/, knowledge/, plan/); see docs/architecture.md, 'The parts'",
  ]);
  assert.equal(lint('src/api/routes/bad.ts', "const m = await import('../../cli/commands/config-plan.js');\nexport default m;\n").length, 1, 'a dynamic import counts too');
  assert.deepEqual(lint('src/workflow/good.ts', "import { openStore } from '../store/open-store.js';\nimport { x } from './local.js';\nimport pg from 'pg';\nexport { openStore, x, pg };\n"), []);
  assert.deepEqual(lint('src/store/store.test.ts', "import { Engine } from '../workflow/engine.js';\nexport const e = Engine;\n"), [], 'tests may import anything');
});

test('a folder missing from the table and an example past the public API are refused', () => {
  assert.deepEqual(lint('src/newfolder/x.ts', "import { a } from '../store/store.js';\nexport { a };\n"), ['src/newfolder/ is not in the layer table (scripts/lint/layers.js): add it with the folders it may import']);
  assert.deepEqual(lint('examples/shop/x.ts', "import { openStore } from '../../src/store/open-store.js';\nexport { openStore };\n"), ['an example imports only the public API (src/index.js), not src/store/open-store.js']);
  assert.deepEqual(lint('examples/shop/y.ts', "import { openStore } from '../../src/index.js';\nexport { openStore };\n"), []);
});

test("docs/architecture.md's 'may import' column is the table lint enforces", () => {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const documented: Record<string, string[]> = {};
  for (const line of doc.split('\n')) {
    const row = /^\| `src\/([a-z]+)\/` \|.*\| ([^|]*) \|$/.exec(line);
    if (!row) continue;
    documented[row[1]!] = [...row[2]!.matchAll(/`([a-z]+)\/[^`]*`/g)].map((m) => m[1]!).sort();
  }
  const enforced = Object.fromEntries(Object.entries(LAYERS).map(([folder, allowed]) => [folder, [...allowed].sort()]));
  assert.deepEqual(documented, enforced);
});
