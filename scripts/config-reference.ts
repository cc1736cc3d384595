// Writes docs/config-reference.md and schema/homeostat.schema.json from the zod schema.
// Run with `npm run docs:config` (builds first); a test fails while they are out of date.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchema } from '../src/config/config-json-schema.js';
import { CONFIG_REFERENCE_PATH, renderConfigReference } from '../src/config/config-reference.js';

// Compiled to dist/scripts/: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));
for (const [path, text] of [
  [CONFIG_REFERENCE_PATH, renderConfigReference()],
  [CONFIG_JSON_SCHEMA_PATH, `${JSON.stringify(configJsonSchema(), null, 2)}\n`],
] as const) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  console.log(`wrote ${path}`);
}
