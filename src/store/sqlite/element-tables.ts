import type Database from 'better-sqlite3';
import type { ElementEventFilter, ElementEventRecord, ElementStateRecord, NewElementEventRecord } from '../records.js';

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
 * 0003_element_events), kept apart from the run tables of {@link SqliteStore}.
 */
export class SqliteElementTables {
  private readonly insertEvent: Database.Statement;
  private readonly deleteStates: Database.Statement;
  private readonly insertState: Database.Statement;
  private readonly listStates: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insertEvent = db.prepare('INSERT INTO element_events (at, element, kind, data) VALUES (@at, @element, @kind, @data)');
    this.deleteStates = db.prepare('DELETE FROM element_states WHERE owner = ?');
    this.insertState = db.prepare(`
      INSERT INTO element_states (owner, instance, element, state, health, data, updated_at)
      VALUES (@owner, @instance, @element, @state, @health, @data, @updatedAt)`);
    this.listStates = db.prepare('SELECT * FROM element_states ORDER BY element, instance, owner');
  }

  appendEvents(events: NewElementEventRecord[]): void {
    if (events.length === 0) return;
    this.db.transaction(() => {
      for (const event of events) this.insertEvent.run(event);
    }).immediate();
  }

  listEvents(filter: ElementEventFilter = {}): ElementEventRecord[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 100 };
    if (filter.element !== undefined) {
      where.push('element = @element');
      params.element = filter.element;
    }
    if (filter.kinds?.length) {
      where.push('kind IN (SELECT value FROM json_each(@kinds))');
      params.kinds = JSON.stringify(filter.kinds);
    }
    if (filter.sinceId !== undefined) {
      where.push('id > @sinceId');
      params.sinceId = filter.sinceId;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // Without sinceId the newest `limit` are wanted, still returned oldest first.
    const sql =
      filter.sinceId !== undefined
        ? `SELECT id, at, element, kind, data FROM element_events ${clause} ORDER BY id LIMIT @limit`
        : `SELECT * FROM (SELECT id, at, element, kind, data FROM element_events ${clause} ORDER BY id DESC LIMIT @limit) ORDER BY id`;
    return this.db.prepare(sql).all(params) as ElementEventRecord[];
  }

  saveElementStates(owner: string, states: ElementStateRecord[]): void {
    this.db.transaction(() => {
      this.deleteStates.run(owner);
      for (const state of states) this.insertState.run({ ...state, owner });
    }).immediate();
  }

  listElementStates(): ElementStateRecord[] {
    return (this.listStates.all() as StateRow[]).map((row) => ({
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
