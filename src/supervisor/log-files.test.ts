import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logFiles, ReplicaLogFiles } from './log-files.js';

test('a new instance moves the old log to previous; size rotation keeps N files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-logs-'));
  try {
    const files = new ReplicaLogFiles(dir, { maxBytes: 100, keep: 2 });
    const first = files.beginInstance();
    first.write('out', 'first instance says hi\n');
    first.write('err', 'fatal: ');
    first.write('err', 'it broke\n');
    assert.deepEqual(first.tail(), ['first instance says hi', 'fatal: it broke']);
    first.close();
    const second = files.beginInstance();
    for (let i = 0; i < 20; i++) second.write('out', `line ${String(i).padStart(2, '0')} of the second instance\n`);
    second.write('out', 'no newline yet');
    assert.equal(second.tail(1)[0], 'no newline yet');
    second.close();
    assert.deepEqual(logFiles(dir, 'previous').map((f) => f.slice(dir.length + 1)), ['previous.log']);
    assert.match(readFileSync(join(dir, 'previous.log'), 'utf8'), /fatal: it broke/);
    const current = logFiles(dir, 'current').map((f) => f.slice(dir.length + 1));
    assert.deepEqual(current, ['current.log.2', 'current.log.1', 'current.log']);
    const all = current.map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    assert.match(all, /line 19 of the second instance\nno newline yet\n$/);
    assert.doesNotMatch(all, /line 00/, 'the oldest rotated part was dropped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
