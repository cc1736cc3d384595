import type { SqlDialect } from '../sql/sql-dialect.js';

/**
 * PostgreSQL's side of the shared statements: lists and row batches travel as typed
 * arrays (`= ANY`, `unnest … WITH ORDINALITY`), and concurrent writers are ordered by
 * row locks (`FOR UPDATE`, `FOR SHARE`, `SKIP LOCKED`) and, for appends that read a
 * table's tail, a table lock.
 */
export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  inList: (column, n) => `${column} = ANY($${n}::text[])`,
  list: (values) => values,
  rowsFrom: (alias, n, columns) =>
    `unnest(${columns.map((column, i) => `$${n + i}::${column.type}[]`).join(', ')}) WITH ORDINALITY AS ${alias}(${columns.map((column) => column.name).join(', ')}, n)`,
  rowParams: (columns, rows) => columns.map((_column, i) => rows.map((row) => row[i])),
  noLimit: null,
  forUpdate: ' FOR UPDATE',
  forShare: ' FOR SHARE',
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  lockTable: (table) => `LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`,
  singleWriter: false,
  tieBreak: 'id',
};
