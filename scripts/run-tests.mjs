// Runs every compiled `*.test.js` under dist/ with Node's built-in test runner.
// Node 20's `node --test <dir>` would also run every .js under a `test/` folder
// (fixtures and child-process workers included), so the file list is made here.
//
// `--stack` runs the `*.stack-test.js` files instead: tests against real monitoring
// software a fresh machine does not have (Prometheus, Alertmanager, node_exporter from
// Debian). `npm test` leaves them out so that it passes with only Node and npm; CI installs
// the packages and runs them with `npm run test:stack`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const stack = process.argv.includes('--stack');
const suffix = stack ? '.stack-test.js' : '.test.js';

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(suffix)) found.push(path);
  }
  return found;
}

// TEST_DIST lets parallel work compile to its own folder (tsc --outDir dist-<name>).
const root = process.env.TEST_DIST ?? 'dist';
const filter = process.argv.slice(2).filter((arg) => arg !== '--stack');
const files = findTests(root).filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)));
if (files.length === 0) {
  console.error(`no ${suffix} files found under ${root}/ (did the build run?)`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
