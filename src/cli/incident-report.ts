import type { IncidentExplanation } from '../knowledge/incidents.js';
import { formatDuration, formatTime, oneLine } from './output.js';

type Entry = IncidentExplanation['entries'][number];

const str = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));
const rung = (data: Record<string, unknown>) => (typeof data.rung === 'number' ? `step ${data.rung + 1}: ` : '');

/** One sentence per explanation entry, for a person reading it at 3 a.m. */
export function describeEntry(entry: Entry): string {
  const d = entry.data;
  switch (entry.kind) {
    case 'signal': {
      if (d.kind === 'process-exited') {
        const last = Array.isArray(d.lastLines) && d.lastLines.length ? ` — last line: "${oneLine(str(d.lastLines.at(-1)), 100)}"` : '';
        return `${str(d.instance)} exited (code ${str(d.code ?? d.signal)}, ${str(d.reason)}) after ${formatDuration(Number(d.uptimeMs ?? NaN))}${last}`;
      }
      if (d.kind === 'probe-changed') return `${str(d.probe)} probe of ${str(d.instance)} went ${str(d.from)} → ${str(d.to)}: ${str(d.message)}`;
      if (d.kind === 'metric-rule') return `metric rule ${str(d.rule)}: ${str(d.message)}`;
      return `${str(d.kind)} ${str(d.instance ?? d.element)} ${str(d.message)}`.trim();
    }
    case 'symptom':
      return str(d.description ?? d.name);
    case 'diagnosis': {
      const confidence = typeof d.confidence === 'number' ? ` (confidence ${Math.round(d.confidence * 100)}%)` : '';
      const candidates = Array.isArray(d.candidates) ? (d.candidates as { element?: unknown; kind?: unknown; version?: unknown; confidence?: unknown; evidence?: unknown; cause?: unknown }[]) : [];
      const name = (c: (typeof candidates)[number]) => (c.kind === 'config' ? `config v${str(c.version)} of ${str(c.element)}` : str(c.element ?? c.cause));
      const ranked = candidates
        .slice(0, 5)
        .map((c, i) => `\n      ${i + 1}. ${name(c)}${typeof c.confidence === 'number' ? ` ${Math.round(c.confidence * 100)}%` : ''}${Array.isArray(c.evidence) && c.evidence.length ? ` — ${oneLine(c.evidence.map(str).join('; '), 160)}` : ''}`)
        .join('');
      const classification = d.classification ? `; ${str(d.classification)}` : '';
      return `cause: ${str(d.cause)}${candidates[0] ? ` on ${name(candidates[0])}` : ''}${confidence}${classification}${candidates.length > 1 ? `; candidates:${ranked}` : ''}`;
    }
    case 'policy':
      if (d.matched === null) return str(d.reason);
      return `${str(d.reason)}; ladder: ${Array.isArray(d.ladder) ? d.ladder.join(' → ') : ''}${d.approval ? '; needs approval' : ''}${d.dryRun ? '; dry-run' : ''}`;
    case 'guard': {
      const results = Array.isArray(d.results) ? (d.results as { guard: string; ok: boolean; detail: string }[]) : [];
      const failed = results.filter((r) => !r.ok);
      const verdict = d.allowed ? (d.dryRun ? 'allowed (dry-run)' : 'allowed') : `DENIED by ${failed.map((r) => `${r.guard} (${r.detail})`).join(', ')}`;
      const passed = d.allowed ? ` — ${results.map((r) => `${r.guard}: ${r.detail}`).join('; ')}` : '';
      return `${rung(d)}${str(d.action)}: ${verdict}${passed}`;
    }
    case 'approval':
      return `${rung(d)}approval ${str(d.approval)} ${str(d.status)}${d.action ? ` for ${str(d.action)}` : ''}${d.by ? ` by ${str(d.by)}` : ''}${d.reason ? ` (${str(d.reason)})` : ''}${d.detail ? ` — ${str(d.detail)}` : ''}`;
    case 'evidence': {
      const lines = Array.isArray(d.lastLines) ? d.lastLines : [];
      const metrics = d.metrics && typeof d.metrics === 'object' ? Object.keys(d.metrics).length : 0;
      return `${rung(d)}snapshot before ${str(d.before)}: ${lines.length} log line(s)${lines.length ? ` (last: "${oneLine(str(lines.at(-1)), 80)}")` : ''}, ${metrics} metric(s)`;
    }
    case 'intent':
      return `${rung(d)}${str(d.action)}: started`;
    case 'action':
      return `${rung(d)}${str(d.action)}: ${d.dryRun ? 'NOT executed (dry-run)' : d.uncertain ? 'OUTCOME UNKNOWN' : d.ok ? 'done' : 'FAILED'} — ${str(d.detail)}`;
    case 'verification':
      // An unknown verdict (a PromQL check could not be answered) is not a failure of the action: said apart.
      return `${rung(d)}${str(d.action)}: ${d.ok ? 'verified' : d.verdict === 'unknown' ? 'verdict UNKNOWN' : 'NOT verified'} — ${str(d.detail)}`;
    case 'escalation':
      if (d.event === 'resolve') return `page resolved${d.ok ? '' : ' (NOT delivered to every webhook)'}: ${str(d.detail)}`;
      if (d.paged === false) return `not paged again: ${str(d.detail)}`;
      return `escalated${d.reason ? ` (${str(d.reason)})` : ''}: ${str(d.detail)}`;
    case 'dead-letter':
      return `webhook NOT delivered (${str(d.event)}, delivery ${str(d.deliveryId)}, ${str(d.attempts)} attempt(s)): ${str(d.lastError)}`;
    case 'note':
      // An operator's note says who wrote it; the loop's own notes carry a `detail`.
      if (typeof d.text === 'string') return `${d.by ? `${str(d.by)}: ` : ''}${d.text}`;
      return str(d.detail ?? JSON.stringify(d));
    case 'outcome':
      return `${str(d.outcome).toUpperCase()}${d.by ? ` by ${str(d.by)}` : ''}${d.detail ? ` — ${str(d.detail)}` : ''}`;
    default:
      return str(d.detail ?? d.text ?? JSON.stringify(d));
  }
}

/** How each resolution reads after "resolved": by the action, externally, closed by the operator. */
const RESOLUTION_TEXT: Record<NonNullable<IncidentExplanation['incident']['resolution']>, string> = {
  action: 'by',
  external: 'externally (no action of ours helped)',
  operator: 'by hand: closed by',
};

/** The whole incident: header, chain with times since it opened, and what to do next. */
export function incidentReport(explained: IncidentExplanation, now = Date.now()): string[] {
  const { incident, entries } = explained;
  const lines: string[] = [];
  const age = incident.resolvedAt ? `resolved after ${formatDuration(incident.resolvedAt - incident.openedAt)}` : `open for ${formatDuration(now - incident.openedAt)}`;
  lines.push(`incident ${incident.id} — ${incident.element} — ${incident.status.toUpperCase()}`);
  lines.push(`  ${incident.summary}`);
  lines.push(`  opened ${formatTime(incident.openedAt)}, ${age}`);
  if (incident.acknowledgedBy) lines.push(`  acknowledged by ${incident.acknowledgedBy}${incident.acknowledgedAt ? ` at ${formatTime(incident.acknowledgedAt)}` : ''}`);
  if (incident.resolution) lines.push(`  resolved ${RESOLUTION_TEXT[incident.resolution]}${incident.resolvedBy ? ` ${incident.resolvedBy}` : ''}`);
  lines.push('');
  lines.push('what happened (time since it opened):');
  let signals = 0;
  for (const entry of entries) {
    if (entry.kind === 'signal' && ++signals > 5) continue;
    const offset = `+${formatDuration(Math.max(0, entry.at - incident.openedAt))}`;
    lines.push(`  ${offset.padEnd(8)} ${entry.kind.padEnd(12)} ${describeEntry(entry)}`);
  }
  if (signals > 5) lines.push(`  (${signals - 5} more signal(s) not shown; --json shows everything)`);
  lines.push('');
  switch (incident.status) {
    case 'awaiting-approval':
      lines.push(`next: homeostat approve ${incident.id}   or   homeostat deny ${incident.id} --reason "…"`);
      lines.push(`      or homeostat incident close ${incident.id} --reason "…" (fixed by hand)`);
      break;
    case 'escalated':
      lines.push('next: a person is needed; homeostat keeps retrying the ladder slowly. `homeostat pause <service>` stops it.');
      lines.push(`      homeostat incident ack ${incident.id} says you are on it; homeostat incident close ${incident.id} --reason "…" once fixed.`);
      break;
    case 'resolved':
      break;
    default:
      lines.push('next: the loop is working on it.');
  }
  return lines;
}
