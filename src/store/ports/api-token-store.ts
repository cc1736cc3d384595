import type { ApiTokenRecord } from '../records.js';

/** The HTTP API's bearer tokens (hashed; see `src/api/api-tokens.ts`). */
export interface ApiTokenStore {
  /** Store a new token; throws when the id exists. */
  createApiToken(token: ApiTokenRecord): Promise<void>;
  getApiToken(id: string): Promise<ApiTokenRecord | undefined>;
  /** Oldest first, revoked ones included. */
  listApiTokens(): Promise<ApiTokenRecord[]>;
  /** Revoke a token; false when it does not exist or was already revoked. */
  revokeApiToken(id: string, now: number): Promise<boolean>;
}
