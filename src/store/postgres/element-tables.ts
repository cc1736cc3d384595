import type { ElementEventFilter, ElementEventRecord, ElementStateRecord, NewElementEventRecord } from '../records.js';
import type { ConnectionPool } from './connection.js';

interface StateRow {
  owner: string;
  instance: string;
  element: string;
  state: string;
  health: string;
  data: string;
  updated_at: number;
}

/**
 * The supervisor's tables (`element_events`, `element_states`, migration
 * 0003_element_events) on PostgreSQL, kept apart from the run tables.
 */
export class PostgresElementTables {
  constructor(private readonly db: ConnectionPool) {}

  async appendEvents(events: NewElementEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    // One statement keeps the batch atomic and its ids in order.
    await this.db.query(
      'appending element events',
      `INSERT INTO element_events (at, element, kind, data)
       SELECT e.at, e.element, e.kind, e.data
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS e(at, element, kind, data, n)
       ORDER BY e.n`,
      [events.map((e) => e.at), events.map((e) => e.element), events.map((e) => e.kind), events.map((e) => e.data)],
    );
  }

  async listEvents(filter: ElementEventFilter = {}): Promise<ElementEventRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.element !== undefined) {
      params.push(filter.element);
      where.push(`element = $${params.length}`);
    }
    if (filter.kinds?.length) {
      params.push(filter.kinds);
      where.push(`kind = ANY($${params.length}::text[])`);
    }
    if (filter.sinceId !== undefined) {
      params.push(filter.sinceId);
      where.push(`id > $${params.length}`);
    }
    params.push(filter.limit ?? 100);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = `$${params.length}`;
    // Without sinceId the newest `limit` are wanted, still returned oldest first.
    const text =
      filter.sinceId !== undefined
        ? `SELECT id, at, element, kind, data FROM element_events ${clause} ORDER BY id LIMIT ${limit}`
        : `SELECT * FROM (SELECT id, at, element, kind, data FROM element_events ${clause} ORDER BY id DESC LIMIT ${limit}) latest ORDER BY id`;
    const { rows } = await this.db.query<ElementEventRecord>('listing element events', text, params);
    return rows;
  }

  async saveElementStates(owner: string, states: ElementStateRecord[]): Promise<void> {
    await this.db.transaction('saving element states', async (client) => {
      await client.query('DELETE FROM element_states WHERE owner = $1', [owner]);
      if (states.length === 0) return;
      await client.query(
        `INSERT INTO element_states (owner, instance, element, state, health, data, updated_at)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])`,
        [
          owner,
          states.map((s) => s.instance),
          states.map((s) => s.element),
          states.map((s) => s.state),
          states.map((s) => s.health),
          states.map((s) => s.data),
          states.map((s) => s.updatedAt),
        ],
      );
    });
  }

  async listElementStates(): Promise<ElementStateRecord[]> {
    const { rows } = await this.db.query<StateRow>('listing element states', 'SELECT * FROM element_states ORDER BY element, instance, owner');
    return rows.map((row) => ({
      owner: row.owner,
      instance: row.instance,
      element: row.element,
      state: row.state,
      health: row.health,
      data: row.data,
      updatedAt: row.updated_at,
    }));
  }
}
