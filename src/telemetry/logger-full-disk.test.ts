import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createLogger, flushLogger } from './logger.js';

// /dev/full answers every write with a real ENOSPC: the log of a controller on a full disk.
test('a logger on a full disk neither throws, nor blocks the event loop, nor hangs its flush', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, async () => {
  const warnings: string[] = [];
  const logger = createLogger({ destination: '/dev/full', warn: (line: string) => warnings.push(line) } as Parameters<typeof createLogger>[0]);
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    for (let i = 0; i < 2_000; i++) logger.info({ i, padding: 'x'.repeat(200) }, 'a line the disk has no room for');
    await new Promise((resolve) => setTimeout(resolve, 500));
    clearInterval(ticker);
    // The timer kept firing: the event loop was never held by a retrying synchronous write.
    assert.ok(ticks >= 5, `the event loop ran timers while the log failed (ticks: ${ticks})`);
    const flushed = await Promise.race([flushLogger(logger).then(() => 'flushed'), new Promise((resolve) => setTimeout(() => resolve('hung'), 3_000))]);
    assert.equal(flushed, 'flushed', 'flushLogger returns even though nothing can be written');
    assert.deepEqual(uncaught, [], 'no write error escaped as an uncaught exception');
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});
