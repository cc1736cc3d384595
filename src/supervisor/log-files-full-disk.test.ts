import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstanceLog, ReplicaLogFiles } from './log-files.js';
import { ProcessInstance } from './process-instance.js';

const noDevFull = !existsSync('/dev/full') && 'no /dev/full here';
const rotation = { maxBytes: 10_000_000, keep: 1 };

// 2 MB of output is 30 times a pipe's buffer: a child whose output stopped being read would block on write and never exit.
const CHATTY = `const line = 'x'.repeat(1023) + '\\n'; for (let i = 0; i < 2048; i++) process.stdout.write(line); console.log('done'); `;

test("a service's log on a full disk: its output is still drained (the child finishes), nothing throws, the last lines are kept", { skip: noDevFull, timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-logfull-'));
  // current.log leads to a full device: every write to it fails with a real ENOSPC.
  symlinkSync('/dev/full', join(dir, 'current.log'));
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const proc = ProcessInstance.spawn({ command: process.execPath, args: ['-e', CHATTY], cwd: dir, env: { PATH: process.env.PATH ?? '' } }, () => new InstanceLog(dir, rotation, 5));
    const exit = await Promise.race([proc.exited, new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 20_000))]);
    assert.deepEqual(uncaught, [], 'no write error escaped from the pipe reader');
    assert.notEqual(exit, 'blocked', 'the child was not left blocked on a full pipe');
    assert.equal((exit as { code: number | null }).code, 0);
    assert.equal(proc.log.tail(1)[0], 'done', 'the last lines are kept in memory as evidence');
    assert.ok(((proc.log as unknown as { droppedBytes?: number }).droppedBytes ?? 0) >= 2048 * 1024, 'the bytes that could not be written are counted');
  } finally {
    process.off('uncaughtException', onUncaught);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when the log can be written again, output resumes after a line saying how much was dropped; a folder that cannot be made does not stop an instance', { skip: noDevFull }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-logfull-'));
  symlinkSync('/dev/full', join(dir, 'current.log'));
  const errors: string[] = [];
  try {
    const log = new InstanceLog(dir, rotation, 5, (_dir, error) => errors.push((error as NodeJS.ErrnoException).code ?? error.message));
    log.write('out', 'lost one\n');
    log.write('out', 'lost two\n');
    assert.equal(log.failing, true);
    assert.equal(log.droppedBytes, 18);
    assert.deepEqual(errors, ['ENOSPC'], 'reported once per failure, not per write');
    // Space returns: current.log is now a regular file; the next write after the retry delay reopens it.
    writeFileSync(join(dir, 'fresh'), '');
    renameSync(join(dir, 'fresh'), join(dir, 'current.log'));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    log.write('out', 'back\n');
    log.close();
    assert.equal(readFileSync(join(dir, 'current.log'), 'utf8'), '[homeostat: 18 bytes of output were dropped here: the log could not be written]\nback\n');
    assert.equal(log.failing, false);
    assert.deepEqual(log.tail(), ['lost one', 'lost two', 'back']);

    // Its folder cannot be made: a file stands where the folder should be (ENOTDIR).
    writeFileSync(join(dir, 'logs'), '');
    const nowhere = new ReplicaLogFiles(join(dir, 'logs', 'api', '0'), rotation, (_dir, error) => errors.push((error as NodeJS.ErrnoException).code ?? error.message));
    const orphan = nowhere.beginInstance();
    orphan.write('out', 'still kept\n');
    assert.deepEqual(orphan.tail(), ['still kept']);
    orphan.close();
    assert.deepEqual(errors.slice(1, 2), ['ENOTDIR']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
