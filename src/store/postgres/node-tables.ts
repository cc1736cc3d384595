import { NODE_ACTION_COLUMNS, NODE_COLUMNS } from '../node-columns.js';
import type { NewNodeActionRecord, NewNodeSymptomRecord, NodeActionRecord, NodeRecord, NodeSymptomRecord } from '../records.js';
import type { ConnectionPool } from './connection.js';

/**
 * The node tables (`nodes`, `node_symptoms`, `node_actions`, migration 0009_nodes) on
 * PostgreSQL: as `SqliteNodeTables`. Takes and claims lock the rows they move
 * (`FOR UPDATE SKIP LOCKED`), so two takers never get the same row.
 */
export class PostgresNodeTables {
  constructor(private readonly db: ConnectionPool) {}

  async heartbeatNode(node: string, incarnation: string, now: number): Promise<void> {
    await this.db.query(
      'heartbeating the node',
      `INSERT INTO nodes (name, incarnation, started_at, last_seen_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (name) DO UPDATE SET
         started_at = CASE WHEN nodes.incarnation = $2 THEN nodes.started_at ELSE $3 END,
         incarnation = $2, last_seen_at = $3`,
      [node, incarnation, now],
    );
  }

  async getNode(name: string): Promise<NodeRecord | undefined> {
    const { rows } = await this.db.query<NodeRecord>('reading a node', `SELECT ${NODE_COLUMNS} FROM nodes WHERE name = $1`, [name]);
    return rows[0];
  }

  async listNodes(): Promise<NodeRecord[]> {
    const { rows } = await this.db.query<NodeRecord>('listing nodes', `SELECT ${NODE_COLUMNS} FROM nodes ORDER BY name`);
    return rows;
  }

  async appendNodeSymptoms(symptoms: NewNodeSymptomRecord[]): Promise<void> {
    if (symptoms.length === 0) return;
    await this.db.query(
      'queueing node symptoms',
      `INSERT INTO node_symptoms (node, symptom, at)
       SELECT s.node, s.symptom, s.at FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS s(node, symptom, at, n) ORDER BY s.n`,
      [symptoms.map((s) => s.node), symptoms.map((s) => s.symptom), symptoms.map((s) => s.at)],
    );
  }

  async takeNodeSymptoms(limit: number): Promise<NodeSymptomRecord[]> {
    const { rows } = await this.db.query<NodeSymptomRecord>(
      'taking node symptoms',
      `DELETE FROM node_symptoms WHERE id IN (SELECT id FROM node_symptoms ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, node, symptom, at`,
      [limit],
    );
    return rows.sort((a, b) => a.id - b.id);
  }

  async requestNodeAction(request: NewNodeActionRecord, now: number): Promise<{ request: NodeActionRecord; created: boolean }> {
    const claimed = request.claimedBy !== undefined;
    const inserted = await this.db.query<NodeActionRecord>(
      'requesting a node action',
      `INSERT INTO node_actions (id, node, incident_id, action, target, status, requested_at, claimed_by, claimed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO NOTHING RETURNING ${NODE_ACTION_COLUMNS}`,
      [request.id, request.node, request.incidentId, request.action, request.target, claimed ? 'claimed' : 'pending', request.requestedAt, request.claimedBy ?? null, claimed ? now : null],
    );
    if (inserted.rows[0]) return { request: inserted.rows[0], created: true };
    return { request: (await this.getNodeAction(request.id))!, created: false };
  }

  async getNodeAction(id: string): Promise<NodeActionRecord | undefined> {
    const { rows } = await this.db.query<NodeActionRecord>('reading a node action', `SELECT ${NODE_ACTION_COLUMNS} FROM node_actions WHERE id = $1`, [id]);
    return rows[0];
  }

  async claimNodeActions(node: string, incarnation: string, limit: number, now: number): Promise<NodeActionRecord[]> {
    const { rows } = await this.db.query<NodeActionRecord>(
      'claiming node actions',
      `UPDATE node_actions SET status = 'claimed', claimed_by = $2, claimed_at = $4
       WHERE id IN (SELECT id FROM node_actions WHERE node = $1 AND status = 'pending' ORDER BY requested_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING ${NODE_ACTION_COLUMNS}`,
      [node, incarnation, limit, now],
    );
    return rows.sort((a, b) => a.requestedAt - b.requestedAt || a.id.localeCompare(b.id));
  }

  async finishNodeAction(id: string, incarnation: string, outcome: string, now: number): Promise<boolean> {
    const result = await this.db.query('finishing a node action', "UPDATE node_actions SET status = 'done', outcome = $1, finished_at = $2 WHERE id = $3 AND status = 'claimed' AND claimed_by = $4", [outcome, now, id, incarnation]);
    return result.rowCount === 1;
  }

  async refuseNodeAction(id: string, reason: string, now: number): Promise<boolean> {
    const result = await this.db.query('refusing a node action', "UPDATE node_actions SET status = 'refused', outcome = $1, finished_at = $2 WHERE id = $3 AND status = 'pending'", [reason, now, id]);
    return result.rowCount === 1;
  }
}
