import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogDestination } from './log-destination.js';

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('while the disk is full lines are kept up to the bound, the rest dropped and counted, the failure said once; when space returns the backlog is written', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-logdest-'));
  const path = join(dir, 'homeostat.log');
  // The log path leads to a full device, as a state dir on a full filesystem would.
  symlinkSync('/dev/full', path);
  const warnings: string[] = [];
  const dest = new LogDestination(path, { maxBufferedBytes: 1_000, retryEveryMs: 50, warn: (line) => warnings.push(line) });
  try {
    dest.write('{"msg":"first"}\n');
    await until(() => dest.failing, 'the first write to fail');
    for (let i = 0; i < 100; i++) dest.write(`{"msg":"line ${i}"}\n`);
    assert.ok(dest.dropped > 30, `lines past the 1000-byte bound are dropped and counted (dropped ${dest.dropped})`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // several retries, all failing
    assert.equal(warnings.length, 1, `said once, not at each retry: ${warnings.join(' | ')}`);
    assert.match(warnings[0]!, /ENOSPC/);
    assert.match(dest.lastError ?? '', /ENOSPC/);

    // Space "returns": the path now leads to a writable file; the next retry reopens it.
    const writable = join(dir, 'fresh.log');
    writeFileSync(writable, '');
    renameSync(writable, path);
    await until(() => !dest.failing, 'writes to resume');
    await new Promise<void>((resolve, reject) => dest.flush((error) => (error ? reject(error) : resolve())));
    const text = readFileSync(path, 'utf8');
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    assert.match(lines[0]!.msg, new RegExp(`ENOSPC.*; ${dest.dropped} lines were dropped`), 'the log itself says how many lines were lost');
    assert.equal(lines[1]!.msg, 'first', 'what was kept in memory is written, in order');
    assert.equal(lines.length, 1 + 1 + (100 - dest.dropped));
    assert.equal(warnings.length, 2);
    assert.match(warnings[1]!, /writable again/);
    dest.write('{"msg":"after"}\n');
    await new Promise<void>((resolve, reject) => dest.flush((error) => (error ? reject(error) : resolve())));
    assert.match(readFileSync(path, 'utf8'), /"after"/);
  } finally {
    dest.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
