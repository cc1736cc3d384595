import type { ActionConfig } from '../config/schema/policies.js';
import type { NodeActionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { resumeRule } from './action-intent.js';
import type { ActionOutcome, ActionTarget, Actuator } from './actuators.js';

/**
 * Actions on a node's own processes (its supervisor's replicas): executed by the agent of
 * the node that supervises them. The others (command, webhook, workflow, rollback,
 * escalate) run on the leader, as with one `up`.
 */
export const NODE_ACTIONS = new Set<ActionConfig['action']>(['restart', 'stop-start', 'scale', 'failover']);

/** The slice of the Store the routing needs. */
export type NodeActionStore = Pick<Store, 'getNode' | 'requestNodeAction' | 'getNodeAction' | 'refuseNodeAction' | 'finishNodeAction'>;

export interface NodeRoutingOptions {
  store: NodeActionStore;
  /** This node's name and incarnation. */
  self: { name: string; incarnation: string };
  /** This node's own actuator (its supervisor), for its own processes and for actions not on a process. */
  local: Actuator;
  /** A node whose heartbeat is older than this is gone (read at each action: config reloads apply). */
  goneAfterMs: () => number;
  /** How long to wait for another node's agent to answer. */
  actionTimeoutMs: () => number;
  /** After another node answered: wait until its saved states are from after the action (`at`, its clock), so verification reads them fresh. */
  syncedWith?: (node: string, at: number) => Promise<void>;
  /** How often a pending request is looked at (default 100 ms). */
  pollMs?: number;
  now?: () => number;
}

/**
 * The leader's actuator when several `up` share the store (the kubelet pattern: the leader
 * decides, the owning node acts). An action on a process of node X is written as a request
 * (`node_actions`, id `<run>:<rung>`) that X's agent claims, executes with its own
 * supervisor and answers; this waits for the answer. The request is written before
 * anything runs, and a resumed run (a new leader after a failover) finds it by its id and
 * reads or waits for its outcome: it is never executed twice. Actions on this node's own
 * processes are written already claimed and executed here at once, for the same reason.
 * A node that is gone (heartbeat older than `goneAfter`, or never seen) gets no action:
 * it is refused with the reason, never run on another node's process of the same name.
 *
 * @example
 * const actuator = nodeRoutedActuator({ store, self, local, goneAfterMs: () => 10_000, actionTimeoutMs: () => 30_000 });
 * await actuator.execute({ action: 'restart', scope: 'instance' }, { incidentId, service: 'web', instance: 'web#0', node: 'node-b', requestId: 'remediate:web:i1:0:0' }, signal);
 * // { ok: false, detail: 'node node-b is gone (last seen 12 s ago): restart web#0 refused' } when node-b stopped heartbeating
 */
export function nodeRoutedActuator(options: NodeRoutingOptions): Actuator {
  const { store, self, local } = options;
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 100;

  /** Whether `node` is alive, and how long ago it was last seen, in words. */
  const liveness = async (node: string): Promise<{ alive: boolean; incarnation?: string; seen: string }> => {
    const row = await store.getNode(node);
    if (!row) return { alive: false, seen: 'never seen' };
    const ago = Math.max(0, now() - row.lastSeenAt);
    return { alive: ago <= options.goneAfterMs(), incarnation: row.incarnation, seen: `last seen ${Math.round(ago / 1_000)} s ago` };
  };

  /** Read or wait for the outcome of a request, whoever wrote it (this leader, or a dead one). */
  const answerOf = async (request: NodeActionRecord, label: string, signal: AbortSignal): Promise<ActionOutcome> => {
    const node = request.node;
    const deadline = Math.max(request.requestedAt + options.actionTimeoutMs(), now() + 2 * pollMs);
    for (let row: NodeActionRecord | undefined = request; ; row = await store.getNodeAction(request.id)) {
      if (!row) return { ok: false, node, detail: `the request to ${label} on node ${node} disappeared from the store: outcome unknown` };
      if (row.status === 'done') {
        if (node !== self.name) await options.syncedWith?.(node, row.finishedAt ?? row.requestedAt).catch(() => undefined);
        return { ...parseOutcome(row.outcome), node };
      }
      if (row.status === 'refused') return { ok: false, node, ...parseRefusal(row.outcome) };
      const live = await liveness(node);
      if (row.status === 'pending') {
        const why = !live.alive ? `node ${node} is gone (${live.seen}): ${label} refused` : now() >= deadline ? `node ${node} did not take ${label} within ${options.actionTimeoutMs()} ms: refused` : undefined;
        if (why) {
          if (await store.refuseNodeAction(row.id, JSON.stringify({ detail: why }), now())) return { ok: false, node, detail: why };
          continue; // claimed meanwhile: wait for its answer
        }
      } else {
        // Claimed: by a run of the node that is gone, or restarted since, the answer will never come.
        const claimedAt = new Date(row.claimedAt ?? row.requestedAt).toISOString();
        const lost = !live.alive ? `node ${node} is gone (${live.seen})` : live.incarnation !== row.claimedBy ? `node ${node} restarted since` : now() >= deadline ? `node ${node} has not answered after ${options.actionTimeoutMs()} ms` : undefined;
        if (lost) return { ok: false, uncertain: true, node, detail: `uncertain: node ${node} took ${label} at ${claimedAt} and ${lost}; outcome unknown, not repeated: verification decides` };
      }
      await sleep(pollMs, signal);
    }
  };

  const runLocally = async (action: ActionConfig, target: ActionTarget, signal: AbortSignal): Promise<ActionOutcome> => {
    try {
      return await local.execute(action, target, signal);
    } catch (error) {
      return { ok: false, detail: `${action.action} threw: ${(error as Error).message}` };
    }
  };

  return {
    async execute(action, target, signal) {
      if (!NODE_ACTIONS.has(action.action)) return local.execute(action, target, signal);
      const node = target.node ?? self.name;
      const { requestId } = target;
      // What the node's own actuator gets: the target on its own supervisor.
      const plain: ActionTarget = { incidentId: target.incidentId, service: target.service, ...(target.instance !== undefined ? { instance: target.instance } : {}), ...(target.since !== undefined ? { since: target.since } : {}), ...(target.ownRestartAt !== undefined ? { ownRestartAt: target.ownRestartAt } : {}) };
      const label = `${action.action} ${'scope' in action && action.scope === 'instance' && target.instance ? target.instance : target.service}`;
      // No stable id (a rollout batch): only this node's processes can be meant.
      if (!requestId) return node === self.name ? { ...(await local.execute(action, plain, signal)), node } : { ok: false, node, detail: `${label} on node ${node} refused: the action has no request id to run it once` };
      const existing = await store.getNodeAction(requestId);
      if (existing && existing.node === self.name && existing.status === 'claimed' && existing.claimedBy !== self.incarnation && resumeRule(action) !== 'once') {
        // This node's own request, taken by an earlier run of this `up` that died before it
        // answered. The act step has already applied the action's resume rule
        // (action-intent.ts): a restart found not to have taken effect, an absolute scale, is
        // safe to run again here, on this node's own processes — as with a single `up`.
        const outcome = await runLocally(action, plain, signal);
        return { ...outcome, node: self.name };
      }
      if (existing) return answerOf(existing, label, signal);
      const request = { id: requestId, node, incidentId: target.incidentId, action: JSON.stringify(action), target: JSON.stringify(plain), requestedAt: now() };
      if (node === self.name) {
        const written = await store.requestNodeAction({ ...request, claimedBy: self.incarnation }, now());
        if (!written.created) return answerOf(written.request, label, signal);
        const outcome = await runLocally(action, plain, signal);
        await store.finishNodeAction(requestId, self.incarnation, JSON.stringify(outcome), now());
        return { ...outcome, node };
      }
      const live = await liveness(node);
      if (!live.alive) return { ok: false, node, detail: `node ${node} is gone (${live.seen}): ${label} refused` };
      const written = await store.requestNodeAction(request, now());
      return answerOf(written.request, label, signal);
    },
  };
}

function parseOutcome(text: string | null): ActionOutcome {
  try {
    const parsed = JSON.parse(text ?? '') as Partial<ActionOutcome>;
    return { ...parsed, ok: parsed.ok === true, detail: String(parsed.detail ?? '') };
  } catch {
    return { ok: false, detail: 'the node answered an outcome that cannot be read' };
  }
}

function parseRefusal(text: string | null): { detail: string } {
  try {
    return { detail: String((JSON.parse(text ?? '') as { detail?: unknown }).detail ?? 'refused') };
  } catch {
    return { detail: 'refused' };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
