import type { SqlExecutor, SqlTransaction } from './sql/sql-executor.js';

/**
 * Statements a step asks to commit in the same transaction as its own checkpoint: a model
 * call's settlement (its tokens, cost and outcome) then becomes durable in the very commit
 * that records the call's answer as the step's result, one commit instead of two, and with
 * no moment at which one is durable and the other not.
 *
 * `executor` names the database the statements are for. A store shares its checkpoint's
 * transaction with them only when that is its own database; otherwise it commits them on
 * their own just before the checkpoint (the order a separate settle always had).
 */
export interface CheckpointWrites {
  executor: SqlExecutor;
  statements: () => SqlTransaction<unknown>;
}
