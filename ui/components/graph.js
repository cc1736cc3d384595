// The dependency graph: services as nodes coloured by health, `dependsOn` edges from a
// service to what it uses (dependents left, dependencies right), standbys under their
// primary with a dashed edge. Without any relation the nodes are laid out as a grid.
import { svg } from '../dom.js';
import { toneOf } from './health.js';

const W = 184;
const H = 58;
const GAP_X = 84;
const GAP_Y = 22;
const PAD = 14;

/** Which service each standby serves: the API's `standby` field (from the applied config), else — before any config is applied — the `<name>-standby` convention. */
export function standbyPairs(services) {
  const names = new Set(services.map((s) => s.name));
  const pairs = [];
  for (const service of services) {
    const standby = typeof service.standby === 'string' ? service.standby : service.standby?.service;
    if (standby && names.has(standby)) pairs.push([service.name, standby]);
    else if (!standby && names.has(`${service.name}-standby`)) pairs.push([service.name, `${service.name}-standby`]);
  }
  return pairs;
}

function layout(services, deps, pairs) {
  const byName = new Map(services.map((s) => [s.name, s]));
  const primaryOf = new Map(pairs.map(([primary, standby]) => [standby, primary]));
  const depth = new Map();
  const depthOf = (name, seen = new Set()) => {
    if (depth.has(name)) return depth.get(name);
    if (seen.has(name)) return 0;
    seen.add(name);
    const primary = primaryOf.get(name);
    const own = primary ? depthOf(primary, seen) : Math.max(-1, ...(deps.get(name) ?? []).map((d) => depthOf(d, seen))) + 1;
    depth.set(name, own);
    return own;
  };
  const hasRelations = pairs.length > 0 || [...deps.values()].some((d) => d.length > 0);
  const columns = [];
  if (hasRelations) {
    for (const name of byName.keys()) depthOf(name);
    const max = Math.max(0, ...depth.values());
    for (const name of byName.keys()) {
      if (primaryOf.has(name)) continue;
      const column = max - depth.get(name);
      (columns[column] ??= []).push(name);
      for (const [primary, standby] of pairs) if (primary === name) columns[column].push(standby);
    }
  } else {
    const perColumn = Math.max(1, Math.ceil(byName.size / 4));
    [...byName.keys()].forEach((name, i) => (columns[Math.floor(i / perColumn)] ??= []).push(name));
  }
  const at = new Map();
  columns.forEach((names, c) => names?.forEach((name, r) => at.set(name, { x: PAD + c * (W + GAP_X), y: PAD + r * (H + GAP_Y) })));
  const rows = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  return { at, width: PAD * 2 + Math.max(1, columns.length) * W + Math.max(0, columns.length - 1) * GAP_X, height: PAD * 2 + rows * H + (rows - 1) * GAP_Y };
}

function edgePath(from, to) {
  const x1 = from.x + W;
  const y1 = from.y + H / 2;
  const x2 = to.x;
  const y2 = to.y + H / 2;
  if (x2 > x1) {
    const mid = (x1 + x2) / 2;
    return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}`;
  }
  // Same column (or backwards): loop out to the right.
  const out = Math.max(x1, to.x + W) + 30;
  return `M${x1},${y1} C${out},${y1} ${out},${to.y + H / 2} ${to.x + W + 6},${to.y + H / 2}`;
}

/**
 * `services`: [{ name, status, instances: [{ instance, status }], role?, dependsOn?, standby?, openIncidents }].
 * `onSelect(name)` is called when a node is clicked or activated with Enter.
 */
export function dependencyGraph(services, { onSelect } = {}) {
  const names = new Set(services.map((s) => s.name));
  const deps = new Map(services.map((s) => [s.name, (Array.isArray(s.dependsOn) ? s.dependsOn : []).filter((d) => names.has(d))]));
  const pairs = standbyPairs(services);
  const { at, width, height } = layout(services, deps, pairs);
  const statusOf = new Map(services.map((s) => [s.name, s.status]));

  const defs = svg(
    'defs',
    null,
    svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 8, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'edge-head' })),
  );
  const edges = [];
  for (const [name, targets] of deps) {
    for (const target of targets) {
      const tone = toneOf(statusOf.get(target));
      edges.push(svg('path', { d: edgePath(at.get(name), at.get(target)), class: ['edge', `edge-${tone}`], 'marker-end': 'url(#arrow)', dataset: { from: name, to: target } }, svg('title', null, `${name} depends on ${target}`)));
    }
  }
  for (const [primary, standby] of pairs) {
    const a = at.get(primary);
    const b = at.get(standby);
    edges.push(svg('path', { d: `M${a.x + W / 2},${a.y + H} L${b.x + W / 2},${b.y}`, class: 'edge edge-standby', dataset: { from: primary, to: standby } }, svg('title', null, `${standby} is the standby of ${primary}`)));
  }

  const nodes = services.map((service) => {
    const { x, y } = at.get(service.name);
    const up = service.instances.filter((i) => ['healthy', 'unprobed', 'not-ready', 'unknown', 'starting'].includes(i.status)).length;
    const detail = `${service.status} · ${up}/${service.instances.length} up${service.role === 'standby' ? ' · standby' : ''}`;
    const label = `service ${service.name}: ${service.status}, ${up} of ${service.instances.length} instances up${service.openIncidents ? `, ${service.openIncidents} open incident(s)` : ''}`;
    const dots = service.instances.map((instance, i) =>
      svg('circle', { cx: x + W - 12 - i * 13, cy: y + 14, r: 5, class: ['dot', `tone-${toneOf(instance.status)}`], dataset: { instance: instance.instance, status: instance.status } }, svg('title', null, `${instance.instance}: ${instance.status}`)),
    );
    const group = svg(
      'g',
      { class: ['node', `tone-${toneOf(service.status)}`], role: 'button', tabindex: 0, 'aria-label': label, dataset: { service: service.name, status: service.status } },
      svg('title', null, label),
      svg('rect', { x, y, width: W, height: H, rx: 7, class: 'node-box' }),
      svg('rect', { x, y, width: 5, height: H, rx: 2, class: 'node-stripe' }),
      svg('text', { x: x + 14, y: y + 22, class: 'node-name' }, service.name),
      svg('text', { x: x + 14, y: y + 42, class: 'node-detail' }, detail),
      ...dots,
      service.openIncidents ? svg('text', { x: x + W - 10, y: y + 44, class: 'node-incidents', 'text-anchor': 'end' }, `⚠ ${service.openIncidents}`) : null,
    );
    group.addEventListener('click', () => onSelect?.(service.name));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') onSelect?.(service.name);
    });
    return group;
  });

  return svg('svg', { class: 'graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': 'Service dependency graph' }, defs, ...edges, ...nodes);
}
