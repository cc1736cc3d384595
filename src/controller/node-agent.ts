import { actionSchema } from '../config/schema/policies.js';
import type { ActionOutcome, ActionTarget, Actuator } from '../execute/actuators.js';
import { NODE_ACTIONS } from '../execute/node-routed-actuator.js';
import type { OtherNodes } from '../execute/node-routed-control.js';
import type { ElementStateRecord, NodeActionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { NodeIdentity } from './node-identity.js';

/** The slice of the Store an agent needs. */
export type NodeAgentStore = Pick<Store, 'heartbeatNode' | 'claimNodeActions' | 'finishNodeAction' | 'listNodes' | 'listElementStates'>;

export interface NodeAgentOptions {
  store: NodeAgentStore;
  self: NodeIdentity;
  /** This node's own actuator: its supervisor's processes. */
  actuator: Actuator;
  /** Another node whose heartbeat is older than this is gone (not in {@link NodeAgent.others}). */
  goneAfterMs: () => number;
  /** How often this node's row is heartbeat and the others' states read (default 1 s). */
  heartbeatMs?: number;
  /** How often requests for this node are looked for (default 100 ms). */
  pollMs?: number;
  /** Store failures (retried at the next tick). */
  onError?: (error: unknown, what: string) => void;
  /** Each request executed here, with its outcome. */
  onExecuted?: (request: NodeActionRecord, outcome: ActionOutcome) => void;
  now?: () => number;
}

/**
 * The agent every `up` runs beside its supervisor (the kubelet of the pattern): it
 * heartbeats this node's row, so the leader knows it is alive; it claims the action
 * requests the leader wrote for this node, executes them with this node's own supervisor
 * and writes each outcome; and it keeps the other live nodes' element states for the
 * cluster's view of health (see node-routed-control.ts).
 * Only actions on a process (restart, stop-start, scale, failover) are executed: a
 * request for anything else is answered as refused, so a row written to the store cannot
 * make a node run a command.
 *
 * @example
 * const agent = new NodeAgent({ store, self, actuator, goneAfterMs: () => 10_000 });
 * agent.start(); … await agent.stop();
 */
export class NodeAgent {
  /** The other live nodes, as of the last heartbeat. */
  others: OtherNodes = { states: new Map(), known: new Set() };
  private readonly options: NodeAgentOptions;
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private timers: NodeJS.Timeout[] = [];
  private beating = false;
  private polling = false;

  constructor(options: NodeAgentOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Heartbeat at once (the leader may ask about this node right away), then on a timer. */
  async start(): Promise<void> {
    await this.beat();
    this.timers = [setInterval(() => void this.beat(), this.options.heartbeatMs ?? 1_000), setInterval(() => void this.poll(), this.options.pollMs ?? 100)];
    for (const timer of this.timers) timer.unref();
  }

  /** Stop claiming; wait for the actions being executed to write their outcome. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.abort.abort();
    await Promise.allSettled([...this.running]);
  }

  /**
   * Wait until `node` has saved its element states at or after `at` (its own clock, as
   * the outcome it wrote), then read the others' states again: verification right after
   * an action on that node must not read its states from before the action (a stale
   * "healthy" followed by the restart's "starting" reads as a relapse). At most `timeoutMs`.
   */
  async syncedWith(node: string, at: number, timeoutMs = 3_000): Promise<void> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const states = (await this.options.store.listElementStates()).filter((state) => state.owner === node);
      if (states.some((state) => state.updatedAt >= at) || this.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.beat(true);
  }

  private async beat(force = false): Promise<void> {
    // A forced read waits for a heartbeat under way rather than skipping.
    while (force && this.beating) await new Promise((resolve) => setTimeout(resolve, 20));
    if (this.beating) return;
    this.beating = true;
    const { store, self } = this.options;
    try {
      await store.heartbeatNode(self.name, self.incarnation, this.now());
      const known = (await store.listNodes()).filter((n) => n.name !== self.name);
      const live = new Set(known.filter((n) => this.now() - n.lastSeenAt <= this.options.goneAfterMs()).map((n) => n.name));
      const states = new Map<string, ElementStateRecord[]>();
      if (live.size > 0) {
        for (const state of await store.listElementStates()) if (live.has(state.owner)) states.set(state.owner, [...(states.get(state.owner) ?? []), state]);
      }
      this.others = { states, known: new Set(known.map((n) => n.name)) };
    } catch (error) {
      this.options.onError?.(error, 'heartbeating this node');
    } finally {
      this.beating = false;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.abort.signal.aborted) return;
    this.polling = true;
    const { store, self } = this.options;
    try {
      for (const request of await store.claimNodeActions(self.name, self.incarnation, 10, this.now())) {
        const done = this.execute(request).finally(() => this.running.delete(done));
        this.running.add(done);
      }
    } catch (error) {
      this.options.onError?.(error, 'claiming action requests');
    } finally {
      this.polling = false;
    }
  }

  private async execute(request: NodeActionRecord): Promise<void> {
    const { store, self } = this.options;
    let outcome: ActionOutcome;
    try {
      const parsed = actionSchema.safeParse(JSON.parse(request.action));
      const target = parseTarget(request.target, request.incidentId);
      if (!parsed.success || !NODE_ACTIONS.has(parsed.data.action)) outcome = { ok: false, detail: `refused by node ${self.name}: not an action on one of its processes (${request.action.slice(0, 100)})` };
      else if (!target) outcome = { ok: false, detail: `refused by node ${self.name}: the request names no service` };
      else outcome = await this.options.actuator.execute(parsed.data, target, this.abort.signal);
    } catch (error) {
      outcome = { ok: false, detail: `executing the request failed on node ${self.name}: ${(error as Error).message}` };
    }
    // The leader waits for this answer: a store blip must not lose it (else it ends uncertain).
    for (let attempt = 1; ; attempt++) {
      try {
        await store.finishNodeAction(request.id, self.incarnation, JSON.stringify(outcome), this.now());
        this.options.onExecuted?.(request, outcome);
        return;
      } catch (error) {
        this.options.onError?.(error, `writing the outcome of ${request.id}`);
        if (attempt >= OUTCOME_WRITES) return;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }
}

/** How often an outcome's write is tried before the leader is left to find it uncertain. */
const OUTCOME_WRITES = 5;

/** The target a request names, on this node's supervisor; undefined when it names no service. */
function parseTarget(text: string, incidentId: string): ActionTarget | undefined {
  const raw = JSON.parse(text) as Record<string, unknown>;
  if (typeof raw.service !== 'string' || raw.service === '') return undefined;
  return {
    incidentId,
    service: raw.service,
    ...(typeof raw.instance === 'string' ? { instance: raw.instance } : {}),
    ...(typeof raw.since === 'number' ? { since: raw.since } : {}),
    ...(typeof raw.ownRestartAt === 'number' ? { ownRestartAt: raw.ownRestartAt } : {}),
  };
}
