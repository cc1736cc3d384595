import type { NewNodeActionRecord, NewNodeSymptomRecord, NodeActionRecord, NodeRecord, NodeSymptomRecord } from '../records.js';

/**
 * Several `homeostat up` on one store (see docs/architecture.md, "Several nodes"): each
 * node heartbeats its row; followers queue their symptoms for the leader's loop; the
 * leader writes actions on a node's processes as requests that node's agent claims,
 * executes and answers.
 */
export interface NodeStore {
  /** Record that `node` (this `incarnation` of it) is alive now, creating its row on first call. */
  heartbeatNode(node: string, incarnation: string, now: number): Promise<void>;
  /** Undefined when the node never heartbeat. */
  getNode(name: string): Promise<NodeRecord | undefined>;
  /** By name. */
  listNodes(): Promise<NodeRecord[]>;

  /** Queue symptoms for the leader's loop, in one transaction. */
  appendNodeSymptoms(symptoms: NewNodeSymptomRecord[]): Promise<void>;
  /** Take (remove and return) up to `limit` of the oldest queued symptoms; concurrent takers never get the same one. */
  takeNodeSymptoms(limit: number): Promise<NodeSymptomRecord[]>;

  /**
   * Write an action request, or return the existing one with that id unchanged
   * (`created: false`): a resumed run finds what its dead leader wrote.
   * With `claimedBy`, it is written already claimed (the leader's own node executes it).
   */
  requestNodeAction(request: NewNodeActionRecord, now: number): Promise<{ request: NodeActionRecord; created: boolean }>;
  getNodeAction(id: string): Promise<NodeActionRecord | undefined>;
  /** Claim up to `limit` pending requests for `node`, oldest first (pending → claimed by `incarnation`); each is claimed once. */
  claimNodeActions(node: string, incarnation: string, limit: number, now: number): Promise<NodeActionRecord[]>;
  /** Record the outcome of a request claimed by `incarnation` (→ done). False when it is not claimed by it. */
  finishNodeAction(id: string, incarnation: string, outcome: string, now: number): Promise<boolean>;
  /** Refuse a request nobody claimed yet (pending → refused, with the reason). False when it was claimed (or finished) meanwhile. */
  refuseNodeAction(id: string, reason: string, now: number): Promise<boolean>;
}
