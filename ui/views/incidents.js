// Incidents: open and past ones, and one incident's explanation chain as a timeline.
import { empty, h, replace } from '../dom.js';
import { duration } from '../format.js';
import { badge } from '../components/health.js';
import { incidentActions } from '../components/incident-actions.js';
import { incidentTimeline } from '../components/incident-timeline.js';
import { relTime } from '../components/relative-time.js';
import { loading, panel, refresher, viewHeader } from '../view-kit.js';
import { approvalButtons } from './approvals.js';

/** How each resolution reads after "resolved", as `homeostat incident show` says it. */
const RESOLUTION_TEXT = { action: 'by the action', external: 'externally (no action of ours helped)', operator: 'by hand: closed by' };

function incidentTable(incidents, label) {
  return h(
    'table',
    { class: 'grid', 'aria-label': label },
    h('thead', null, h('tr', null, ['status', 'incident', 'service', 'symptom', 'summary', 'opened', 'took', 'acknowledged'].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      null,
      incidents.map((incident) =>
        h(
          'tr',
          { dataset: { incident: incident.id, status: incident.status, element: incident.element } },
          h('td', null, badge(incident.status)),
          h('th', { scope: 'row' }, h('a', { href: `#/incidents/${encodeURIComponent(incident.id)}` }, incident.id)),
          h('td', null, incident.element),
          h('td', null, incident.symptom),
          h('td', { class: 'wrap' }, incident.summary),
          h('td', null, relTime(incident.openedAt)),
          h('td', { class: 'num' }, incident.resolvedAt ? duration(incident.resolvedAt - incident.openedAt) : h('span', { class: 'muted' }, `${duration(Date.now() - incident.openedAt)} so far`)),
          h('td', null, incident.acknowledgedBy ?? h('span', { class: 'muted' }, '–')),
        ),
      ),
    ),
  );
}

export function mountList(root, ctx, { params }) {
  const element = params.get('element');
  const query = element ? `&element=${encodeURIComponent(element)}` : '';
  const open = h('div', null, loading());
  const past = h('div', null, loading());
  replace(
    root,
    viewHeader('Incidents', element ? h('span', { class: 'tag' }, `service ${element}`, ' ', h('a', { href: '#/incidents', 'aria-label': 'Clear the service filter' }, '×')) : null),
    panel('open', 'Open', open),
    panel('past', 'Resolved', past),
  );
  const state = refresher(
    ctx.guard('incidents', async () => {
      const [openAnswer, pastAnswer] = await Promise.all([ctx.api.get(`/api/incidents?limit=100${query}`), ctx.api.get(`/api/incidents?status=resolved&limit=50${query}`)]);
      replace(open, openAnswer.incidents.length ? incidentTable(openAnswer.incidents, 'open incidents') : empty('No open incidents.', 'Every managed element is healthy, or being handled.'));
      replace(past, pastAnswer.incidents.length ? incidentTable(pastAnswer.incidents, 'resolved incidents') : empty('No resolved incidents yet.'));
    }),
    { everyMs: 5_000 },
  );
  return {
    onEvent: (event) => (event.type === 'incident' || event.type === 'resync') && state.soon(),
    unmount: () => state.stop(),
  };
}

export function mountDetail(root, ctx, { match }) {
  const id = decodeURIComponent(match[1]);
  const head = h('div', null, loading());
  const approvals = h('div');
  const actions = h('div');
  const chain = h('div');
  replace(root, h('p', { class: 'crumbs' }, h('a', { href: '#/incidents' }, '← Incidents')), head, actions, approvals, panel('chain', 'What happened', chain));
  let lastUpdated;
  let shownPending;
  let shownActions;
  const state = refresher(
    ctx.guard('incident', async () => {
      const { incident, entries, approvals: requested } = await ctx.api.get(`/api/incidents/${encodeURIComponent(id)}`);
      replace(
        head,
        h(
          'div',
          { class: 'incident-head', dataset: { incident: incident.id, status: incident.status } },
          h('h1', null, `Incident ${incident.id}`, ' ', badge(incident.status)),
          h('p', { class: 'summary' }, incident.summary),
          h(
            'dl',
            { class: 'facts' },
            h('dt', null, 'service'),
            h('dd', null, h('a', { href: `#/incidents?element=${encodeURIComponent(incident.element)}` }, incident.element)),
            h('dt', null, 'symptom'),
            h('dd', null, incident.symptom),
            h('dt', null, 'opened'),
            h('dd', null, relTime(incident.openedAt)),
            h('dt', null, incident.resolvedAt ? 'resolved after' : 'open for'),
            h('dd', null, duration((incident.resolvedAt ?? Date.now()) - incident.openedAt)),
            h('dt', null, 'acknowledged'),
            h('dd', { class: 'acknowledged' }, incident.acknowledgedBy ? [`by ${incident.acknowledgedBy} `, relTime(incident.acknowledgedAt)] : h('span', { class: 'muted' }, 'not yet')),
            incident.resolution ? [h('dt', null, 'resolved'), h('dd', { class: 'resolution' }, RESOLUTION_TEXT[incident.resolution] ?? incident.resolution, incident.resolvedBy ? ` ${incident.resolvedBy}` : '')] : null,
          ),
        ),
      );
      // Rebuilt only when what it offers changes, so a half-typed note or reason survives a refresh.
      const offered = `${incident.status === 'resolved'}:${incident.acknowledgedBy ?? ''}`;
      if (offered !== shownActions) {
        shownActions = offered;
        replace(actions, incidentActions(incident, ctx, () => state.now()));
      }
      const pending = requested.filter((a) => a.status === 'pending');
      // Rebuilt only when the pending set changes, so a half-typed reason survives a refresh.
      if (pending.map((a) => a.id).join(',') !== shownPending) {
        shownPending = pending.map((a) => a.id).join(',');
        replace(approvals, pending.length ? panel('pending', 'Waiting for your approval', pending.map((a) => h('div', { class: 'approval-row' }, h('span', { class: 'strong' }, a.action), ' expires ', relTime(a.expiresAt), approvalButtons(a, ctx, () => state.now())))) : null);
      }
      // Re-rendering the chain would close any opened "raw entry": only when it changed.
      if (lastUpdated !== `${incident.updatedAt}:${entries.length}`) {
        lastUpdated = `${incident.updatedAt}:${entries.length}`;
        replace(chain, incidentTimeline(incident, entries));
      }
    }),
    { everyMs: 3_000 },
  );
  return {
    onEvent: (event) => ((event.type === 'incident' && event.incident.id === id) || event.type === 'resync') && state.soon(),
    unmount: () => state.stop(),
  };
}
