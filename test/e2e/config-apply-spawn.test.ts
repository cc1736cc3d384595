import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { EXAMPLES, UpHarness } from './loop-harness.js';

/** One supervised service; `extra` goes into its `env:` block, `command` replaces node. */
const config = (options: { env?: string; command?: string; cwd?: string } = {}) => `
services:
  api:
    command: ${options.command ?? '$NODE'}
    args: [api.js, --port, "{{port}}"]
    cwd: ${options.cwd ?? '$EXAMPLES'}
    env:
      GREETING: "v1"${options.env ?? ''}
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
`;

const fill = (yaml: string) => `stateDir: state\n${yaml.replaceAll('$EXAMPLES', EXAMPLES).replaceAll('$NODE', process.execPath)}`;

/** What these tests read of the API's answers. */
interface Answer {
  status: number;
  json: { error?: { code: string; message: string }; version?: { version: number } };
}

/** `up` with its API, an admin token named `e2e-admin`, and a way to call it. */
async function upWithApi(h: UpHarness): Promise<(method: string, path: string, body?: unknown) => Promise<Answer>> {
  await h.up();
  const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
  const created = await h.cli('token', 'create', '--role', 'admin', '--name', 'e2e-admin');
  assert.equal(created.status, 0, created.out);
  const token = created.out.split('\n')[0]!;
  return async (method, path, body) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Answer['json'] };
  };
}

/** The running replica's pid and command line, from the states `up` saves and /proc. */
async function running(h: UpHarness, instance: string): Promise<{ pid: number; cmdline: string }> {
  return h.waitFor(
    async () => {
      const state = (await h.db().listElementStates()).find((s) => s.instance === instance && s.health === 'healthy');
      const pid = state ? (JSON.parse(state.data) as { pid: number | null }).pid : null;
      if (!pid) return undefined;
      try {
        return { pid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') };
      } catch {
        return undefined; // exited between the state and the read
      }
    },
    20_000,
    `a healthy ${instance}`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a config whose process cannot be spawned is refused with 400 naming the field; the running process is not touched and no version is recorded', async () => {
  const h = new UpHarness(config());
  try {
    const call = await upWithApi(h);
    const before = await running(h, 'api#0');
    const versions = h.knowledge().configVersions;
    assert.deepEqual((await versions.list()).map((v) => v.version), [1]);

    // A 200 KB environment value: over Linux's 128 KiB limit for one string (spawn E2BIG).
    const big = config({ env: `\n      BIG: "${'x'.repeat(200_000)}"` });
    for (const route of ['/api/config/plan', '/api/config/apply']) {
      const refused = await call('POST', route, { yaml: fill(big) });
      assert.equal(refused.status, 400, `${route}: ${JSON.stringify(refused.json).slice(0, 500)}`);
      assert.equal(refused.json.error!.code, 'HS_CONFIG_NOT_SPAWNABLE');
      assert.match(refused.json.error!.message, /the posted config:10:\d+: services\.api\.env\.BIG: api#0: environment variable BIG is 200,005 bytes with its NUL, over Linux's limit of 131,072/);
    }
    // A missing cwd and a command that is not executable: every problem listed, each at its line.
    const notExecutable = join(h.dir, 'not-executable.sh');
    writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n');
    chmodSync(notExecutable, 0o644);
    const both = await call('POST', '/api/config/apply', { yaml: fill(config({ command: notExecutable, cwd: join(h.dir, 'gone') })) });
    assert.equal(both.status, 400);
    assert.match(both.json.error!.message, /\(2 problems\)/);
    assert.match(both.json.error!.message, /the posted config:5:\d+: services\.api\.command: api#0: command ".*not-executable\.sh": .*is not executable \(mode 0644\)/);
    assert.match(both.json.error!.message, /the posted config:7:\d+: services\.api\.cwd: api#0: cwd .*\/gone does not exist/);

    // `homeostat config plan -c new.yaml` says the same, through the API of this `up` or from the store.
    const newFile = join(h.dir, 'new.yaml');
    writeFileSync(newFile, fill(big));
    for (const extra of [[], ['--local']]) {
      const lines: string[] = [];
      const status = await main(['config', 'plan', '-c', newFile, ...extra], (line) => lines.push(line), (line) => lines.push(line));
      assert.equal(status, 1, lines.join('\n'));
      assert.match(lines.join('\n'), /HS_CONFIG_NOT_SPAWNABLE: .*\n.*:10:\d+: services\.api\.env\.BIG: api#0: environment variable BIG is 200,005 bytes/);
      assert.doesNotMatch(lines.join('\n'), /valid/);
    }

    // The same through the watched file, with its path and line; and a file over the size limit.
    writeFileSync(h.configPath, fill(big));
    await h.waitForLine(/config change not applied: .*cannot be started as configured .*homeostat\.yaml:10:\d+: services\.api\.env\.BIG: .*MAX_ARG_STRLEN/);
    writeFileSync(h.configPath, fill(config({ env: `\n      HUGE: "${'y'.repeat(2_000_000)}"` })));
    await h.waitForLine(/config change not applied: .*homeostat\.yaml: the config is 2,000,\d{3} bytes, over the limit of 1,048,576/);

    // Nothing was stopped, nothing recorded: the same process serves, v1 is the only version.
    assert.ok(alive(before.pid), 'the old process must still run');
    const after = await running(h, 'api#0');
    assert.equal(after.pid, before.pid);
    assert.deepEqual((await versions.list()).map((v) => [v.version, v.status === 'failed' ? 'failed' : 'in force']), [[1, 'in force']]);
    assert.equal((await call('GET', '/api/config')).json.version!.version, 1);
  } finally {
    await h.close();
  }
});

test('a spawn that fails anyway at apply time puts the previous spec back: the version is marked failed, audited with who applied it, and an incident says why', async () => {
  const h = new UpHarness(config());
  try {
    const call = await upWithApi(h);
    const before = await running(h, 'api#0');
    assert.match(before.cmdline, /api\.js/);
    // Executable, so the check passes; its interpreter does not exist, so execve fails (ENOENT).
    const broken = join(h.dir, 'broken-interpreter.sh');
    writeFileSync(broken, '#!/nonexistent/interpreter\n');
    chmodSync(broken, 0o755);
    const from = h.lines.length;

    const failed = await call('POST', '/api/config/apply', { yaml: fill(config({ command: broken })) });
    assert.equal(failed.status, 422, JSON.stringify(failed.json));
    assert.equal(failed.json.error!.code, 'HS_CONFIG_APPLY_FAILED');
    assert.match(failed.json.error!.message, /config v2 was not applied and is marked failed; v1 stays in force: .*api#0: spawn .*broken-interpreter\.sh ENOENT; the previous spec was put back and started \(api\)/);

    // The previous spec runs again (a new process, node api.js), healthy.
    const after = await running(h, 'api#0');
    assert.notEqual(after.pid, before.pid);
    assert.match(after.cmdline, new RegExp(`^${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} api\\.js --port \\d+`));
    await h.waitForLine(/config v2 NOT applied \(api:e2e-admin\)/, 5_000, from);

    // The version is failed, not applied; v1 is the one in force.
    const versions = await h.knowledge().configVersions.list();
    assert.deepEqual(versions.map((v) => [v.version, v.status]), [[1, versions[0]!.status], [2, 'failed']]);
    assert.notEqual(versions[0]!.status, 'failed');
    assert.equal((await call('GET', '/api/config')).json.version!.version, 1);

    // The audit says who applied it and why it failed.
    const audit = (await h.db().listAudit({ afterSeq: 0, limit: 1_000 })).map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));
    const entry = audit.find((e) => e.action === 'config.apply-failed');
    assert.ok(entry, audit.map((e) => `${e.actor} ${e.action}`).join(', '));
    assert.equal(entry.actor, 'api:e2e-admin');
    assert.equal(entry.subject, 'config:v2');
    assert.match(String(entry.data.reason), /broken-interpreter\.sh ENOENT/);
    assert.equal((await h.cli('audit', 'verify')).status, 0);

    // An incident says why, on the service it concerned.
    const incident = await h.waitForIncident((i) => i.symptom === 'config-apply-failed', 15_000, 'a config-apply-failed incident');
    assert.equal(incident.element, 'api');
    assert.match(incident.summary, /config-apply-failed on api: config v2 \(api:e2e-admin\) could not be applied; v1 stays in force: .*ENOENT/);
    // The failed trial start is not a spawn-failed incident of its own.
    assert.equal((await h.incidents()).filter((i) => i.symptom === 'spawn-failed').length, 0);
  } finally {
    await h.close();
  }
});
