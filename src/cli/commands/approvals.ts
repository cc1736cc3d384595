import { withBackend } from '../backend/open-backend.js';
import type { CommandContext } from '../command.js';
import { table } from '../output.js';

export const approvalsUsage = 'homeostat approvals [--all] [--json]';

/**
 * `homeostat approvals`: what waits for a person — remediation rungs and agents' high-risk
 * requests alike (an agent's shows `agent:<name>` where an incident's id would be) — with the
 * id `homeostat approve` takes. `--all` adds the decided ones, with who decided.
 */
export async function approvalsCommand(ctx: CommandContext): Promise<number> {
  const all = ctx.options.all === true;
  return withBackend(ctx, async (backend) => {
    const approvals = await backend.listApprovals(all);
    if (ctx.options.json) {
      ctx.out(JSON.stringify(approvals, null, 2));
      return 0;
    }
    if (approvals.length === 0) {
      ctx.out(all ? 'no approvals yet' : 'nothing waits for approval');
      return 0;
    }
    const now = Date.now();
    ctx.out(
      table(
        ['ID', 'STATUS', 'FOR', 'ACTION', 'EXPIRES/DECIDED'],
        approvals.map((a) => [a.id, a.status, a.incidentId, a.action, a.status === 'pending' ? `in ${Math.max(0, Math.round((a.expiresAt - now) / 1_000))} s` : `${a.decidedBy ?? '?'}${a.reason ? `: ${a.reason}` : ''}`]),
      ),
    );
    if (!all) ctx.out(`approve with: homeostat approve <ID> [--reason TEXT]  (or deny)`);
    return 0;
  });
}
