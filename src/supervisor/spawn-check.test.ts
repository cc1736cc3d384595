import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessInstance, type ProcessSpec } from './process-instance.js';
import { checkSpawnable, MAX_ARG_STRLEN, resolveExecutable, spawnLimits } from './spawn-check.js';

/** A temp folder with an executable script `bin/tool`, a plain file `data.txt` and a folder `sub`. */
function sandbox(): { dir: string; close: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-spawn-check-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'bin', 'tool'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'bin', 'tool'), 0o755);
  writeFileSync(join(dir, 'data.txt'), 'not a program\n');
  chmodSync(join(dir, 'data.txt'), 0o644);
  return { dir, close: () => rmSync(dir, { recursive: true, force: true }) };
}

const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', ...extra });

test('a spec spawn would start has no problems: a PATH command, a path relative to cwd, a relative PATH entry', () => {
  const box = sandbox();
  try {
    assert.deepEqual(checkSpawnable({ command: process.execPath, args: ['-e', '0'], cwd: box.dir, env: env() }), []);
    assert.deepEqual(checkSpawnable({ command: 'node', args: [], cwd: box.dir, env: env({ PATH: `${join(process.execPath, '..')}:/usr/bin` }) }), []);
    assert.deepEqual(checkSpawnable({ command: './bin/tool', args: [], cwd: box.dir, env: env() }), []);
    assert.deepEqual(checkSpawnable({ command: 'tool', args: [], cwd: box.dir, env: env({ PATH: 'bin' }) }), []);
    assert.equal(resolveExecutable('tool', box.dir, '/nowhere::bin').file, join(box.dir, 'bin', 'tool'));
  } finally {
    box.close();
  }
});

test('a command that does not resolve to an executable file is named, with why', () => {
  const box = sandbox();
  try {
    const one = (command: string, path?: string) => {
      const problems = checkSpawnable({ command, args: [], cwd: box.dir, env: path === undefined ? {} : { PATH: path } });
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]!.part, 'command');
      return problems[0]!.message;
    };
    assert.match(one('./missing', '/usr/bin'), /command "\.\/missing": .*\/missing does not exist/);
    assert.match(one('./data.txt', '/usr/bin'), /data\.txt is not executable \(mode 0644\)/);
    assert.match(one('./sub', '/usr/bin'), /sub is a directory/);
    assert.match(one('homeostat-no-such-program', '/usr/bin:/bin'), /command "homeostat-no-such-program": not found on PATH \(\/usr\/bin:\/bin\)/);
    assert.match(one('data.txt', '.'), /not found as an executable file on PATH .*data\.txt is not executable/);
    // Without PATH in the child's environment spawn searches /usr/bin:/bin, and so does the check.
    assert.match(one('tool'), /not found on the default PATH \/usr\/bin:\/bin/);
  } finally {
    box.close();
  }
});

test('a cwd that is missing or not a directory is named', () => {
  const box = sandbox();
  try {
    const problems = (cwd: string) => checkSpawnable({ command: process.execPath, args: [], cwd, env: env() });
    assert.deepEqual(problems(join(box.dir, 'gone')).map((p) => [p.part, p.message]), [['cwd', `cwd ${join(box.dir, 'gone')} does not exist`]]);
    assert.deepEqual(problems(join(box.dir, 'data.txt')).map((p) => [p.part, p.message]), [['cwd', `cwd ${join(box.dir, 'data.txt')} is not a directory`]]);
  } finally {
    box.close();
  }
});

test('one string over MAX_ARG_STRLEN (its NUL included) and argv + envp over ARG_MAX are named; the limit itself passes', () => {
  const limits = { argMax: 1_000_000, maxArgStrlen: MAX_ARG_STRLEN };
  const spec = (extra: Partial<ProcessSpec>): ProcessSpec => ({ command: process.execPath, args: [], cwd: tmpdir(), env: env(), ...extra });
  // "BIG=" + value + NUL: exactly 131072 bytes is allowed, one more is not.
  const fits = 'x'.repeat(MAX_ARG_STRLEN - 'BIG='.length - 1);
  assert.deepEqual(checkSpawnable(spec({ env: env({ BIG: fits }) }), limits), []);
  const over = checkSpawnable(spec({ env: env({ BIG: `${fits}x` }) }), limits);
  assert.deepEqual(over.map((p) => [p.part, p.key]), [['env', 'BIG']]);
  assert.match(over[0]!.message, /environment variable BIG is 131,073 bytes with its NUL, over Linux's limit of 131,072 .*E2BIG/);
  // Multi-byte characters count as bytes, not characters.
  assert.equal(checkSpawnable(spec({ args: ['é'.repeat(70_000)] }), limits)[0]?.part, 'args');
  assert.equal(checkSpawnable(spec({ args: ['a', 'é'.repeat(70_000)] }), limits)[0]?.index, 1);
  // Many strings, each fine, together over ARG_MAX.
  const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`V${i}`, 'y'.repeat(120_000)]));
  const total = checkSpawnable(spec({ env: env(many) }), limits);
  assert.deepEqual(total.map((p) => p.part), ['total']);
  assert.match(total[0]!.message, /take 1,200,\d{3} bytes, over this machine's ARG_MAX of 1,000,000 .*the largest: environment variable V\d 120,004 bytes/);
});

test('NUL bytes are named (Node refuses them)', () => {
  const problems = checkSpawnable({ command: process.execPath, args: ['ok', 'bad\0arg'], cwd: tmpdir(), env: env({ 'K': 'v\0w' }) });
  assert.deepEqual(problems.map((p) => [p.part, p.index ?? p.key]), [['args', 1], ['env', 'K']]);
});

test('ARG_MAX is read from this machine once, within the kernel cap', () => {
  const limits = spawnLimits();
  assert.ok(limits.argMax >= 131_072 && limits.argMax <= 6_291_456, String(limits.argMax));
  assert.equal(spawnLimits(), limits);
});

test('what the check names really fails to spawn: E2BIG is a spawn failure, not an exception', async () => {
  const box = sandbox();
  try {
    const spec: ProcessSpec = { command: process.execPath, args: ['-e', '0'], cwd: box.dir, env: env({ BIG: 'x'.repeat(200_000) }) };
    assert.equal(checkSpawnable(spec)[0]?.part, 'env');
    const log = { write: () => undefined, tail: () => [], close: () => undefined };
    const proc = ProcessInstance.spawn(spec, () => log as never);
    assert.match(String((await proc.spawned)?.message), /E2BIG/);
    const exit = await proc.exited;
    assert.match(String(exit.spawnError?.message), /E2BIG/);
    assert.equal(proc.alive, false);
    // And the ones it passes start.
    const ok = ProcessInstance.spawn({ ...spec, env: env() }, () => log as never);
    assert.equal(await ok.spawned, undefined);
    assert.equal((await ok.exited).code, 0);
  } finally {
    box.close();
  }
});

test('the ARG_MAX accounting is the kernel\'s: the largest spec the check passes spawns, one byte more fails with E2BIG', async () => {
  const { argMax } = spawnLimits();
  // Fillers up to 50-150 KB short of ARG_MAX: W (at most 131,000) crosses it.
  const fillers = Math.floor((argMax - 50_000) / 100_000);
  const spec = (extra: number): ProcessSpec => {
    const env: Record<string, string> = { PATH: '/usr/bin:/bin' };
    for (let i = 0; i < fillers; i++) env[`F${i}`] = 'y'.repeat(100_000);
    env.W = 'z'.repeat(extra);
    return { command: process.execPath, args: ['-e', '0'], cwd: tmpdir(), env };
  };
  // The largest W the check lets through (binary search with the check itself).
  let low = 0;
  let high = 131_000;
  assert.equal(checkSpawnable(spec(high)).at(-1)?.part, 'total', 'the search range must end over ARG_MAX');
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (checkSpawnable(spec(mid)).length === 0) low = mid;
    else high = mid - 1;
  }
  const log = { write: () => undefined, tail: () => [], close: () => undefined };
  const fits = ProcessInstance.spawn(spec(low), () => log as never);
  assert.equal((await fits.spawned)?.message, undefined, 'the largest spec the check passes must spawn');
  await fits.exited;
  const over = ProcessInstance.spawn(spec(low + 1), () => log as never);
  assert.match(String((await over.spawned)?.message), /E2BIG/, 'one byte more must fail as the check says');
});
