import type { SqlDialect } from '../sql/sql-dialect.js';

/**
 * SQLite's side of the shared statements: lists and row batches travel as JSON text
 * (read with `json_each`), and a transaction already holds the store's one write lock,
 * so there are no row locks to ask for.
 */
export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  inList: (column, n) => `${column} IN (SELECT value FROM json_each($${n}))`,
  list: (values) => JSON.stringify(values),
  rowsFrom: (alias, n, columns) =>
    `(SELECT ${columns.map((column, i) => `value ->> ${i} AS ${column.name}`).join(', ')}, key AS n FROM json_each($${n})) AS ${alias}`,
  rowParams: (_columns, rows) => [JSON.stringify(rows)],
  noLimit: -1,
  forUpdate: '',
  forShare: '',
  skipLocked: '',
  lockTable: () => undefined,
  singleWriter: true,
  tieBreak: 'rowid',
};

