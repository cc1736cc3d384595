import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { symptomOf } from '../../../src/controller/element-symptoms.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { isHomeostatError } from '../../../src/errors/homeostat-error.js';
import type { ReloadFailedError } from '../../../src/supervisor/supervisor-errors.js';
import { Harness } from './harness.js';

const idle = `[-e, "setInterval(() => {}, 1000)"]`;
const service = (spec: string, command = process.execPath, cwd?: string) =>
  `  ${spec.replace(/\d+$/, '')}:\n    command: ${command}\n    args: ${idle}\n${cwd ? `    cwd: ${cwd}\n` : ''}    env: { SPEC: "${spec}" }\n    gracePeriod: 2s\n`;

/** The SPEC variable of the process a replica runs now (what spec it was started from). */
function specOf(h: Harness, name: string): string | undefined {
  const pid = h.supervisor.replicas(name)[0]?.pgid;
  if (pid === undefined) return undefined;
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((entry) => entry.startsWith('SPEC='))?.slice(5);
}

test('a reload whose new process does not start puts every service back on its previous spec (changed, added and removed ones)', async () => {
  const scripts = mkdtempSync(join(tmpdir(), 'homeostat-reload-'));
  // Executable, so the check passes; execve fails (ENOENT: the interpreter is missing).
  const broken = join(scripts, 'broken.sh');
  writeFileSync(broken, '#!/nonexistent/interpreter\n');
  chmodSync(broken, 0o755);
  const h = await Harness.start(`services:\n${service('a1')}${service('b1')}${service('gone1')}`);
  try {
    await h.waitFor('process-spawned', (e) => e.instance === 'gone#0');
    assert.deepEqual(['a', 'b', 'gone'].map((name) => specOf(h, name)), ['a1', 'b1', 'gone1']);
    const next = parseConfig(`services:\n${service('a2')}${service('b2', broken)}${service('new2')}`, { file: h.configPath }).config;
    const from = h.events.length;

    const error = (await h.supervisor.reload(next).then(
      () => assert.fail('the reload must fail'),
      (e: unknown) => e,
    )) as ReloadFailedError;
    assert.ok(isHomeostatError(error, 'HS_RELOAD_FAILED'), String(error));
    assert.deepEqual(error.problems, [], 'the check cannot foresee a missing interpreter: the spawn itself failed');
    assert.deepEqual(error.failed.map((f) => f.instance), ['b#0']);
    assert.match(error.failed[0]!.message, /ENOENT/);
    assert.deepEqual(error.notRestored, []);
    assert.match(error.message, /the previous spec was put back and started \(a, b, gone; not added: new\)/);

    // Every service runs its previous spec again; the added one is gone, the removed one is back.
    await h.waitFor('process-spawned', (e) => e.instance === 'gone#0', 15_000, from);
    assert.deepEqual(['a', 'b', 'gone'].map((name) => specOf(h, name)), ['a1', 'b1', 'gone1']);
    assert.throws(() => h.supervisor.replicas('new'), (e: unknown) => isHomeostatError(e, 'HS_UNKNOWN_SERVICE'));
    assert.deepEqual(
      h.supervisor.status().map((s) => [s.instance, s.state]),
      [
        ['a#0', 'running'],
        ['b#0', 'running'],
        ['gone#0', 'running'],
      ],
    );
    // The failed trial start is recorded as an event, but it is not a symptom: the config manager reports it.
    const trial = h.events.slice(from).find((e) => e.kind === 'spawn-failed');
    assert.ok(trial && trial.kind === 'spawn-failed' && trial.trial === true, JSON.stringify(h.events.slice(from)));
    assert.equal(symptomOf(trial), undefined);
    // Not retried: one spawn attempt of the new b, no restart scheduled for it.
    assert.equal(h.events.slice(from).filter((e) => e.kind === 'restart-scheduled').length, 0);
  } finally {
    await h.close();
    rmSync(scripts, { recursive: true, force: true });
  }
});

test('a reload to a spec that cannot be spawned stops nothing', async () => {
  const h = await Harness.start(`services:\n${service('a1')}`);
  try {
    await h.waitFor('process-spawned', (e) => e.instance === 'a#0');
    const pid = h.pid('a');
    const next = parseConfig(`services:\n${service('a2', process.execPath, join(h.dir, 'no-such-folder'))}`, { file: h.configPath }).config;
    const from = h.events.length;
    await assert.rejects(h.supervisor.reload(next), (e: unknown) => isHomeostatError(e, 'HS_RELOAD_FAILED') && (e as ReloadFailedError).problems.length === 1 && /a#0: cwd .*no-such-folder does not exist; nothing was stopped/.test(e.message));
    assert.equal(h.pid('a'), pid);
    assert.equal(specOf(h, 'a'), 'a1');
    assert.deepEqual(h.events.slice(from), []);
  } finally {
    await h.close();
  }
});
