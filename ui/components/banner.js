// Error and notice banners under the top bar: one per distinct message, dismissable.
import { h } from '../dom.js';

export class Banners {
  constructor(container) {
    this.container = container;
    this.shown = new Map();
  }

  /** Show `text` (once; shown again it only moves to the top). `tone`: error | notice. */
  show(text, tone = 'error', key = text) {
    this.shown.get(key)?.remove();
    const close = h('button', { type: 'button', class: 'ghost', 'aria-label': 'Dismiss', onclick: () => this.clear(key) }, '×');
    const banner = h('div', { class: ['banner', `banner-${tone}`], role: tone === 'error' ? 'alert' : 'status' }, h('span', null, text), close);
    this.container.prepend(banner);
    this.shown.set(key, banner);
    if (tone === 'notice') setTimeout(() => this.clear(key), 6_000);
  }

  clear(key) {
    this.shown.get(key)?.remove();
    this.shown.delete(key);
  }

  /** Clear every banner whose key starts with `prefix` (a view's own, once it loads fine). */
  clearPrefix(prefix) {
    for (const key of [...this.shown.keys()]) if (key.startsWith(prefix)) this.clear(key);
  }
}
