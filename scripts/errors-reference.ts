// Writes docs/errors.md from the error registry (src/errors/error-codes.ts).
// Run with `npm run docs:errors` (builds first); a test fails while it is out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERRORS_REFERENCE_PATH, renderErrorsReference } from '../src/errors/errors-reference.js';

// Compiled to dist/scripts/: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));
writeFileSync(join(root, ERRORS_REFERENCE_PATH), renderErrorsReference());
console.log(`wrote ${ERRORS_REFERENCE_PATH}`);
