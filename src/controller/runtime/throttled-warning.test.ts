import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { throttledWarning } from './throttled-warning.js';

test('one warning per interval across every message; the next one after the interval is said', () => {
  const lines: { msg: string; err: { message: string } }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  let now = 50_000;
  const warn = throttledWarning(logger, { now: () => now });
  warn(new Error('disk full'), 'queueing symptoms for the leader failed (retrying)');
  now += 9_999;
  warn(new Error('disk full'), 'node agent: heartbeat failed (retrying)');
  now += 1;
  warn(new Error('locked'), 'node agent: heartbeat failed (retrying)');
  assert.deepEqual(
    lines.map((l) => [l.msg, l.err.message]),
    [
      ['queueing symptoms for the leader failed (retrying)', 'disk full'],
      ['node agent: heartbeat failed (retrying)', 'locked'],
    ],
  );
});
