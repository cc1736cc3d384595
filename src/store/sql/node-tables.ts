import { NODE_ACTION_COLUMNS, NODE_COLUMNS } from '../node-columns.js';
import type { NewNodeActionRecord, NewNodeSymptomRecord, NodeActionRecord, NodeRecord, NodeSymptomRecord } from '../records.js';
import type { NodeStore } from '../ports/node-store.js';
import type { SqlColumn } from './sql-dialect.js';
import type { SqlExecutor } from './sql-executor.js';

const SYMPTOM_BATCH: readonly SqlColumn[] = [
  { name: 'node', type: 'text' },
  { name: 'symptom', type: 'text' },
  { name: 'at', type: 'bigint' },
];

/**
 * The node tables (`nodes`, `node_symptoms`, `node_actions`, migration 0009_nodes) on
 * either driver: what several `up` on one store share. A take or claim is one statement
 * over the rows it moves, locked so that two takers never get the same row (PostgreSQL's
 * `SKIP LOCKED`; SQLite's single writer).
 */
export class NodeTables implements NodeStore {
  constructor(private readonly sql: SqlExecutor) {}

  async heartbeatNode(node: string, incarnation: string, now: number): Promise<void> {
    // A new incarnation (a restarted `up`) starts the node again; the same one only moves last-seen.
    await this.sql.count(
      'heartbeating the node',
      `INSERT INTO nodes (name, incarnation, started_at, last_seen_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (name) DO UPDATE SET
         started_at = CASE WHEN nodes.incarnation = $2 THEN nodes.started_at ELSE $3 END,
         incarnation = $2, last_seen_at = $3`,
      [node, incarnation, now],
    );
  }

  async getNode(name: string): Promise<NodeRecord | undefined> {
    return (await this.sql.rows<NodeRecord>('reading a node', `SELECT ${NODE_COLUMNS} FROM nodes WHERE name = $1`, [name]))[0];
  }

  async listNodes(): Promise<NodeRecord[]> {
    return this.sql.rows<NodeRecord>('listing nodes', `SELECT ${NODE_COLUMNS} FROM nodes ORDER BY name`);
  }

  async appendNodeSymptoms(symptoms: NewNodeSymptomRecord[]): Promise<void> {
    if (symptoms.length === 0) return;
    const dialect = this.sql.dialect;
    await this.sql.count(
      'queueing node symptoms',
      `INSERT INTO node_symptoms (node, symptom, at) SELECT s.node, s.symptom, s.at FROM ${dialect.rowsFrom('s', 1, SYMPTOM_BATCH)} ORDER BY s.n`,
      dialect.rowParams(SYMPTOM_BATCH, symptoms.map((symptom) => [symptom.node, symptom.symptom, symptom.at])),
    );
  }

  async takeNodeSymptoms(limit: number): Promise<NodeSymptomRecord[]> {
    const dialect = this.sql.dialect;
    // Polled often by the leader: where any write locks the whole store, write only when there is something to take.
    if (dialect.singleWriter && (await this.sql.rows('looking for node symptoms', 'SELECT 1 FROM node_symptoms LIMIT 1')).length === 0) return [];
    const taken = await this.sql.rows<NodeSymptomRecord>(
      'taking node symptoms',
      `DELETE FROM node_symptoms WHERE id IN (SELECT id FROM node_symptoms ORDER BY id LIMIT $1${dialect.skipLocked})
       RETURNING id, node, symptom, at`,
      [limit],
    );
    return taken.sort((a, b) => a.id - b.id);
  }

  async requestNodeAction(request: NewNodeActionRecord, now: number): Promise<{ request: NodeActionRecord; created: boolean }> {
    const claimed = request.claimedBy !== undefined;
    const inserted = await this.sql.rows<NodeActionRecord>(
      'requesting a node action',
      `INSERT INTO node_actions (id, node, incident_id, action, target, status, requested_at, claimed_by, claimed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO NOTHING RETURNING ${NODE_ACTION_COLUMNS}`,
      [request.id, request.node, request.incidentId, request.action, request.target, claimed ? 'claimed' : 'pending', request.requestedAt, request.claimedBy ?? null, claimed ? now : null],
    );
    if (inserted[0]) return { request: inserted[0], created: true };
    return { request: (await this.getNodeAction(request.id))!, created: false };
  }

  async getNodeAction(id: string): Promise<NodeActionRecord | undefined> {
    return (await this.sql.rows<NodeActionRecord>('reading a node action', `SELECT ${NODE_ACTION_COLUMNS} FROM node_actions WHERE id = $1`, [id]))[0];
  }

  async claimNodeActions(node: string, incarnation: string, limit: number, now: number): Promise<NodeActionRecord[]> {
    const dialect = this.sql.dialect;
    const pending = `SELECT id FROM node_actions WHERE node = $1 AND status = 'pending'`;
    // Polled often by every node's agent: where any write locks the whole store, write only when there is something to claim.
    if (dialect.singleWriter && (await this.sql.rows('looking for node actions', `${pending} LIMIT 1`, [node])).length === 0) return [];
    const claimed = await this.sql.rows<NodeActionRecord>(
      'claiming node actions',
      `UPDATE node_actions SET status = 'claimed', claimed_by = $2, claimed_at = $4
       WHERE id IN (${pending} ORDER BY requested_at, id LIMIT $3${dialect.skipLocked})
       RETURNING ${NODE_ACTION_COLUMNS}`,
      [node, incarnation, limit, now],
    );
    return claimed.sort((a, b) => a.requestedAt - b.requestedAt || a.id.localeCompare(b.id));
  }

  async finishNodeAction(id: string, incarnation: string, outcome: string, now: number): Promise<boolean> {
    const changed = await this.sql.count(
      'finishing a node action',
      "UPDATE node_actions SET status = 'done', outcome = $1, finished_at = $2 WHERE id = $3 AND status = 'claimed' AND claimed_by = $4",
      [outcome, now, id, incarnation],
    );
    return changed === 1;
  }

  async refuseNodeAction(id: string, reason: string, now: number): Promise<boolean> {
    const changed = await this.sql.count('refusing a node action', "UPDATE node_actions SET status = 'refused', outcome = $1, finished_at = $2 WHERE id = $3 AND status = 'pending'", [reason, now, id]);
    return changed === 1;
  }
}
