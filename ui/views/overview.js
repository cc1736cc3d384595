// Overview: the dependency graph with each service's health, recent incidents, and each
// instance's state with CPU and RSS sparklines (plus the series scraped from it).
import { empty, h, replace } from '../dom.js';
import { bytes, compact, duration } from '../format.js';
import { dependencyGraph } from '../components/graph.js';
import { badge, instanceStatus, toneOf, worstStatus } from '../components/health.js';
import { relTime } from '../components/relative-time.js';
import { rates, sparkline } from '../components/sparkline.js';
import { loading, panel, refresher, viewHeader } from '../view-kit.js';

const WINDOW_MS = 5 * 60_000;

/** What a live element event says about an instance before the saved state catches up. */
function statusFromEvent(event, previous) {
  if (event.kind === 'process-exited') return event.reason === 'stopped' ? 'stopped' : 'down';
  if (event.kind === 'spawn-failed' || event.kind === 'restart-scheduled') return 'down';
  if (event.kind === 'crash-looping') return 'crash-looping';
  // The replacement of a crashed process is not serving yet.
  if (event.kind === 'process-spawned') return previous === 'down' || previous === 'restarting' ? 'restarting' : 'starting';
  if (event.kind === 'probe-changed' && event.probe === 'liveness' && event.to === 'failing') return 'unhealthy';
  return undefined;
}

function seriesLabel(series) {
  const instance = series.labels.instance ? ` · ${series.labels.instance}` : '';
  return `${series.name}${series.name.endsWith('_total') ? '/s' : ''}${instance}`;
}

export function mount(root, ctx) {
  let services;
  let incidents = [];
  const metrics = new Map();
  // instance → { status, at }: live events shown at once, until a newer saved state arrives.
  const overrides = new Map();

  const view = () =>
    (services ?? []).map((service) => {
      const instances = service.instances.map((instance) => {
        const override = overrides.get(instance.instance);
        if (override && instance.updatedAt >= override.at) overrides.delete(instance.instance);
        const status = overrides.get(instance.instance)?.status ?? instanceStatus(instance);
        return { ...instance, status };
      });
      const role = service.instances[0]?.details?.role;
      return {
        ...service,
        role,
        instances,
        status: worstStatus(instances.map((i) => i.status)),
        openIncidents: incidents.filter((i) => i.element === service.name && i.status !== 'resolved').length,
      };
    });

  const graphBox = h('div', { class: 'graph-box' }, loading());
  const incidentBox = h('div', null, loading());
  const cards = h('div', { class: 'service-cards' });
  replace(
    root,
    viewHeader('Overview', h('span', { class: 'legend', 'aria-label': 'legend' }, ['healthy', 'starting', 'not-ready', 'down', 'stopped'].map((s) => h('span', { class: `legend-item tone-${toneOf(s)}` }, s)))),
    h('div', { class: 'overview-top' }, panel('graph', 'Dependency graph', graphBox), panel('recent', 'Recent incidents', incidentBox)),
    panel('services', 'Services', cards),
  );

  const select = (name) => document.getElementById(`service-${name}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' });

  const render = () => {
    const shown = view();
    if (shown.length === 0) {
      replace(graphBox, empty('No services have reported state yet.', 'Services appear once `homeostat up` supervises them.'));
      replace(cards);
    } else {
      // Re-rendered every refresh: keep keyboard focus on the node that had it.
      const focused = graphBox.querySelector('[data-service]:focus')?.dataset.service;
      replace(graphBox, dependencyGraph(shown, { onSelect: select }));
      if (focused) [...graphBox.querySelectorAll('g[data-service]')].find((node) => node.dataset.service === focused)?.focus();
      replace(cards, shown.map(serviceCard));
    }
    replace(incidentBox, incidents.length === 0 ? empty('No incidents yet.', 'Everything has been healthy.') : h('ul', { class: 'incident-list', 'aria-label': 'recent incidents' }, incidents.map(incidentItem)));
  };

  const serviceCard = (service) =>
    h(
      'article',
      { class: ['service-card', `tone-${toneOf(service.status)}`], id: `service-${service.name}`, 'aria-labelledby': `service-${service.name}-title`, dataset: { service: service.name, status: service.status } },
      h('header', null, h('h3', { id: `service-${service.name}-title` }, service.name), badge(service.status), service.role === 'standby' ? h('span', { class: 'tag' }, 'standby') : null, Array.isArray(service.dependsOn) && service.dependsOn.length ? h('span', { class: 'muted small' }, `uses ${service.dependsOn.join(', ')}`) : null),
      h(
        'table',
        { class: 'grid compact', 'aria-label': `instances of ${service.name}` },
        h('thead', null, h('tr', null, ['instance', 'status', 'pid', 'restarts', 'up for', 'CPU', 'RSS'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, service.instances.map((instance) => instanceRow(service, instance))),
      ),
      scrapedRow(service),
    );

  const instanceRow = (service, instance) => {
    const d = instance.details ?? {};
    const own = metrics.get(service.name) ?? [];
    const pick = (name) => own.find((s) => s.name === name && s.labels.instance === instance.instance)?.points ?? [];
    const lastExit = d.lastExit ? `last exit ${d.lastExit.signal ?? `code ${d.lastExit.code}`} (${d.lastExit.reason})` : '';
    return h(
      'tr',
      { dataset: { instance: instance.instance, status: instance.status } },
      h('th', { scope: 'row' }, instance.instance),
      h('td', null, badge(instance.status), instance.state !== 'running' ? h('span', { class: 'muted small' }, ` ${instance.state}`) : null),
      h('td', { class: 'num' }, d.pid ?? '–'),
      h('td', { class: 'num', title: lastExit }, String(d.restarts ?? 0)),
      h('td', { class: 'num' }, d.startedAt ? duration(Date.now() - d.startedAt) : '–'),
      h('td', null, sparkline(pick('homeostat_instance_cpu_percent'), { label: `CPU of ${instance.instance}`, format: (v) => `${compact(v)}%`, width: 70, height: 20, bare: true })),
      h('td', null, sparkline(pick('homeostat_instance_rss_bytes'), { label: `RSS of ${instance.instance}`, format: bytes, width: 70, height: 20, tone: 'ok', bare: true })),
    );
  };

  const scrapedRow = (service) => {
    const scraped = (metrics.get(service.name) ?? []).filter((s) => s.source === 'scraped');
    if (scraped.length === 0) return null;
    // Counters read better as rates; gauges as they are.
    const ordered = [...scraped].sort((a, b) => Number(b.name.endsWith('_total')) - Number(a.name.endsWith('_total')) || a.name.localeCompare(b.name));
    return h(
      'div',
      { class: 'scraped', 'aria-label': `scraped metrics of ${service.name}` },
      ordered.slice(0, 8).map((s) => sparkline(s.name.endsWith('_total') ? rates(s.points) : s.points, { label: seriesLabel(s), format: compact, width: 110, height: 24, tone: /error|fail/.test(s.name) ? 'bad' : 'info' })),
    );
  };

  const incidentItem = (incident) =>
    h(
      'li',
      { dataset: { incident: incident.id, status: incident.status, element: incident.element } },
      h(
        'div',
        { class: 'incident-line' },
        badge(incident.status),
        h('a', { href: `#/incidents/${encodeURIComponent(incident.id)}` }, incident.id),
        h('span', { class: 'strong' }, incident.element),
        h('span', { class: 'muted grow' }, incident.symptom),
        incident.resolvedAt ? h('span', { class: 'muted small' }, `resolved in ${duration(incident.resolvedAt - incident.openedAt)}`) : null,
        relTime(incident.openedAt),
      ),
      h('div', { class: 'incident-summary ellipsis', title: incident.summary }, incident.summary),
    );

  const state = refresher(
    ctx.guard('overview', async () => {
      const [servicesAnswer, incidentsAnswer] = await Promise.all([ctx.api.get('/api/services'), ctx.api.get('/api/incidents?all=true&limit=8')]);
      services = servicesAnswer.services;
      incidents = incidentsAnswer.incidents;
      render();
      if (metrics.size === 0) sparks.soon();
    }),
    { everyMs: 2_000 },
  );
  const sparks = refresher(
    ctx.guard('overview-metrics', async () => {
      if (!services) return;
      const since = Date.now() - WINDOW_MS;
      const answers = await Promise.all(services.map((s) => ctx.api.get(`/api/services/${encodeURIComponent(s.name)}/metrics?since=${since}&points=90`).catch(() => ({ series: [] }))));
      services.forEach((s, i) => metrics.set(s.name, answers[i].series));
      render();
    }),
    { everyMs: 4_000 },
  );

  return {
    onEvent(event) {
      if (event.type === 'element') {
        const status = event.event.instance ? statusFromEvent(event.event, overrides.get(event.event.instance)?.status) : undefined;
        if (status) {
          overrides.set(event.event.instance, { status, at: event.event.at });
          if (services) render();
        }
        state.soon();
      } else if (event.type === 'incident' || event.type === 'resync') state.soon();
    },
    unmount() {
      state.stop();
      sparks.stop();
    },
  };
}
