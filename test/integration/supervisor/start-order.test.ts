/**
 * `dependsOn` orders start-up and shutdown, with real processes: a service starts only
 * once what it depends on is ready (readiness probe passing), independent services start
 * at once, shutdown goes dependents first; a dependency that never gets ready holds its
 * dependents back only for `startup.dependencyTimeout`. The processes write the order
 * they saw into one log (test/integration/fixtures/ordered-service.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../../src/config/load-config.js';
import { Harness } from './harness.js';

const SERVICE = fileURLToPath(new URL('../fixtures/ordered-service.js', import.meta.url));

/** One service of the fixture, ready `readyAfterMs` after it starts (-1: never). */
function service(name: string, log: string, readyAfterMs: number, dependsOn: string[] = []): string {
  return `
  ${name}:
    command: ${process.execPath}
    args: [${SERVICE}, ${name}, "{{port}}", ${log}, "${readyAfterMs}"]
    dependsOn: [${dependsOn.join(', ')}]
    probes:
      readiness: { http: /ready, period: 100ms, timeout: 500ms, failureThreshold: 1 }`;
}

/** The log's lines as `start db`, `ready db`, … in the order written. */
function events(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ').slice(0, 2).join(' ')) : [];
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('start-up in dependsOn order: db ready → app → web; cron at once; shutdown web → app → db', { timeout: 90_000 }, async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'homeostat-order-'));
  const log = join(logDir, 'order.log');
  const h = await Harness.start(`services:${service('web', log, 300, ['app'])}${service('app', log, 300, ['db'])}${service('db', log, 1_500)}${service('cron', log, 0)}\n`);
  try {
    await until(() => ['ready db', 'ready app', 'ready web', 'start cron'].every((line) => events(log).includes(line)), 'every service started and ready');
    const order = events(log);
    const at = (line: string) => order.indexOf(line);
    assert.ok(at('start db') < at('ready db') && at('ready db') < at('start app'), `app starts after db is ready: ${order.join(', ')}`);
    assert.ok(at('ready app') < at('start web'), `web starts after app is ready: ${order.join(', ')}`);
    assert.ok(at('start cron') < at('ready db'), `cron (no dependencies) starts at once, not after db: ${order.join(', ')}`);
    assert.equal(h.events.filter((e) => e.kind === 'dependency-timeout').length, 0);

    await h.supervisor.stop();
    const stops = events(log).filter((line) => line.startsWith('stop ') && line !== 'stop cron');
    assert.deepEqual(stops, ['stop web', 'stop app', 'stop db'], 'dependents stop first');
  } finally {
    await h.close();
    rmSync(logDir, { recursive: true, force: true });
  }
});

test('a dependency never ready: its dependent starts after startup.dependencyTimeout, with a dependency-timeout event', { timeout: 90_000 }, async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'homeostat-order-'));
  const log = join(logDir, 'order.log');
  const h = await Harness.start(`startup: { dependencyTimeout: 1s }\nservices:${service('app', log, 0, ['db'])}${service('db', log, -1)}\n`);
  try {
    const timeout = await h.waitFor('dependency-timeout', (e) => e.element === 'app', 30_000);
    assert.deepEqual(timeout.dependencies, ['db']);
    assert.ok(timeout.waitedMs >= 1_000, `waited ${timeout.waitedMs} ms`);
    await until(() => events(log).includes('start app'), 'app started anyway');
    assert.ok(events(log).indexOf('start db') < events(log).indexOf('start app'));
    const spawned = h.events.findIndex((e) => e.kind === 'process-spawned' && e.element === 'app');
    assert.ok(spawned > h.events.indexOf(timeout), 'app spawned only after the wait ran out');
  } finally {
    await h.close();
    rmSync(logDir, { recursive: true, force: true });
  }
});

test('a reload adding a service and its dependency starts them in order too', { timeout: 90_000 }, async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'homeostat-order-'));
  const log = join(logDir, 'order.log');
  const h = await Harness.start(`services:${service('cron', log, 0)}\n`);
  try {
    const next = parseConfig(`services:${service('cron', log, 0)}${service('app', log, 0, ['db'])}${service('db', log, 1_000)}\n`, { file: h.configPath }).config;
    const result = await h.supervisor.reload(next);
    assert.deepEqual(result.added.sort(), ['app', 'db']);
    await until(() => events(log).includes('start app') && events(log).includes('ready db'), 'app started and db ready');
    const order = events(log);
    assert.ok(order.indexOf('ready db') < order.indexOf('start app'), `app starts after db is ready: ${order.join(', ')}`);
  } finally {
    await h.close();
    rmSync(logDir, { recursive: true, force: true });
  }
});
