// Relative times that stay true: every <time data-at> is re-rendered by a page-wide ticker.
import { h } from '../dom.js';
import { ago, timestamp } from '../format.js';

/** "12 s ago", with the exact time as a tooltip and in `datetime`. */
export function relTime(at) {
  if (!Number.isFinite(at)) return h('span', { class: 'muted' }, '–');
  return h('time', { datetime: new Date(at).toISOString(), title: timestamp(at), dataset: { at: String(at) } }, ago(at));
}

/** Refresh every relative time under `root` (the app calls this every few seconds). */
export function tickRelativeTimes(root = document) {
  const now = Date.now();
  for (const element of root.querySelectorAll('time[data-at]')) element.textContent = ago(Number(element.dataset.at), now);
}
