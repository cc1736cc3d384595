import { userInfo } from 'node:os';
import { API_ROLES } from '../../api/api-tokens.js';
import type { ApiRole } from '../../store/records.js';
import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { formatTime, table } from '../output.js';

export const tokenUsage = 'homeostat token create --role viewer|operator|admin|agent --name NAME | token list | token revoke <id>';

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
  if (!(sub === 'create' || sub === 'list' || (sub === 'revoke' && id))) throw new UsageError(`usage: ${tokenUsage}`);
  return withBackend(ctx, async (backend) => {
    if (sub === 'create') {
      const role = ctx.options.role;
      const name = ctx.options.name;
      if (typeof role !== 'string' || !API_ROLES.includes(role as ApiRole)) throw new UsageError(`--role must be one of ${API_ROLES.join(', ')}\nusage: ${tokenUsage}`);
      if (typeof name !== 'string' || name.trim() === '') throw new UsageError(`missing --name (who or what uses the token)\nusage: ${tokenUsage}`);
      const { token, record } = await backend.createToken(name, role as ApiRole, who());
      if (ctx.options.json) ctx.out(JSON.stringify({ token, id: record.id, name, role }));
      else {
        ctx.out(token);
        ctx.err(`token ${record.id} (${role}, "${name}") created: shown this once, only its hash is stored`);
      }
      return 0;
    }
    if (sub === 'list') {
      const all = await backend.listTokens();
      if (ctx.options.json) ctx.out(JSON.stringify(all, null, 2));
      else if (all.length === 0) ctx.out('no API tokens (homeostat token create --role viewer --name NAME)');
      else ctx.out(table(['id', 'name', 'role', 'created', 'by', 'revoked'], all.map((t) => [t.id, t.name, t.role, formatTime(t.createdAt), t.createdBy, t.revokedAt === null ? '-' : formatTime(t.revokedAt)])));
      return 0;
    }
    if (sub === 'revoke' && id) {
      if (!(await backend.revokeToken(id, who()))) {
        ctx.err(`no live token ${id} (homeostat token list)`);
        return 1;
      }
      ctx.out(`token ${id} revoked`);
      return 0;
    }
    throw new UsageError(`usage: ${tokenUsage}`);
  });
}
