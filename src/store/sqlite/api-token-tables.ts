import type Database from 'better-sqlite3';
import { API_TOKEN_COLUMNS } from '../api-token-columns.js';
import type { ApiTokenRecord } from '../records.js';

/** The `api_tokens` table (migration 0005_api_tokens): the HTTP API's hashed bearer tokens. */
export class SqliteApiTokenTables {
  constructor(private readonly db: Database.Database) {}

  createApiToken(token: ApiTokenRecord): void {
    this.db
      .prepare(
        `INSERT INTO api_tokens (id, name, role, salt, hash, created_at, created_by, revoked_at)
         VALUES (@id, @name, @role, @salt, @hash, @createdAt, @createdBy, @revokedAt)`,
      )
      .run(token);
  }

  getApiToken(id: string): ApiTokenRecord | undefined {
    return this.db.prepare(`SELECT ${API_TOKEN_COLUMNS} FROM api_tokens WHERE id = ?`).get(id) as ApiTokenRecord | undefined;
  }

  listApiTokens(): ApiTokenRecord[] {
    return this.db.prepare(`SELECT ${API_TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id`).all() as ApiTokenRecord[];
  }

  revokeApiToken(id: string, now: number): boolean {
    return this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }
}
