import { userInfo } from 'node:os';
import { API_ROLES, ApiTokens } from '../../api/api-tokens.js';
import { Knowledge } from '../../knowledge/knowledge.js';
import type { ApiRole } from '../../store/records.js';
import { openStore } from '../../store/open-store.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { findConfig, storeUrlFor } from '../config-location.js';
import { formatTime, table } from '../output.js';

export const tokenUsage = 'homeostat token create --role viewer|operator|admin --name NAME | token list | token revoke <id>';

function who(): string {
  try {
    return `operator:${userInfo().username}`;
  } catch {
    return 'operator:unknown';
  }
}

/**
 * `homeostat token create --role R --name N`: a bearer token for the HTTP API, printed once
 * (only its salted hash is stored); `token list`; `token revoke <id>`. Creating and revoking
 * are audited.
 */
export async function tokenCommand(ctx: CommandContext): Promise<number> {
  const [sub, id] = ctx.positionals;
  const store = await openStore(storeUrlFor(ctx, findConfig(ctx, false)));
  try {
    const tokens = new ApiTokens(store);
    const audit = new Knowledge(store).audit;
    if (sub === 'create') {
      const role = ctx.options.role;
      const name = ctx.options.name;
      if (typeof role !== 'string' || !API_ROLES.includes(role as ApiRole)) throw new UsageError(`--role must be one of ${API_ROLES.join(', ')}\nusage: ${tokenUsage}`);
      if (typeof name !== 'string' || name.trim() === '') throw new UsageError(`missing --name (who or what uses the token)\nusage: ${tokenUsage}`);
      const { token, record } = await tokens.create(name, role as ApiRole, who());
      await audit.append(who(), 'token.created', `token:${record.id}`, { name, role });
      if (ctx.options.json) ctx.out(JSON.stringify({ token, id: record.id, name, role }));
      else {
        ctx.out(token);
        ctx.err(`token ${record.id} (${role}, "${name}") created: shown this once, only its hash is stored`);
      }
      return 0;
    }
    if (sub === 'list') {
      const all = await tokens.list();
      if (ctx.options.json) ctx.out(JSON.stringify(all.map(({ salt: _s, hash: _h, ...view }) => view), null, 2));
      else if (all.length === 0) ctx.out('no API tokens (homeostat token create --role viewer --name NAME)');
      else ctx.out(table(['id', 'name', 'role', 'created', 'by', 'revoked'], all.map((t) => [t.id, t.name, t.role, formatTime(t.createdAt), t.createdBy, t.revokedAt === null ? '-' : formatTime(t.revokedAt)])));
      return 0;
    }
    if (sub === 'revoke' && id) {
      if (!(await tokens.revoke(id))) {
        ctx.err(`no live token ${id} (homeostat token list)`);
        return 1;
      }
      await audit.append(who(), 'token.revoked', `token:${id}`, {});
      ctx.out(`token ${id} revoked`);
      return 0;
    }
    throw new UsageError(`usage: ${tokenUsage}`);
  } finally {
    await store.close();
  }
}
