/**
 * Several `homeostat up` on one PostgreSQL store, each supervising its own real `web#0`:
 * the leader decides, the node that owns the process acts. A hang on the follower's web
 * is fixed by restarting that node's process only; the leader killed while its request
 * to the follower is pending: the follower executes it once, and as the new leader does
 * not run it again; a run started by a leader for its own process, resumed by another
 * leader after the first died, is refused with the reason (that node is gone), and the new
 * leader's own `web#0` (same name) is left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Knowledge } from '../../src/knowledge/knowledge.js';
import { decideApproval } from '../../src/execute/decide-approval.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { IncidentRecord } from '../../src/store/records.js';
import { Engine } from '../../src/workflow/engine.js';
import { freshSchema } from '../integration/helpers/postgres.js';
import { UpHarness } from './loop-harness.js';

/** One node's YAML: the same services and policy on every node, its own name. */
const nodeConfig = (store: string, node: string) => `
store: "${store}"
node: { name: ${node}, goneAfter: 6s }
api: { enabled: false }
# Each phase's fault is its own incident (re-opening the previous phase's would hide which run acted).
correlation: { reopenWithin: 0s }
services:
  web:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    # A hung process ignores SIGTERM: SIGKILL it soon, verification need not wait out 5 s.
    gracePeriod: 1s
    probes:
      # Readiness, not liveness: the supervisor restarts a process whose liveness fails on its
      # own, and then the loop's restart has nothing left to do. Here only the loop heals it.
      readiness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
policies:
  hang:
    match: { symptom: [readiness-failing] }
    ladder: [{ action: restart, scope: instance }]
    approval: { required: true, ttl: 10m, warnBefore: 0s }
    verify: { healthyFor: 500ms, timeout: 40s }
`;

interface WebState {
  pid: number | null;
  port: number | null;
  restarts: number;
  health: string;
}

test('two ups on PostgreSQL: the owning node restarts its own web#0; a killed leader does not act twice; a gone node is refused', { timeout: 300_000 }, async () => {
  const schema = freshSchema('hs_nodes');
  const store = await PostgresStore.open(schema.url, { poolSize: 2 });
  const engine = await Engine.open({ store, worker: false });
  const knowledge = new Knowledge(store);
  const a = new UpHarness(nodeConfig(schema.url, 'node-a'));
  const b = new UpHarness(nodeConfig(schema.url, 'node-b'));
  let a2: UpHarness | undefined;
  let bAgain: UpHarness | undefined;
  const waitFor = <T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 60_000) => b.waitFor(check, timeoutMs, what);
  const web = async (node: string): Promise<WebState | undefined> => {
    const row = (await store.listElementStates()).find((s) => s.owner === node && s.instance === 'web#0');
    if (!row) return undefined;
    const data = JSON.parse(row.data) as { pid: number | null; port: number | null; restarts: number };
    return { pid: data.pid, port: data.port, restarts: data.restarts, health: row.health };
  };
  const healthyWeb = (node: string) => waitFor(async () => ((await web(node))?.health === 'healthy' ? web(node) : undefined), `a healthy web#0 on ${node}`);
  const hang = async (node: string) => {
    const { port } = (await healthyWeb(node))!;
    await fetch(`http://127.0.0.1:${port}/fault/hang`, { method: 'POST' }).then((r) => r.arrayBuffer());
  };
  const isLeader = async (h: UpHarness) => ((await (await fetch(h.metricsUrl.replace('/metrics', '/healthz'))).json()) as { leader: boolean }).leader;
  const awaitingApproval = (after: Set<string>) =>
    waitFor(async () => (await store.listIncidents({ limit: 50 })).find((i) => !after.has(i.id) && i.status === 'awaiting-approval'), 'an incident awaiting approval');
  const approve = (incident: IncidentRecord) => decideApproval({ store, engine }, incident.id, 'approved', 'test', null);
  const entries = async (id: string) => (await knowledge.incidents.explain(id))!.entries;
  /** Restarts this `up` executed (`homeostat_actions_total` counts the actions executed in that process). */
  const restartsExecuted = async (h: UpHarness) =>
    (await h.metrics())
      .split('\n')
      .filter((line) => line.startsWith('homeostat_actions_total{') && line.includes('kind="restart"'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  try {
    await a.up();
    await waitFor(() => isLeader(a), 'node-a to lead');
    await b.up();
    const [a0, b0] = [(await healthyWeb('node-a'))!, (await healthyWeb('node-b'))!];
    assert.equal(await isLeader(b), false, 'node-b follows');
    assert.notEqual(a0.pid, b0.pid);
    const status = (await b.cli('status')).out;
    assert.match(status, /^node\s+element\s/m, status);
    assert.match(status, /^node-a\s+web#0\s/m, status);
    assert.match(status, /^node-b\s+web#0\s/m, status);
    const seen = new Set<string>();

    // 1. A hang on the FOLLOWER's web#0: its symptom reaches the leader through the store;
    //    node-b's agent restarts node-b's web#0; node-a's web#0 is not touched.
    await hang('node-b');
    const first = await awaitingApproval(seen);
    seen.add(first.id);
    const symptom = (await entries(first.id)).find((e) => e.kind === 'symptom')!;
    assert.equal((symptom.data.labels as Record<string, string>).node, 'node-b', 'the symptom names the node that saw it');
    await approve(first);
    const resolved = await waitFor(async () => ((await store.getIncident(first.id))?.status === 'resolved' ? store.getIncident(first.id) : undefined), 'the follower\'s incident resolved');
    assert.equal(resolved!.status, 'resolved');
    const action = (await entries(first.id)).find((e) => e.kind === 'action')!;
    assert.equal(action.data.node, 'node-b', JSON.stringify(action.data));
    assert.equal(action.data.ok, true, JSON.stringify(action.data));
    assert.equal(action.data.detail, 'restarted web#0', JSON.stringify(action.data));
    const [a1, b1] = [(await healthyWeb('node-a'))!, (await healthyWeb('node-b'))!];
    assert.equal(a1.pid, a0.pid, "node-a's web#0 (same name, other node) was not restarted");
    assert.equal(a1.restarts, a0.restarts);
    assert.notEqual(b1.pid, b0.pid, "node-b's web#0 was restarted");
    assert.equal(b1.restarts, b0.restarts + 1);
    assert.equal(await restartsExecuted(a), 0, 'the leader executed no restart itself');
    assert.equal(await restartsExecuted(b), 1, "node-b's agent executed the restart");

    // 2. The leader killed while its request to node-b is pending (node-b paused, so it cannot
    //    claim it yet): node-b executes the request once, and leading now, resumes the run
    //    without running the restart again.
    await hang('node-b');
    const second = await awaitingApproval(seen);
    seen.add(second.id);
    b.child!.kill('SIGSTOP');
    let resumedB = false;
    try {
      await approve(second);
      const request = await waitFor(async () => pendingRequestFor(store, second.id), 'the leader to request the restart from node-b', 20_000);
      assert.equal(request.node, 'node-b');
      await a.down('SIGKILL');
      b.child!.kill('SIGCONT');
      resumedB = true;
    } finally {
      if (!resumedB) b.child!.kill('SIGCONT');
    }
    await waitFor(() => isLeader(b), 'node-b to lead');
    await waitFor(async () => ((await store.getIncident(second.id))?.status === 'resolved' ? true : undefined), 'the incident resolved by the new leader');
    const done = (await store.getNodeAction(`${(await runOf(store, second.id))}:0`))!;
    assert.equal(done.status, 'done', JSON.stringify(done));
    const acted = (await entries(second.id)).filter((e) => e.kind === 'action');
    assert.equal(acted.length, 1, JSON.stringify(acted.map((e) => e.data)));
    assert.equal(acted[0]!.data.ok, true, JSON.stringify(acted[0]!.data));
    assert.equal(acted[0]!.data.detail, 'restarted web#0', 'the new leader read the outcome node-b wrote for the dead leader');
    assert.equal((JSON.parse(done.outcome!) as { detail: string }).detail, 'restarted web#0');
    assert.equal(done.claimedBy?.startsWith('node-b:'), true);
    const b2 = (await healthyWeb('node-b'))!;
    assert.equal(b2.restarts, b1.restarts + 1, 'restarted once, not twice');
    assert.equal(await restartsExecuted(b), 2, 'node-b executed the restart once, as agent, and not again as the new leader');
    assert.notEqual(b2.pid, b1.pid);

    // 3. The bug as reported: node-a leads again (node-b steps down and comes back as a
    //    follower); a hang on node-a's web#0; node-a's run waits for approval when node-a is
    //    killed. node-b leads and resumes that run: it refuses the restart (node-a is gone)
    //    and leaves its own web#0, of the same name, alone.
    a2 = new UpHarness(nodeConfig(schema.url, 'node-a'));
    await a2.up();
    await healthyWeb('node-a');
    await waitFor(async () => (await store.listIncidents({ unresolved: true, limit: 10 })).length === 0, 'no incident open');
    const b2State = (await web('node-b'))!;
    await b.down();
    await waitFor(() => isLeader(a2!), 'node-a to lead again');
    bAgain = new UpHarness(nodeConfig(schema.url, 'node-b'));
    await bAgain.up();
    await waitFor(async () => (await web('node-b'))?.pid !== b2State.pid && (await web('node-b'))?.health === 'healthy', "node-b's new web#0 healthy");
    await hang('node-a');
    const third = await awaitingApproval(seen);
    assert.equal(((await entries(third.id)).find((e) => e.kind === 'symptom')!.data.labels as Record<string, string>).node, 'node-a');
    const startedBy = (await runOf(store, third.id))!;
    const b3 = (await web('node-b'))!;
    await a2.down('SIGKILL');
    await waitFor(() => isLeader(bAgain!), 'node-b to lead');
    // Gone: its heartbeat older than node.goneAfter (6 s).
    await waitFor(async () => Date.now() - ((await store.getNode('node-a'))?.lastSeenAt ?? 0) > 7_000, 'node-a to be gone', 20_000);
    await approve(third);
    const refused = await waitFor(async () => (await entries(third.id)).find((e) => e.kind === 'action'), 'the action on node-a decided');
    assert.equal(refused.data.run, startedBy, 'the run node-a started, resumed by node-b');
    assert.equal(refused.data.ok, false, JSON.stringify(refused.data));
    assert.match(String(refused.data.detail), /^node node-a is gone \(last seen \d+ s ago\): restart web#0 refused$/);
    const shown = await bAgain.cli('incident', 'show', third.id);
    assert.match(shown.out, /node node-a is gone \(last seen \d+ s ago\): restart web#0 refused/, shown.out);
    const b4 = (await web('node-b'))!;
    assert.equal(b4.pid, b3.pid, "node-b's own web#0 was not restarted for node-a's incident");
    assert.equal(b4.restarts, b3.restarts);
    assert.equal(await restartsExecuted(bAgain), 0);
  } finally {
    await a2?.close();
    await bAgain?.close();
    await b.close();
    await a.close();
    await engine.close(0);
    await store.close();
    await schema.drop();
  }
});

/** The current remediation run of an incident, as its reference names it. */
async function runOf(store: PostgresStore, incidentId: string): Promise<string | undefined> {
  return (await store.getIncident(incidentId))?.remediation?.runId;
}

/** The node action request of an incident's run, while it is pending. */
async function pendingRequestFor(store: PostgresStore, incidentId: string) {
  const run = await runOf(store, incidentId);
  const request = run ? await store.getNodeAction(`${run}:0`) : undefined;
  return request?.status === 'pending' ? request : undefined;
}
