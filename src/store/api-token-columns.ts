/** Columns of `api_tokens` read into {@link ApiTokenRecord}'s shape (SQLite and PostgreSQL). */
export const API_TOKEN_COLUMNS = 'id, name, role, salt, hash, created_at AS "createdAt", created_by AS "createdBy", revoked_at AS "revokedAt"';
