import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { toMillis } from '../resilience/duration.js';
import { PROBE_TIMEOUT_DEFAULT_MS, PROBE_TIMEOUT_FLOOR_MS, probeSchema } from './schema/probes.js';

// Compiled to dist/src/config/: the repository root is three folders up.
const root = fileURLToPath(new URL('../../../', import.meta.url));

test('a probe without a timeout gets the documented default, however short its period', () => {
  assert.ok(PROBE_TIMEOUT_DEFAULT_MS >= PROBE_TIMEOUT_FLOOR_MS);
  for (const period of ['100ms', '250ms', '1s', '5s']) {
    assert.equal(probeSchema.parse({ http: '/healthz', period }).timeout, PROBE_TIMEOUT_DEFAULT_MS, `period ${period}`);
  }
  // A timeout that is given is kept, short or long.
  assert.equal(probeSchema.parse({ http: '/healthz', period: '250ms', timeout: '3s' }).timeout, 3_000);
});

/** Every `timeout:` of a probe (under a `probes:` key) in a parsed YAML document. */
function probeTimeouts(document: unknown, found: { where: string; timeout: unknown }[] = [], where = ''): { where: string; timeout: unknown }[] {
  if (!document || typeof document !== 'object') return found;
  for (const [key, value] of Object.entries(document)) {
    if (key === 'probes' && value && typeof value === 'object') {
      for (const [probe, config] of Object.entries(value)) {
        const timeout = (config as { timeout?: unknown } | null)?.timeout;
        if (timeout !== undefined) found.push({ where: `${where}.probes.${probe}`, timeout });
      }
    } else probeTimeouts(value, found, `${where}.${key}`);
  }
  return found;
}

/** The YAML the user reads: the examples' config files and every ```yaml block of the README and docs. */
function yamlTheUserReads(): { file: string; text: string }[] {
  const documents: { file: string; text: string }[] = [];
  for (const example of readdirSync(join(root, 'examples'))) {
    const file = join('examples', example, 'homeostat.yaml');
    try {
      documents.push({ file, text: readFileSync(join(root, file), 'utf8') });
    } catch {
      // an example without a config file
    }
  }
  const markdown = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];
  for (const file of markdown) {
    for (const block of readFileSync(join(root, file), 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)) documents.push({ file, text: block[1]! });
  }
  return documents;
}

test('no example or doc teaches a probe timeout below the floor', () => {
  const documents = yamlTheUserReads();
  assert.ok(documents.some((d) => d.file === join('examples', 'system', 'homeostat.yaml')));
  const short: string[] = [];
  let seen = 0;
  for (const { file, text } of documents) {
    for (const { where, timeout } of probeTimeouts(parse(text))) {
      seen++;
      if (toMillis(timeout as string | number) < PROBE_TIMEOUT_FLOOR_MS) short.push(`${file}: ${where.slice(1)}.timeout: ${String(timeout)}`);
    }
  }
  assert.ok(seen >= 5, `found only ${seen} probe timeouts: the scan is not reading the examples`);
  assert.deepEqual(short, []);
});

test('the example config names the JSON Schema for editors, at a path that exists', () => {
  const text = readFileSync(join(root, 'examples/system/homeostat.yaml'), 'utf8');
  const line = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
  assert.ok(line, 'examples/system/homeostat.yaml has no yaml-language-server line');
  const schema = JSON.parse(readFileSync(join(root, 'examples/system', line[1]!), 'utf8')) as { title: string };
  assert.equal(schema.title, 'homeostat.yaml');
});
