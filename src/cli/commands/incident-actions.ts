import { UsageError } from '../cli-error.js';
import type { CliBackend } from '../backend/cli-backend.js';
import type { CommandContext } from '../command.js';
import { formatTime } from '../output.js';

export const incidentActionUsages = [
  'homeostat incident ack <id> [--by NAME]',
  'homeostat incident note <id> <text…> [--by NAME]',
  'homeostat incident close <id> --reason TEXT [--by NAME]',
];

/**
 * `homeostat incident ack|note|close <id>`: an operator takes an incident on, writes on it,
 * or closes it by hand. Through the running `up`'s API they are audited as its token
 * (`api:<name>`), on the store as `operator:<--by or the user>` — who `by` is.
 */
export async function incidentAction(ctx: CommandContext, backend: CliBackend, sub: 'ack' | 'note' | 'close', id: string, by: string): Promise<number> {
  switch (sub) {
    case 'ack': {
      const { incident, outcome } = await backend.acknowledgeIncident(id, by);
      const first = `acknowledged by ${incident.acknowledgedBy ?? by}${incident.acknowledgedAt ? ` at ${formatTime(incident.acknowledgedAt)}` : ''}`;
      ctx.out(outcome === 'recorded' ? `incident ${id} was already ${first}; yours is recorded too` : `incident ${id} ${first}${outcome === 'already' ? ' (already)' : ''}`);
      return 0;
    }
    case 'note': {
      const text = ctx.positionals.slice(2).join(' ');
      if (text.trim() === '') throw new UsageError(`missing the note's text\nusage: ${incidentActionUsages[1]}`);
      await backend.annotateIncident(id, text, by);
      ctx.out(`note added to incident ${id}`);
      return 0;
    }
    case 'close': {
      const reason = typeof ctx.options.reason === 'string' ? ctx.options.reason : '';
      if (reason.trim() === '') throw new UsageError(`closing an incident needs --reason TEXT (what was done, for whoever reads it later)\nusage: ${incidentActionUsages[2]}`);
      const closed = await backend.closeIncident(id, reason, by);
      ctx.out(`incident ${id} closed by ${closed.incident.resolvedBy ?? by}`);
      for (const run of closed.cancelledRuns) ctx.out(`  ${run.stopped ? 'cancelled' : 'cancel requested for'} remediation ${run.id}`);
      for (const approval of closed.deniedApprovals) ctx.out(`  denied pending approval ${approval}`);
      return 0;
    }
  }
}
