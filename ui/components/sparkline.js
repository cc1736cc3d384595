// A sparkline: one series as a small SVG line with its area, labelled for screen readers.
import { h, svg } from '../dom.js';

/**
 * Per-second increase of a counter between neighbouring points (a drop is a restart:
 * the new value counts from zero), as points at the later time.
 */
export function rates(points) {
  const out = [];
  for (let i = 1; i < points.length; i++) {
    const [at0, v0] = points[i - 1];
    const [at1, v1] = points[i];
    const seconds = (at1 - at0) / 1_000;
    if (seconds <= 0 || typeof v0 !== 'number' || typeof v1 !== 'number') continue;
    out.push([at1, (v1 >= v0 ? v1 - v0 : v1) / seconds]);
  }
  return out;
}

/**
 * `points`: [[at, value], …] oldest first. `format` renders the latest value.
 * Without enough points it says so instead of drawing a flat lie.
 */
export function sparkline(all, { label, format = String, width = 120, height = 28, tone = 'info', bare = false } = {}) {
  const newest = all.at(-1);
  // NaN and ±Inf arrive as the strings "NaN", "+Inf", "-Inf": said as the latest value, never drawn.
  const value = newest ? (typeof newest[1] === 'number' ? format(newest[1]) : newest[1]) : '–';
  const points = all.filter((p) => typeof p[1] === 'number');
  const last = points.at(-1);
  const wrap = h('figure', { class: ['spark', `tone-${tone}`, bare ? 'bare' : null] });
  // Bare: the column header already names it; the label stays for screen readers.
  const caption = () => h('figcaption', null, bare ? null : h('span', { class: 'spark-label' }, label), h('span', { class: 'spark-value' }, value));
  if (points.length < 2) {
    wrap.append(h('span', { class: 'spark-empty', title: 'not enough samples yet', 'aria-label': `${label}: no data yet` }, 'no data yet'), caption());
    return wrap;
  }
  const times = points.map((p) => p[0]);
  const values = points.map((p) => p[1]);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values);
  const x = (t) => (t1 === t0 ? width : ((t - t0) / (t1 - t0)) * width);
  const y = (v) => (hi === lo ? height / 2 : height - 2 - ((v - lo) / (hi - lo)) * (height - 4));
  const line = points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const area = `0,${height} ${line} ${width},${height}`;
  const summary = `${label}: now ${value}, range ${format(Math.min(...values))} to ${format(hi)} over ${Math.round((t1 - t0) / 1_000)} s`;
  wrap.append(
    svg(
      'svg',
      { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': summary, preserveAspectRatio: 'none' },
      svg('title', null, summary),
      svg('polygon', { points: area, class: 'spark-area' }),
      svg('polyline', { points: line, class: 'spark-line' }),
      svg('circle', { cx: x(last[0]).toFixed(1), cy: y(last[1]).toFixed(1), r: 2, class: 'spark-dot' }),
    ),
    caption(),
  );
  return wrap;
}
