/**
 * SIGTERM while `up` waits for a dependency to get ready (`dependsOn`, with a long
 * `startup.dependencyTimeout`): `up` stops gracefully without first waiting out the
 * timeout, and the dependent is never started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { UpHarness } from './loop-harness.js';

const SERVICE = fileURLToPath(new URL('../integration/fixtures/ordered-service.js', import.meta.url));

function service(name: string, dependsOn: string[]): string {
  return `
  ${name}:
    command: $NODE
    args: [${SERVICE}, ${name}, "{{port}}", /dev/null, "-1"]
    dependsOn: [${dependsOn.join(', ')}]
    probes:
      readiness: { http: /ready, period: 100ms, timeout: 500ms, failureThreshold: 1 }`;
}

test('SIGTERM while up waits for a dependency: it stops gracefully at once, the dependent never started', { timeout: 90_000 }, async () => {
  const h = new UpHarness(`startup: { dependencyTimeout: 10m }\nservices:${service('app', ['db'])}${service('db', [])}\n`);
  // `up` prints its start-up lines only once every service has started (here: after the SIGTERM).
  const starting = h.up().catch((error: unknown) => error);
  try {
    await h.waitForLine(/db#0 spawned/, 30_000);
    const child = h.child!;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    // The bound is far below the 10 minutes the wait would otherwise take.
    let bound: NodeJS.Timeout | undefined;
    const exit = await Promise.race([exited, new Promise<undefined>((resolve) => (bound = setTimeout(() => resolve(undefined), 45_000)))]);
    clearTimeout(bound);
    assert.ok(exit, `up did not exit within 45 s of SIGTERM:\n${h.lines.slice(-30).join('\n')}`);
    assert.deepEqual(exit, { code: 0, signal: null }, h.lines.slice(-30).join('\n'));
    assert.ok(h.lines.some((line) => /homeostat up: stopped/.test(line)), 'stopped gracefully');
    assert.ok(!h.lines.some((line) => /app#0 spawned/.test(line)), 'app was never started');
  } finally {
    await h.close();
    await starting;
  }
});
