import { API_TOKEN_COLUMNS } from '../api-token-columns.js';
import type { ApiTokenRecord } from '../records.js';
import type { ApiTokenStore } from '../ports/api-token-store.js';
import type { SqlExecutor } from './sql-executor.js';

/** The `api_tokens` table (migration 0005_api_tokens) on either driver: the HTTP API's hashed bearer tokens. */
export class ApiTokenTables implements ApiTokenStore {
  constructor(private readonly sql: SqlExecutor) {}

  async createApiToken(token: ApiTokenRecord): Promise<void> {
    await this.sql.count(
      'creating an API token',
      `INSERT INTO api_tokens (id, name, role, salt, hash, created_at, created_by, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [token.id, token.name, token.role, token.salt, token.hash, token.createdAt, token.createdBy, token.revokedAt],
    );
  }

  async getApiToken(id: string): Promise<ApiTokenRecord | undefined> {
    return (await this.sql.rows<ApiTokenRecord>('reading an API token', `SELECT ${API_TOKEN_COLUMNS} FROM api_tokens WHERE id = $1`, [id]))[0];
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return this.sql.rows<ApiTokenRecord>('listing API tokens', `SELECT ${API_TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id`);
  }

  async revokeApiToken(id: string, now: number): Promise<boolean> {
    return (await this.sql.count('revoking an API token', 'UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id])) > 0;
  }
}
