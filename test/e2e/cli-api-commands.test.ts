import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ApiDiscovery } from '../../src/cli/api-discovery.js';
import { UpHarness } from './loop-harness.js';

const CONFIG = `services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
policies:
  api-crash:
    match: { symptom: [process-crashed], service: [api] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 300ms, timeout: 10s }
    approval: { required: true, ttl: 60s }
escalation: { retryEvery: 1h }
`;

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('while homeostat up runs the CLI goes through its API (audited as its local token); after it stops, through the store, with the same output', async () => {
  const h = new UpHarness(CONFIG);
  try {
    await h.up();
    await h.healthy('api');
    const found = JSON.parse(readFileSync(join(h.dir, 'state', 'api.json'), 'utf8')) as ApiDiscovery;
    const apiActor = `api:local-up-${found.pid}`;
    const lastAudit = async () => (await h.db().listAudit({ afterSeq: 0, limit: 10_000 })).at(-1)!;

    // Mutations are done by the server, as its token.
    const paused = await h.cli('pause', 'api', '--reason', 'deploying');
    assert.equal(paused.status, 0, paused.out);
    assert.match(paused.out, /remediation paused for api/);
    assert.deepEqual([(await lastAudit()).actor, (await lastAudit()).action], [apiActor, 'remediation.paused']);
    assert.deepEqual((await h.db().listPauses()).map((p) => [p.scope, p.by, p.reason]), [['api', apiActor, 'deploying']]);
    const resumed = await h.cli('resume', 'api');
    assert.equal(resumed.status, 0, resumed.out);
    assert.match(resumed.out, /remediation resumed for api$/);
    assert.deepEqual([(await lastAudit()).actor, (await lastAudit()).action], [apiActor, 'remediation.resumed']);

    // An approval-gated restart, approved through the API: the running controller acts on it.
    await h.fault('api#0', 'crash');
    const waiting = await h.waitForIncident((i) => i.status === 'awaiting-approval', 20_000, 'the incident awaiting approval');
    const listed = await h.cli('incidents');
    assert.match(listed.out, new RegExp(`${waiting.id}\\s+api\\s+awaiting-approval\\s+process-crashed`));
    const approved = await h.cli('approve', waiting.id, '--reason', 'go');
    assert.equal(approved.status, 0, approved.out);
    assert.match(approved.out, new RegExp(`approved restart api#0 \\(\\S+\\) for incident ${waiting.id} as ${apiActor}$`));
    await h.waitForIncident((i) => i.id === waiting.id && i.status === 'resolved', 20_000, 'the approved restart resolving the incident');
    const twice = await h.cli('approve', waiting.id);
    assert.equal(twice.status, 1);
    assert.match(twice.out, /HS_APPROVAL_(NOT_FOUND|DECIDED): .*\(HTTP (404|409) from http:\/\/127\.0\.0\.1:\d+\)/);

    const status = await h.cli('status');
    assert.equal(status.status, 0, status.out);
    assert.match(status.out, /^api#0\s+active\s+running\s+healthy\s+\d+\s/m);
    const verified = await h.cli('audit', 'verify');
    assert.match(verified.out, /audit log intact: \d+ entries/);
    const tokens = await h.cli('token', 'list');
    assert.match(tokens.out, new RegExp(`${found.tokenId}\\s+local-up-${found.pid}\\s+admin`));
    const created = await h.cli('token', 'create', '--role', 'viewer', '--name', 'grafana');
    assert.equal(created.status, 0, created.out);
    assert.deepEqual([(await lastAudit()).actor, (await lastAudit()).action], [apiActor, 'token.created']);
    const plan = await h.cli('config', 'plan');
    assert.equal(plan.status, 0, plan.out);
    assert.match(plan.out, /against applied v1 \((applied|good), .*\):\n {2}no changes/);

    // Reads through the API and straight from the store print the same.
    const [run] = await h.db().listRuns({ limit: 1 });
    const same = ['incidents --all --json', 'incident show ID --json', 'incident show ID', 'runs list --json', 'runs show RUN --json', 'runs show RUN', 'token list --json'];
    const snapshots = new Map<string, string>();
    for (const command of same) {
      const args = command.replace('ID', waiting.id).replace('RUN', run!.id).split(' ');
      const viaApi = await h.cli(...args);
      const viaStore = await h.cli(...args, '--local');
      assert.equal(viaApi.status, 0, viaApi.out);
      // `incident show` says how long ago things happened: at most a second apart.
      assert.equal(viaApi.out.replace(/open for \S+/, ''), viaStore.out.replace(/open for \S+/, ''), command);
      snapshots.set(command, viaApi.out);
    }
    assert.match(snapshots.get('runs show RUN')!, /act:0\s+completed/);

    // Once up has stopped, the same commands work on the store.
    await h.down();
    const pausedLocally = await h.cli('pause', 'api', '--reason', 'after');
    assert.equal(pausedLocally.status, 0, pausedLocally.out);
    assert.match((await lastAudit()).actor, /^operator:/);
    for (const command of same) {
      const args = command.replace('ID', waiting.id).replace('RUN', run!.id).split(' ');
      const fromStore = await h.cli(...args);
      assert.equal(fromStore.status, 0, fromStore.out);
      if (command !== 'token list --json') assert.equal(fromStore.out, snapshots.get(command), command);
    }
    assert.match((await h.cli('status')).out, /^api#0\s/m);
  } finally {
    await h.close();
  }
});

test('--api names a server: a dead one is a clear error, a bad token a clear 401, and no fallback to the store', async () => {
  const h = new UpHarness(CONFIG);
  try {
    const port = await deadPort();
    const dead = await h.cli('pause', 'api', '--api', `http://127.0.0.1:${port}`, '--token', 'hst_0000000000000000_x');
    assert.equal(dead.status, 1);
    assert.match(dead.out, new RegExp(`homeostat pause: HS_CLI_API_UNREACHABLE: nothing answers at http://127\\.0\\.0\\.1:${port} \\(connection refused\\): the pause was NOT done`));
    const deadRead = await h.cli('incidents', '--api', `http://127.0.0.1:${port}`, '--token', 'hst_0000000000000000_x');
    assert.equal(deadRead.status, 1);
    assert.match(deadRead.out, /HS_CLI_API_UNREACHABLE: nothing answers at/);

    await h.up();
    const found = JSON.parse(readFileSync(join(h.dir, 'state', 'api.json'), 'utf8')) as ApiDiscovery;
    const badToken = await h.cli('incidents', '--api', found.url, '--token', 'hst_0000000000000000_nonsense');
    assert.equal(badToken.status, 1);
    assert.match(badToken.out, new RegExp(`homeostat incidents: HS_API_UNAUTHORIZED: invalid or revoked bearer token \\(HTTP 401 from ${found.url}\\)`));

    // A viewer token through $HOMEOSTAT_TOKEN: reads work, a pause is refused with the server's 403.
    const viewer = (await h.cli('token', 'create', '--role', 'viewer', '--name', 'reader')).out.split('\n')[0]!;
    process.env.HOMEOSTAT_TOKEN = viewer;
    try {
      assert.equal((await h.cli('incidents', '--api', found.url)).status, 0);
      const refused = await h.cli('pause', '--api', found.url);
      assert.equal(refused.status, 1);
      assert.match(refused.out, /HS_API_FORBIDDEN: this needs the operator role; token "reader" is viewer \(HTTP 403/);
    } finally {
      delete process.env.HOMEOSTAT_TOKEN;
    }
    assert.deepEqual(await h.db().listPauses(), []);

    assert.equal((await h.cli('incidents', '--api', found.url)).status, 2, '--api without a token');
    assert.equal((await h.cli('incidents', '--api', found.url, '--local')).status, 2);
    assert.equal((await h.cli('pause', '--api', found.url, '--token', viewer, '--by', 'alice')).status, 2);
    assert.equal((await h.cli('incidents', '--token', viewer)).status, 2, '--token without --api');
  } finally {
    await h.close();
  }
});
