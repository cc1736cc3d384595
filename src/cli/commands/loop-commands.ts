import { userInfo } from 'node:os';
import { HomeostatError } from '../../errors/homeostat-error.js';
import type { IncidentStatus } from '../../store/records.js';
import { withBackend } from '../backend/open-backend.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { incidentReport } from '../incident-report.js';
import { incidentAction, incidentActionUsages } from './incident-actions.js';
import { formatDuration, formatTime, oneLine, table } from '../output.js';
import { parseHead } from '../../knowledge/audit-head.js';

export const incidentsUsage = 'homeostat incidents [--status open|resolved|…] [--all] [--limit N] [--json]';
export const incidentUsage = ['homeostat incident show <id> [--json]', ...incidentActionUsages].join('\n       ');
export const approveUsage = 'homeostat approve <incident-or-approval-id> [--by NAME] [--reason TEXT]';
export const denyUsage = 'homeostat deny <incident-or-approval-id> [--by NAME] [--reason TEXT]';
export const pauseUsage = 'homeostat pause [service] [--reason TEXT] [--by NAME]';
export const resumeUsage = 'homeostat resume [service] [--by NAME]';
export const auditUsage = 'homeostat audit verify [--expect SEQ:HASH] [--json]';

/** Something a loop command was asked about does not exist, or is already decided. */
export class LoopCommandError extends HomeostatError {
  constructor(code: 'HS_INCIDENT_NOT_FOUND' | 'HS_APPROVAL_NOT_FOUND' | 'HS_APPROVAL_DECIDED', message: string) {
    super(code, message, { retryable: false });
  }
}

const actor = (ctx: CommandContext) => `operator:${typeof ctx.options.by === 'string' ? ctx.options.by : safeUser()}`;
function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `homeostat incidents`: unresolved incidents (all with `--all`), newest first. */
export async function incidentsCommand(ctx: CommandContext): Promise<number> {
  const limit = ctx.options.limit === undefined ? 50 : Number(ctx.options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got ${String(ctx.options.limit)}`);
  const status = typeof ctx.options.status === 'string' ? (ctx.options.status.split(',') as IncidentStatus[]) : undefined;
  return withBackend(ctx, async (backend) => {
    const incidents = await backend.listIncidents({ limit, ...(status ? { status } : {}), all: ctx.options.all === true });
    if (ctx.options.json) {
      ctx.out(JSON.stringify(incidents, null, 2));
      return 0;
    }
    if (incidents.length === 0) {
      ctx.out(status || ctx.options.all ? 'no incidents' : 'no unresolved incidents (--all shows resolved ones too)');
      return 0;
    }
    const now = Date.now();
    ctx.out(
      table(
        ['id', 'service', 'status', 'symptom', 'opened', 'for', 'acknowledged', 'summary'],
        incidents.map((i) => [i.id, i.element, i.status, i.symptom, formatTime(i.openedAt), formatDuration((i.resolvedAt ?? now) - i.openedAt), i.acknowledgedBy ?? '-', oneLine(i.summary, 70)]),
      ),
    );
    return 0;
  });
}

/** `homeostat incident show <id>`: the explanation chain in sentences; `ack`, `note`, `close`: see incident-actions. */
export async function incidentCommand(ctx: CommandContext): Promise<number> {
  const [sub, id] = ctx.positionals;
  if (!id || (sub !== 'show' && sub !== 'ack' && sub !== 'note' && sub !== 'close')) throw new UsageError(`usage: ${incidentUsage}`);
  if (sub !== 'show') return withBackend(ctx, (backend) => incidentAction(ctx, backend, sub, id, actor(ctx)));
  return withBackend(ctx, async (backend) => {
    const details = await backend.incident(id);
    if (!details) throw new LoopCommandError('HS_INCIDENT_NOT_FOUND', `no incident ${id} (homeostat incidents --all lists them)`);
    if (ctx.options.json) {
      ctx.out(JSON.stringify(details, null, 2));
      return 0;
    }
    for (const line of incidentReport(details)) ctx.out(line);
    return 0;
  });
}

async function decide(ctx: CommandContext, decision: 'approved' | 'denied'): Promise<number> {
  const id = ctx.positionals[0];
  if (!id) throw new UsageError(`missing the incident or approval id\nusage: ${decision === 'approved' ? approveUsage : denyUsage}`);
  const reason = typeof ctx.options.reason === 'string' ? ctx.options.reason : null;
  return withBackend(ctx, async (backend) => {
    const approval = await backend.decideApproval(id, decision, reason, actor(ctx));
    ctx.out(`${decision} ${approval.action} (${approval.id}) for incident ${approval.incidentId} as ${approval.decidedBy ?? actor(ctx)}`);
    return 0;
  });
}

export const approveCommand = (ctx: CommandContext) => decide(ctx, 'approved');
export const denyCommand = (ctx: CommandContext) => decide(ctx, 'denied');

/** `homeostat pause [service]`: no remediation actions (globally, or for one service) until resumed. */
export async function pauseCommand(ctx: CommandContext): Promise<number> {
  const scope = ctx.positionals[0] ?? '*';
  const reason = typeof ctx.options.reason === 'string' ? ctx.options.reason : 'paused from the command line';
  return withBackend(ctx, async (backend) => {
    await backend.pause(scope, reason, actor(ctx));
    ctx.out(`remediation paused ${scope === '*' ? 'everywhere' : `for ${scope}`}: incidents still open and are recorded, no action runs (homeostat resume${scope === '*' ? '' : ` ${scope}`})`);
    return 0;
  });
}

export async function resumeCommand(ctx: CommandContext): Promise<number> {
  const scope = ctx.positionals[0] ?? '*';
  return withBackend(ctx, async (backend) => {
    const still = (await backend.resume(scope, actor(ctx))).map((p) => p.scope);
    ctx.out(`remediation resumed ${scope === '*' ? 'globally' : `for ${scope}`}${still.length ? `; still paused: ${still.join(', ')}` : ''}`);
    return 0;
  });
}

/**
 * `homeostat audit verify [--expect SEQ:HASH]`: recompute the hash chain, and check it
 * against the head file in the state dir and a head recorded earlier (`--expect`, as a
 * previous verify printed it); names the first bad entry and each anchor that does not
 * match (exit 1). Prints the current head to record elsewhere.
 */
export async function auditCommand(ctx: CommandContext): Promise<number> {
  if (ctx.positionals[0] !== 'verify') throw new UsageError(`usage: ${auditUsage}`);
  const expect = typeof ctx.options.expect === 'string' ? parseHead(ctx.options.expect) : undefined;
  return withBackend(ctx, async (backend) => {
    const result = await backend.verifyAudit(expect);
    if (ctx.options.json) {
      ctx.out(JSON.stringify(result, null, 2));
      return result.ok ? 0 : 1;
    }
    const anchors = result.anchors ?? [];
    for (const anchor of anchors) ctx.out(`${anchor.ok ? 'anchor' : 'anchor FAILED'} (${anchor.source === 'expected' ? '--expect' : 'head file'}): ${anchor.finding}: ${anchor.detail}`);
    const bad = result.firstBad;
    if (bad) {
      ctx.out(`audit log TAMPERED: entry ${bad.seq} (${formatTime(bad.entry.at)} ${bad.entry.actor} ${bad.entry.action} ${bad.entry.subject}): ${bad.reason}`);
      ctx.out(`${result.checked} entries before it check out`);
    } else if (!result.ok) {
      ctx.out(`audit log TAMPERED: the ${result.checked} entries link up, but not to the heads kept outside the database (above)`);
    } else {
      ctx.out(`audit log intact: ${result.checked} entries, every hash and link checks out${anchors.length > 0 ? ', and so do the anchors' : ''}`);
    }
    if (result.head) ctx.out(`head: ${result.head} (keep it elsewhere; later: homeostat audit verify --expect ${result.head})`);
    return result.ok ? 0 : 1;
  });
}
