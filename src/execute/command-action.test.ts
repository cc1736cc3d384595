import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandEnvironment, lookupUser, runCommandAction, type CommandSpec } from './command-action.js';

const about = { service: 'db', instance: 'db#0', incident: 'inc-1' };

function environOf(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

test('the environment is PATH, the HOMEOSTAT_ variables, passEnv names up has and env literals — nothing else of up\'s', () => {
  const spec: CommandSpec = { run: 'true', timeoutMs: 1_000, about, passEnv: ['PGHOST', 'NOT_SET_IN_UP'], env: { MODE: 'repair', PGHOST: 'override' } };
  const env = commandEnvironment(spec, { PATH: '/opt/bin:/bin', PGHOST: 'db.internal', API_TOKEN: 'hs_secret', HOME: '/root' });
  assert.deepEqual(env, { PATH: '/opt/bin:/bin', HOMEOSTAT_SERVICE: 'db', HOMEOSTAT_INSTANCE: 'db#0', HOMEOSTAT_INCIDENT: 'inc-1', PGHOST: 'override', MODE: 'repair' });
  assert.equal(commandEnvironment({ ...spec, env: {} }, { PGHOST: 'db.internal' }).PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'a PATH even when up has none');
  assert.deepEqual(
    commandEnvironment({ run: 'true', timeoutMs: 1, about }, {}, { name: 'ops', uid: 1001, gid: 1001, home: '/home/ops' }),
    { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOMEOSTAT_SERVICE: 'db', HOMEOSTAT_INSTANCE: 'db#0', HOMEOSTAT_INCIDENT: 'inc-1', HOME: '/home/ops', USER: 'ops', LOGNAME: 'ops' },
  );
});

test('a real command does not see a variable of up\'s environment that the config does not name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-command-env-'));
  process.env.HOMEOSTAT_TEST_UNNAMED_SECRET = 'must-not-leak';
  process.env.HOMEOSTAT_TEST_NAMED = 'passed-through';
  try {
    const out = join(dir, 'environ');
    const outcome = await runCommandAction({ run: `cat /proc/$$/environ > ${out}`, timeoutMs: 5_000, about, passEnv: ['HOMEOSTAT_TEST_NAMED'], env: { MODE: 'repair' } }, new AbortController().signal);
    assert.equal(outcome.ok, true, outcome.detail);
    const seen = environOf(out);
    assert.equal(seen.HOMEOSTAT_TEST_UNNAMED_SECRET, undefined);
    assert.equal(seen.HOMEOSTAT_TEST_NAMED, 'passed-through');
    assert.equal(seen.MODE, 'repair');
    assert.equal(seen.HOMEOSTAT_INCIDENT, 'inc-1');
    // sh adds PWD (and may add SHLVL, _) itself; nothing else came from up.
    const fromShell = new Set(['PWD', 'SHLVL', '_', 'OLDPWD']);
    assert.deepEqual(Object.keys(seen).filter((k) => !fromShell.has(k)).sort(), ['HOMEOSTAT_INCIDENT', 'HOMEOSTAT_INSTANCE', 'HOMEOSTAT_SERVICE', 'HOMEOSTAT_TEST_NAMED', 'MODE', 'PATH']);
  } finally {
    delete process.env.HOMEOSTAT_TEST_UNNAMED_SECRET;
    delete process.env.HOMEOSTAT_TEST_NAMED;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('user: the command runs as that account; an unknown one fails the rung without running anything', async (t) => {
  const nobody = lookupUser('nobody');
  if (process.getuid?.() !== 0 || !nobody) {
    t.skip('needs root and a "nobody" account to switch users');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-command-user-'));
  chmodSync(dir, 0o777);
  try {
    const out = join(dir, 'id');
    const outcome = await runCommandAction({ run: `id -u > ${out}; echo "$USER" >> ${out}`, timeoutMs: 5_000, about, user: 'nobody' }, new AbortController().signal);
    assert.equal(outcome.ok, true, outcome.detail);
    assert.match(outcome.detail, /\(as nobody\)/);
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), [String(nobody.uid), 'nobody']);

    const marker = join(dir, 'ran');
    const unknown = await runCommandAction({ run: `touch ${marker}`, timeoutMs: 5_000, about, user: 'no-such-user-hs' }, new AbortController().signal);
    assert.equal(unknown.ok, false);
    assert.match(unknown.detail, /cannot run as no-such-user-hs: no such user/);
    assert.throws(() => readFileSync(marker), /ENOENT/, 'nothing ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lookupUser reads name, uid, gid and home from a passwd file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-passwd-'));
  try {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\nops:x:1001:1002:Ops:/home/ops:/bin/sh\n');
    assert.deepEqual(lookupUser('ops', passwd), { name: 'ops', uid: 1001, gid: 1002, home: '/home/ops' });
    assert.equal(lookupUser('op', passwd), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
