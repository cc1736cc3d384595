import type { ElementEventFilter, ElementEventRecord, ElementStateRecord, NewElementEventRecord } from '../records.js';
import type { ElementStore } from '../ports/element-store.js';
import type { SqlColumn } from './sql-dialect.js';
import { count, type SqlExecutor } from './sql-executor.js';

const EVENT_BATCH: readonly SqlColumn[] = [
  { name: 'at', type: 'bigint' },
  { name: 'element', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'data', type: 'text' },
];

const STATE_BATCH: readonly SqlColumn[] = [
  { name: 'instance', type: 'text' },
  { name: 'element', type: 'text' },
  { name: 'state', type: 'text' },
  { name: 'health', type: 'text' },
  { name: 'data', type: 'text' },
  { name: 'updated_at', type: 'bigint' },
];

const STATE_COLUMNS = 'owner, instance, element, state, health, data, updated_at AS "updatedAt"';

/** The supervisor's tables (`element_events`, `element_states`, migration 0003_element_events) on either driver. */
export class ElementTables implements ElementStore {
  constructor(private readonly sql: SqlExecutor) {}

  async appendEvents(events: NewElementEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    const dialect = this.sql.dialect;
    // One statement keeps the batch atomic and its ids in order.
    await this.sql.count(
      'appending element events',
      `INSERT INTO element_events (at, element, kind, data) SELECT e.at, e.element, e.kind, e.data FROM ${dialect.rowsFrom('e', 1, EVENT_BATCH)} ORDER BY e.n`,
      dialect.rowParams(EVENT_BATCH, events.map((event) => [event.at, event.element, event.kind, event.data])),
    );
  }

  async listEvents(filter: ElementEventFilter = {}): Promise<ElementEventRecord[]> {
    const dialect = this.sql.dialect;
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.element !== undefined) {
      params.push(filter.element);
      where.push(`element = $${params.length}`);
    }
    if (filter.kinds?.length) {
      params.push(dialect.list(filter.kinds));
      where.push(dialect.inList('kind', params.length));
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
    return this.sql.rows<ElementEventRecord>('listing element events', text, params);
  }

  async saveElementStates(owner: string, states: ElementStateRecord[]): Promise<void> {
    const dialect = this.sql.dialect;
    await this.sql.transaction('saving element states', function* () {
      yield* count('DELETE FROM element_states WHERE owner = $1', [owner]);
      if (states.length === 0) return;
      yield* count(
        `INSERT INTO element_states (owner, instance, element, state, health, data, updated_at)
         SELECT $1, s.instance, s.element, s.state, s.health, s.data, s.updated_at FROM ${dialect.rowsFrom('s', 2, STATE_BATCH)}`,
        [owner, ...dialect.rowParams(STATE_BATCH, states.map((state) => [state.instance, state.element, state.state, state.health, state.data, state.updatedAt]))],
      );
    });
  }

  async listElementStates(): Promise<ElementStateRecord[]> {
    return this.sql.rows<ElementStateRecord>('listing element states', `SELECT ${STATE_COLUMNS} FROM element_states ORDER BY element, instance, owner`);
  }
}
