import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HomeostatError } from '../errors/homeostat-error.js';
import type { ApiRole, ApiTokenRecord } from '../store/records.js';
import type { ApiTokenStore } from '../store/store.js';

export const API_ROLES: readonly ApiRole[] = ['viewer', 'operator', 'admin', 'agent'];

/** The roles that include each other, least first. */
const ROLE_CHAIN: readonly ApiRole[] = ['viewer', 'operator', 'admin'];

/**
 * True when `role` may do what `needed` may (admin ⊇ operator ⊇ viewer). `agent` is
 * outside the chain both ways: an agent token may only speak the agent protocol, and no
 * person's token may act as an agent (docs/agents.md, who may do what).
 */
export function roleAllows(role: ApiRole, needed: ApiRole): boolean {
  if (role === 'agent' || needed === 'agent') return role === needed;
  return ROLE_CHAIN.indexOf(role) >= ROLE_CHAIN.indexOf(needed);
}

/** A token as the caller may see it: never the salt or hash. */
export type ApiTokenView = Omit<ApiTokenRecord, 'salt' | 'hash'>;

export function tokenView(record: ApiTokenRecord): ApiTokenView {
  const { salt: _salt, hash: _hash, ...view } = record;
  return view;
}

const TOKEN = /^hst_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function hashSecret(salt: string, secret: string): string {
  return createHash('sha256').update(`${salt}:${secret}`).digest('hex');
}

/**
 * The HTTP API's bearer tokens: `hst_<id>_<secret>`. Only a salted SHA-256 of the secret
 * is stored (the secret has 256 random bits, so a slow hash would add nothing); the token
 * is shown once, when created.
 *
 * @example
 * const { token } = await tokens.create('ci', 'operator', 'cli:alice'); // print it once
 * (await tokens.authenticate(`Bearer ${token}`))?.role // 'operator'
 * @example
 * await tokens.authenticate('Bearer hst_0000000000000000_wrong…') // undefined
 */
export class ApiTokens {
  constructor(
    private readonly store: ApiTokenStore,
    private readonly now: () => number = Date.now,
  ) {}

  async create(name: string, role: ApiRole, createdBy: string): Promise<{ token: string; record: ApiTokenRecord }> {
    if (!API_ROLES.includes(role)) throw new HomeostatError('HS_API_INVALID_REQUEST', `role must be one of ${API_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
    if (name.trim() === '' || name.length > 100) throw new HomeostatError('HS_API_INVALID_REQUEST', 'a token needs a name of 1 to 100 characters');
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16).toString('hex');
    const record: ApiTokenRecord = { id, name, role, salt, hash: hashSecret(salt, secret), createdAt: this.now(), createdBy, revokedAt: null };
    await this.store.createApiToken(record);
    return { token: `hst_${id}_${secret}`, record };
  }

  /**
   * The live token a presented `Authorization` value names, if its secret matches. Only
   * the `Bearer` scheme counts: a bare token is refused, so a token pasted into some
   * other header scheme or a log line is never taken as a credential by accident.
   */
  async authenticate(presented: string): Promise<ApiTokenRecord | undefined> {
    const bearer = /^Bearer +(\S+)\s*$/i.exec(presented);
    if (!bearer) return undefined;
    const match = TOKEN.exec(bearer[1]!);
    if (!match) return undefined;
    const record = await this.store.getApiToken(match[1]!);
    if (!record || record.revokedAt !== null) return undefined;
    const expected = Buffer.from(record.hash, 'hex');
    const actual = Buffer.from(hashSecret(record.salt, match[2]!), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? record : undefined;
  }

  /** Whether token `id` still exists and is not revoked (long-lived requests re-check it). */
  async isLive(id: string): Promise<boolean> {
    const record = await this.store.getApiToken(id);
    return record !== undefined && record.revokedAt === null;
  }

  list(): Promise<ApiTokenRecord[]> {
    return this.store.listApiTokens();
  }

  revoke(id: string): Promise<boolean> {
    return this.store.revokeApiToken(id, this.now());
  }
}
