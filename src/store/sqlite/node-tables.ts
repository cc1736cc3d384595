import type Database from 'better-sqlite3';
import { NODE_ACTION_COLUMNS, NODE_COLUMNS } from '../node-columns.js';
import type { NewNodeActionRecord, NewNodeSymptomRecord, NodeActionRecord, NodeRecord, NodeSymptomRecord } from '../records.js';

/**
 * The node tables (`nodes`, `node_symptoms`, `node_actions`, migration 0009_nodes) in
 * SQLite: what several `up` on one store share (see `NodeStore` in store.ts). SQLite's
 * write lock makes each take and claim atomic.
 */
export class SqliteNodeTables {
  constructor(private readonly db: Database.Database) {}

  heartbeatNode(node: string, incarnation: string, now: number): void {
    // A new incarnation (a restarted `up`) starts the node again; the same one only moves last-seen.
    this.db
      .prepare(
        `INSERT INTO nodes (name, incarnation, started_at, last_seen_at) VALUES (@node, @incarnation, @now, @now)
         ON CONFLICT (name) DO UPDATE SET
           started_at = CASE WHEN nodes.incarnation = @incarnation THEN nodes.started_at ELSE @now END,
           incarnation = @incarnation, last_seen_at = @now`,
      )
      .run({ node, incarnation, now });
  }

  getNode(name: string): NodeRecord | undefined {
    return this.db.prepare(`SELECT ${NODE_COLUMNS} FROM nodes WHERE name = ?`).get(name) as NodeRecord | undefined;
  }

  listNodes(): NodeRecord[] {
    return this.db.prepare(`SELECT ${NODE_COLUMNS} FROM nodes ORDER BY name`).all() as NodeRecord[];
  }

  appendNodeSymptoms(symptoms: NewNodeSymptomRecord[]): void {
    const insert = this.db.prepare('INSERT INTO node_symptoms (node, symptom, at) VALUES (@node, @symptom, @at)');
    this.db.transaction(() => {
      for (const symptom of symptoms) insert.run(symptom);
    }).immediate();
  }

  takeNodeSymptoms(limit: number): NodeSymptomRecord[] {
    // Polled often by the leader: take the write lock only when there is something to take.
    if (!this.db.prepare('SELECT 1 FROM node_symptoms LIMIT 1').get()) return [];
    return this.db.transaction(() => {
      const taken = this.db.prepare('SELECT id, node, symptom, at FROM node_symptoms ORDER BY id LIMIT ?').all(limit) as NodeSymptomRecord[];
      if (taken.length > 0) this.db.prepare('DELETE FROM node_symptoms WHERE id <= ?').run(taken.at(-1)!.id);
      return taken;
    }).immediate();
  }

  requestNodeAction(request: NewNodeActionRecord, now: number): { request: NodeActionRecord; created: boolean } {
    return this.db.transaction(() => {
      const claimed = request.claimedBy !== undefined;
      const info = this.db
        .prepare(
          `INSERT INTO node_actions (id, node, incident_id, action, target, status, requested_at, claimed_by, claimed_at)
           VALUES (@id, @node, @incidentId, @action, @target, @status, @requestedAt, @claimedBy, @claimedAt)
           ON CONFLICT (id) DO NOTHING`,
        )
        .run({ ...request, status: claimed ? 'claimed' : 'pending', claimedBy: request.claimedBy ?? null, claimedAt: claimed ? now : null });
      return { request: this.getNodeAction(request.id)!, created: info.changes === 1 };
    }).immediate();
  }

  getNodeAction(id: string): NodeActionRecord | undefined {
    return this.db.prepare(`SELECT ${NODE_ACTION_COLUMNS} FROM node_actions WHERE id = ?`).get(id) as NodeActionRecord | undefined;
  }

  claimNodeActions(node: string, incarnation: string, limit: number, now: number): NodeActionRecord[] {
    // Polled often by every node's agent: take the write lock only when there is something to claim.
    if (!this.db.prepare("SELECT 1 FROM node_actions WHERE node = ? AND status = 'pending' LIMIT 1").get(node)) return [];
    return this.db.transaction(() => {
      const ids = this.db.prepare("SELECT id FROM node_actions WHERE node = ? AND status = 'pending' ORDER BY requested_at, id LIMIT ?").pluck().all(node, limit) as string[];
      const claim = this.db.prepare("UPDATE node_actions SET status = 'claimed', claimed_by = ?, claimed_at = ? WHERE id = ? AND status = 'pending'");
      for (const id of ids) claim.run(incarnation, now, id);
      return ids.map((id) => this.getNodeAction(id)!);
    }).immediate();
  }

  finishNodeAction(id: string, incarnation: string, outcome: string, now: number): boolean {
    return this.db.prepare("UPDATE node_actions SET status = 'done', outcome = ?, finished_at = ? WHERE id = ? AND status = 'claimed' AND claimed_by = ?").run(outcome, now, id, incarnation).changes === 1;
  }

  refuseNodeAction(id: string, reason: string, now: number): boolean {
    return this.db.prepare("UPDATE node_actions SET status = 'refused', outcome = ?, finished_at = ? WHERE id = ? AND status = 'pending'").run(reason, now, id).changes === 1;
  }
}
