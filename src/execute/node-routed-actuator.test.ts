import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionConfig } from '../config/schema/policies.js';
import { NodeAgent } from '../controller/node-agent.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ActionTarget, Actuator } from './actuators.js';
import { nodeRoutedActuator } from './node-routed-actuator.js';

const RESTART: ActionConfig = { action: 'restart', scope: 'instance' };
const A = { name: 'node-a', incarnation: 'node-a:1' };
const B = { name: 'node-b', incarnation: 'node-b:1' };

/** An actuator that records what it was asked to do, as a node's supervisor would. */
function recording(node: string): Actuator & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async execute(action, target) {
      calls.push(`${action.action} ${target.instance ?? target.service}`);
      return { ok: true, detail: `${action.action} ${target.instance ?? target.service} on ${node}` };
    },
  };
}

function setup(now = () => Date.now()) {
  const store = SqliteStore.open(':memory:');
  const local = recording('node-a');
  const actuator = nodeRoutedActuator({ store, self: A, local, goneAfterMs: () => 5_000, actionTimeoutMs: () => 5_000, pollMs: 10, now });
  const target = (node: string, requestId = 'run-1:0'): ActionTarget => ({ incidentId: 'inc-1', service: 'web', instance: 'web#0', node, requestId });
  return { store, local, actuator, target };
}

const signal = new AbortController().signal;

test('an action for a node that is gone, or was never seen, is refused with the reason and runs nowhere', async () => {
  const { store, local, actuator, target } = setup();
  try {
    await store.heartbeatNode('node-b', B.incarnation, Date.now() - 12_000);
    const gone = await actuator.execute(RESTART, target('node-b'), signal);
    assert.deepEqual(gone, { ok: false, node: 'node-b', detail: 'node node-b is gone (last seen 12 s ago): restart web#0 refused' });
    const never = await actuator.execute(RESTART, target('node-c', 'run-2:0'), signal);
    assert.deepEqual(never, { ok: false, node: 'node-c', detail: 'node node-c is gone (never seen): restart web#0 refused' });
    assert.deepEqual(local.calls, [], "this node's web#0 of the same name is not touched");
    assert.equal(await store.getNodeAction('run-1:0'), undefined, 'no request is left for the node to find when it comes back');
  } finally {
    await store.close();
  }
});

test("another node's process: requested from its agent, which executes it with its own actuator; the leader gets its outcome", async () => {
  const { store, local, actuator, target } = setup();
  const onB = recording('node-b');
  const agent = new NodeAgent({ store, self: B, actuator: onB, goneAfterMs: () => 5_000, pollMs: 10 });
  try {
    await agent.start();
    const outcome = await actuator.execute(RESTART, target('node-b'), signal);
    assert.deepEqual(outcome, { ok: true, detail: 'restart web#0 on node-b', node: 'node-b' });
    assert.deepEqual(onB.calls, ['restart web#0']);
    assert.deepEqual(local.calls, []);
    assert.equal((await store.getNodeAction('run-1:0'))?.claimedBy, B.incarnation);
  } finally {
    await agent.stop();
    await store.close();
  }
});

test('a resumed run finds its request by id: a done one is not executed again; one claimed by a node run that died is uncertain, not repeated', async () => {
  const { store, local, actuator, target } = setup();
  try {
    await store.heartbeatNode('node-b', 'node-b:2', Date.now());
    // Executed by node-b for a leader that died before it recorded the step.
    await store.requestNodeAction({ id: 'run-1:0', node: 'node-b', incidentId: 'inc-1', action: JSON.stringify(RESTART), target: '{"service":"web","instance":"web#0"}', requestedAt: Date.now() }, Date.now());
    await store.claimNodeActions('node-b', 'node-b:2', 10, Date.now());
    await store.finishNodeAction('run-1:0', 'node-b:2', JSON.stringify({ ok: true, detail: 'restarted web#0' }), Date.now());
    assert.deepEqual(await actuator.execute(RESTART, target('node-b'), signal), { ok: true, detail: 'restarted web#0', node: 'node-b' });
    // Claimed by node-b's previous run (node-b:1), which died: node-b runs again as node-b:2.
    await store.requestNodeAction({ id: 'run-1:1', node: 'node-b', incidentId: 'inc-1', action: JSON.stringify(RESTART), target: '{"service":"web"}', requestedAt: Date.now(), claimedBy: 'node-b:1' }, Date.now());
    const lost = await actuator.execute(RESTART, target('node-b', 'run-1:1'), signal);
    assert.equal(lost.ok, false);
    assert.equal(lost.uncertain, true);
    assert.match(lost.detail, /^uncertain: node node-b took restart web#0 at \S+ and node node-b restarted since; outcome unknown, not repeated/);
    assert.deepEqual(local.calls, []);
    // This node's own `command`-like action (once), claimed by its previous run (node-a:0), which died while executing it: not repeated either.
    const once: ActionConfig = { action: 'failover' };
    await store.requestNodeAction({ id: 'run-1:2', node: 'node-a', incidentId: 'inc-1', action: JSON.stringify(once), target: '{"service":"web"}', requestedAt: Date.now(), claimedBy: 'node-a:0' }, Date.now());
    await store.heartbeatNode('node-a', A.incarnation, Date.now());
    assert.equal((await actuator.execute(once, target('node-a', 'run-1:2'), signal)).uncertain, true);
    assert.deepEqual(local.calls, []);
  } finally {
    await store.close();
  }
});

test("this node's own process: executed here at once, recorded as claimed and done, so a resumed run reads the outcome", async () => {
  const { store, local, actuator, target } = setup();
  try {
    await store.heartbeatNode('node-a', A.incarnation, Date.now());
    assert.deepEqual(await actuator.execute(RESTART, target('node-a'), signal), { ok: true, detail: 'restart web#0 on node-a', node: 'node-a' });
    assert.deepEqual(await actuator.execute(RESTART, target('node-a'), signal), { ok: true, detail: 'restart web#0 on node-a', node: 'node-a' });
    assert.deepEqual(local.calls, ['restart web#0'], 'executed once');
    assert.equal((await store.getNodeAction('run-1:0'))?.status, 'done');
    // Not an action on a process: the leader runs it, as with one `up`.
    await actuator.execute({ action: 'webhook', url: 'http://127.0.0.1:1/', timeout: 100, idempotent: false }, target('node-b', 'run-9:0'), signal);
    assert.deepEqual(local.calls, ['restart web#0', 'webhook web#0']);
  } finally {
    await store.close();
  }
});

test('an agent executes only actions on a process: a command written to the store is refused, not run', async () => {
  const store = SqliteStore.open(':memory:');
  const onB = recording('node-b');
  const agent = new NodeAgent({ store, self: B, actuator: onB, goneAfterMs: () => 5_000, pollMs: 10 });
  try {
    await agent.start();
    await store.requestNodeAction({ id: 'evil:0', node: 'node-b', incidentId: 'inc-1', action: JSON.stringify({ action: 'command', run: 'touch /tmp/pwned' }), target: '{"service":"web"}', requestedAt: Date.now() }, Date.now());
    const answered = await waitFor(async () => {
      const row = await store.getNodeAction('evil:0');
      return row?.status === 'done' ? row : undefined;
    });
    assert.match(answered.outcome!, /refused by node node-b: not an action on one of its processes/);
    assert.deepEqual(onB.calls, []);
  } finally {
    await agent.stop();
    await store.close();
  }
});

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("this node's own request, taken by an earlier run of this up that died before answering: a restart runs again here (the act step checked it had not taken effect)", async () => {
  const { store, local, actuator, target } = setup();
  try {
    // The previous `up` on node-a wrote and took the request, then died before it answered.
    await store.requestNodeAction({ id: 'run-1:0', node: 'node-a', incidentId: 'inc-1', action: JSON.stringify(RESTART), target: JSON.stringify({ service: 'web', instance: 'web#0' }), requestedAt: Date.now() - 1_000, claimedBy: 'node-a:0' }, Date.now() - 1_000);
    const outcome = await actuator.execute(RESTART, target('node-a'), signal);
    assert.deepEqual(outcome, { ok: true, detail: 'restart web#0 on node-a', node: 'node-a' });
    assert.deepEqual(local.calls, ['restart web#0'], 'restarted on this node, as a single up resumes an interrupted restart');
    // Another node's request claimed by an incarnation that is gone stays uncertain: this node cannot know what happened there.
    await store.heartbeatNode('node-b', B.incarnation, Date.now());
    await store.requestNodeAction({ id: 'run-2:0', node: 'node-b', incidentId: 'inc-1', action: JSON.stringify(RESTART), target: JSON.stringify({ service: 'web', instance: 'web#0' }), requestedAt: Date.now() - 1_000, claimedBy: 'node-b:0' }, Date.now() - 1_000);
    const remote = await actuator.execute(RESTART, target('node-b', 'run-2:0'), signal);
    assert.equal(remote.uncertain, true, JSON.stringify(remote));
    assert.deepEqual(local.calls, ['restart web#0']);
  } finally {
    await store.close();
  }
});
