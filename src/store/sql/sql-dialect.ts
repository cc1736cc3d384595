/** A column of rows passed as parameters (see {@link SqlDialect.rowsFrom}). */
export interface SqlColumn {
  name: string;
  /** PostgreSQL needs the array's element type; SQLite reads JSON and ignores it. */
  type: 'text' | 'bigint';
}

/**
 * What differs between SQLite and PostgreSQL in the statements the stores share. Those
 * statements are written once with PostgreSQL's `$1, $2, …` placeholders, which SQLite
 * also reads (as named parameters); everything else that differs is asked of this object.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** The condition that `column` is one of the texts of list parameter `$n` (its value from {@link list}). */
  inList(column: string, n: number): string;
  /** The value to pass for a list parameter. */
  list(values: readonly string[]): unknown;
  /**
   * A FROM item over rows passed as parameters from `$n` on (their values from
   * {@link rowParams}), named `alias` with the columns' names and `n`, the row's position,
   * so an insert can keep the given order (`ORDER BY alias.n`).
   */
  rowsFrom(alias: string, n: number, columns: readonly SqlColumn[]): string;
  /** The parameters of {@link rowsFrom}: `rows` are tuples in the columns' order. */
  rowParams(columns: readonly SqlColumn[], rows: readonly (readonly unknown[])[]): unknown[];
  /** A LIMIT parameter that takes every row. */
  readonly noLimit: number | null;
  /**
   * The clause locking a row read in a transaction before it is changed (` FOR UPDATE`),
   * or against a concurrent change (` FOR SHARE`); empty in SQLite, whose transactions
   * hold the whole store's write lock.
   */
  readonly forUpdate: string;
  readonly forShare: string;
  /** Rows one taker claims that concurrent takers pass over (` FOR UPDATE SKIP LOCKED`; empty in SQLite). */
  readonly skipLocked: string;
  /**
   * A statement that serialises appends which read a table's tail first (audit chain,
   * config versions); undefined where transactions are serial already (SQLite).
   */
  lockTable(table: string): string | undefined;
  /**
   * True when every write takes the store-wide write lock, even one that changes nothing
   * (SQLite): pollers look with a read first and write only when there is something to take.
   */
  readonly singleWriter: boolean;
  /**
   * What orders rows of equal time in tables without a sequence column: SQLite's `rowid`
   * (insertion order); PostgreSQL has none, the primary key `id` orders them there.
   */
  readonly tieBreak: string;
}
