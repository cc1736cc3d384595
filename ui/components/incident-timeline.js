// An incident's explanation chain as a timeline: one sentence per entry, the detail an
// operator needs under it (guard verdicts, diagnosis candidates, log lines), and the raw
// entry one click away.
import { h } from '../dom.js';
import { duration, oneLine } from '../format.js';
import { relTime } from './relative-time.js';

const str = (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const rung = (d) => (typeof d.rung === 'number' ? `step ${d.rung + 1}: ` : '');

const KIND_LABELS = {
  signal: 'signal',
  symptom: 'symptom',
  diagnosis: 'diagnosis',
  policy: 'policy',
  guard: 'guardrails',
  approval: 'approval',
  evidence: 'evidence',
  intent: 'started',
  action: 'action',
  verification: 'verification',
  escalation: 'escalation',
  'dead-letter': 'webhook not delivered',
  outcome: 'resolution',
  note: 'note',
};

/** One sentence for an entry, as `homeostat incident show` words it. */
export function describeEntry(entry) {
  const d = entry.data ?? {};
  switch (entry.kind) {
    case 'signal':
      if (d.kind === 'process-exited') return `${str(d.instance)} exited (${d.signal ? `signal ${d.signal}` : `code ${str(d.code)}`}, ${str(d.reason)}) after ${duration(Number(d.uptimeMs))}`;
      if (d.kind === 'probe-changed') return `${str(d.probe)} probe of ${str(d.instance)} went ${str(d.from)} → ${str(d.to)}${d.message ? `: ${str(d.message)}` : ''}`;
      if (d.kind === 'metric-rule') return `metric rule ${str(d.rule)}: ${str(d.message)}`;
      return `${str(d.kind)} ${str(d.instance ?? d.element)} ${str(d.message)}`.trim();
    case 'symptom':
      return str(d.description ?? d.name);
    case 'diagnosis':
      return `cause: ${str(d.cause)}${typeof d.confidence === 'number' ? ` (confidence ${Math.round(d.confidence * 100)}%)` : ''}`;
    case 'policy':
      if (d.matched === null) return str(d.reason);
      return `${str(d.reason)}${Array.isArray(d.ladder) ? `; ladder: ${d.ladder.join(' → ')}` : ''}${d.approval ? '; needs approval' : ''}${d.dryRun ? '; dry-run' : ''}`;
    case 'guard': {
      const failed = (Array.isArray(d.results) ? d.results : []).filter((r) => !r.ok);
      return `${rung(d)}${str(d.action)}: ${d.allowed ? (d.dryRun ? 'allowed (dry-run)' : 'allowed') : `denied by ${failed.map((r) => r.guard).join(', ')}`}`;
    }
    case 'approval':
      return `${rung(d)}approval ${str(d.status)}${d.action ? ` for ${str(d.action)}` : ''}${d.by ? ` by ${str(d.by)}` : ''}${d.reason ? ` (${str(d.reason)})` : ''}`;
    case 'evidence': {
      const lines = Array.isArray(d.lastLines) ? d.lastLines : [];
      const metrics = d.metrics && typeof d.metrics === 'object' ? Object.keys(d.metrics).length : 0;
      return `${rung(d)}snapshot before ${str(d.before)}: ${lines.length} log line(s), ${metrics} metric(s)`;
    }
    case 'intent':
      return `${rung(d)}${str(d.action)}: started`;
    case 'action':
      return `${rung(d)}${str(d.action)}: ${d.dryRun ? 'not executed (dry-run)' : d.uncertain ? 'OUTCOME UNKNOWN' : d.ok ? 'done' : 'FAILED'}${d.detail ? ` — ${str(d.detail)}` : ''}`;
    case 'verification':
      return `${rung(d)}${str(d.action)}: ${d.ok ? 'verified' : 'not verified'}${d.detail ? ` — ${str(d.detail)}` : ''}`;
    case 'escalation':
      if (d.event === 'resolve') return `page resolved${d.ok ? '' : ' (not delivered to every webhook)'}${d.detail ? `: ${str(d.detail)}` : ''}`;
      if (d.paged === false) return `not paged again${d.detail ? `: ${str(d.detail)}` : ''}`;
      return `escalated${d.reason ? ` (${str(d.reason)})` : ''}${d.detail ? `: ${str(d.detail)}` : ''}`;
    case 'dead-letter':
      return `webhook NOT delivered (${str(d.event)}, delivery ${str(d.deliveryId)}, ${str(d.attempts)} attempt(s)): ${str(d.lastError)}`;
    case 'outcome':
      return `${str(d.outcome)}${d.by ? ` by ${str(d.by)}` : ''}${d.detail ? ` — ${str(d.detail)}` : ''}`;
    case 'note':
      // An operator's note says who wrote it; the loop's own notes carry a `detail`.
      if (typeof d.text === 'string') return `${d.by ? `${str(d.by)}: ` : ''}${d.text}`;
      return str(d.detail ?? oneLine(d, 200));
    default:
      return str(d.detail ?? d.text ?? oneLine(d, 200));
  }
}

/** Whether an entry is good news, bad news or neither (its marker's colour). */
function toneOfEntry(entry) {
  const d = entry.data ?? {};
  if (entry.kind === 'signal' || entry.kind === 'symptom') return 'bad';
  if (entry.kind === 'escalation') return d.event === 'resolve' && d.ok ? 'ok' : 'bad';
  if (entry.kind === 'dead-letter') return 'bad';
  if (entry.kind === 'guard') return d.allowed ? 'ok' : 'bad';
  if (entry.kind === 'action' && d.uncertain) return 'warn';
  if (entry.kind === 'action' || entry.kind === 'verification') return d.ok ? 'ok' : 'bad';
  if (entry.kind === 'approval') return d.status === 'approved' ? 'ok' : d.status === 'denied' || d.status === 'expired' ? 'bad' : 'warn';
  if (entry.kind === 'outcome') return /resolved/i.test(str(d.outcome)) ? 'ok' : 'warn';
  return 'info';
}

/** A root-cause candidate as the loop records it: an element, or a config version of one. */
function candidateName(c) {
  if (c.kind === 'config') return `config version ${str(c.version ?? '?')} of ${str(c.element)}`;
  return str(c.element ?? c.cause);
}

function extra(entry) {
  const d = entry.data ?? {};
  if (entry.kind === 'diagnosis' && Array.isArray(d.candidates) && d.candidates.length > 0) {
    const top = Math.max(...d.candidates.map((c) => Number(c.score) || 0), 1e-9);
    return h(
      'ul',
      { class: 'candidates', 'aria-label': 'diagnosis candidates' },
      d.candidates.map((c) =>
        h(
          'li',
          { title: Array.isArray(c.evidence) ? c.evidence.map(str).join('\n') : '' },
          h('span', { class: 'candidate-bar', dataset: { width: String(Math.round(((Number(c.score) || 0) / top) * 10)) } }),
          h('span', null, candidateName(c)),
          h('span', { class: 'muted' }, ` ${c.confidence !== undefined ? `confidence ${Math.round(Number(c.confidence) * 100)}%` : `score ${Number(c.score).toFixed(2)}`}${Array.isArray(c.evidence) && c.evidence.length > 0 ? ` — ${str(c.evidence[0])}` : ''}`),
        ),
      ),
    );
  }
  if (entry.kind === 'guard' && Array.isArray(d.results)) {
    return h('ul', { class: 'verdicts', 'aria-label': 'guardrail verdicts' }, d.results.map((r) => h('li', { class: r.ok ? 'tone-ok' : 'tone-bad' }, h('strong', null, `${r.ok ? '✓' : '✗'} ${str(r.guard)}`), ` ${str(r.detail)}`)));
  }
  const lines = entry.kind === 'evidence' || (entry.kind === 'signal' && d.kind === 'process-exited') ? d.lastLines : undefined;
  if (Array.isArray(lines) && lines.length > 0) return h('pre', { class: 'log-lines', 'aria-label': 'last log lines' }, lines.slice(-6).map(String).join('\n'));
  return null;
}

/** The chain, oldest first, with times since the incident opened. */
export function incidentTimeline(incident, entries) {
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No entries yet: the loop has not recorded anything for this incident.');
  return h(
    'ol',
    { class: 'timeline', 'aria-label': `explanation of incident ${incident.id}` },
    entries.map((entry) =>
      h(
        'li',
        { class: ['tl-entry', `tone-${toneOfEntry(entry)}`], dataset: { kind: entry.kind } },
        h('div', { class: 'tl-when' }, h('span', { class: 'tl-offset' }, `+${duration(Math.max(0, entry.at - incident.openedAt))}`), relTime(entry.at)),
        h('span', { class: 'tl-marker', 'aria-hidden': 'true' }),
        h(
          'div',
          { class: 'tl-body' },
          h('span', { class: 'tl-kind' }, KIND_LABELS[entry.kind] ?? entry.kind),
          h('span', { class: 'tl-text' }, describeEntry(entry)),
          extra(entry),
          h('details', { class: 'raw' }, h('summary', null, 'raw entry'), h('pre', null, JSON.stringify(entry.data, null, 2))),
        ),
      ),
    ),
  );
}
