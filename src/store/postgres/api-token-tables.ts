import { API_TOKEN_COLUMNS } from '../api-token-columns.js';
import type { ApiTokenRecord } from '../records.js';
import type { ConnectionPool } from './connection.js';

/** The `api_tokens` table (migration 0005_api_tokens) on PostgreSQL: as `SqliteApiTokenTables`. */
export class PostgresApiTokenTables {
  constructor(private readonly db: ConnectionPool) {}

  async createApiToken(token: ApiTokenRecord): Promise<void> {
    await this.db.query(
      'creating an API token',
      `INSERT INTO api_tokens (id, name, role, salt, hash, created_at, created_by, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [token.id, token.name, token.role, token.salt, token.hash, token.createdAt, token.createdBy, token.revokedAt],
    );
  }

  async getApiToken(id: string): Promise<ApiTokenRecord | undefined> {
    const { rows } = await this.db.query<ApiTokenRecord>('reading an API token', `SELECT ${API_TOKEN_COLUMNS} FROM api_tokens WHERE id = $1`, [id]);
    return rows[0];
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    const { rows } = await this.db.query<ApiTokenRecord>('listing API tokens', `SELECT ${API_TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id`);
    return rows;
  }

  async revokeApiToken(id: string, now: number): Promise<boolean> {
    const result = await this.db.query('revoking an API token', 'UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id]);
    return (result.rowCount ?? 0) > 0;
  }
}
