// What every view needs: a refresher that never overlaps itself, and common bits.
import { h } from './dom.js';

/**
 * Runs `load` now, again every `everyMs` (a fallback for missed live events) and soon
 * after `soon()` calls (debounced, so a burst of live events is one reload). A load
 * never overlaps another: one asked for meanwhile runs right after.
 */
export function refresher(load, { everyMs = 5_000, debounceMs = 200 } = {}) {
  let running = false;
  let again = false;
  let stopped = false;
  let debounce;
  const run = async () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await load();
    } finally {
      running = false;
      if (again && !stopped) {
        again = false;
        void run();
      }
    }
  };
  const timer = setInterval(run, everyMs);
  void run();
  return {
    now: run,
    soon() {
      clearTimeout(debounce);
      debounce = setTimeout(run, debounceMs);
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(debounce);
    },
  };
}

/** A titled panel: `<section aria-labelledby>` with an `<h2>`. */
export function panel(id, title, ...children) {
  return h('section', { class: 'panel', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);
}

/** The page title row of a view. */
export function viewHeader(title, ...aside) {
  return h('div', { class: 'view-header' }, h('h1', null, title), h('div', { class: 'view-actions' }, ...aside));
}

export const loading = () => h('p', { class: 'muted loading', role: 'status' }, 'Loading…');
