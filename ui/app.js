// The dashboard: sign-in, hash routing between views, live events, counts in the nav.
import { adoptTokenFromUrl, askForToken, clearToken, getToken, setToken } from './auth.js';
import { createApiClient } from './api-client.js';
import { LiveEvents } from './live-events.js';
import { Banners } from './components/banner.js';
import { tickRelativeTimes } from './components/relative-time.js';
import { ago } from './format.js';
import * as agents from './views/agents.js';
import * as approvals from './views/approvals.js';
import * as audit from './views/audit.js';
import * as inbox from './views/inbox.js';
import * as incidents from './views/incidents.js';
import * as overview from './views/overview.js';
import * as runs from './views/runs.js';

const ROUTES = [
  { pattern: /^\/(overview)?$/, nav: 'overview', title: 'Overview', mount: overview.mount },
  { pattern: /^\/incidents$/, nav: 'incidents', title: 'Incidents', mount: incidents.mountList },
  { pattern: /^\/incidents\/(.+)$/, nav: 'incidents', title: 'Incident', mount: incidents.mountDetail },
  { pattern: /^\/approvals$/, nav: 'approvals', title: 'Approvals', mount: approvals.mount },
  { pattern: /^\/runs$/, nav: 'runs', title: 'Runs', mount: runs.mountList },
  { pattern: /^\/runs\/(.+)$/, nav: 'runs', title: 'Run', mount: runs.mountDetail },
  { pattern: /^\/audit$/, nav: 'audit', title: 'Audit', mount: audit.mount },
  { pattern: /^\/agents$/, nav: 'agents', title: 'Agents', mount: agents.mount },
  { pattern: /^\/inbox$/, nav: 'inbox', title: 'Inbox', mount: inbox.mount },
];

const CONNECTION_LABELS = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting', 'signed-out': 'signed out' };

class Dashboard {
  constructor() {
    this.viewRoot = document.getElementById('view');
    this.banners = new Banners(document.getElementById('banners'));
    this.current = undefined;
    this.signingIn = undefined;
    this.api = createApiClient({ getToken, onUnauthorized: () => this.signOut('The API refused the token (invalid or revoked): paste another one.') });
    this.live = new LiveEvents({
      getToken,
      onEvent: (event) => this.onEvent(event),
      onState: (state) => this.showConnection(state),
      onUnauthorized: () => this.signOut('The API refused the token (invalid or revoked): paste another one.'),
    });
    this.context = {
      api: this.api,
      banners: this.banners,
      navigate: (hash) => (location.hash = hash),
      report: (error, key) => this.banners.show(error.describe ? error.describe() : String(error.message ?? error), 'error', key),
      // A view's load: its errors become a banner, cleared once it loads again.
      guard: (key, load) => async () => {
        try {
          await load();
          this.banners.clearPrefix(`${key}:`);
        } catch (error) {
          if (error.status === 401) return;
          this.context.report(error, `${key}:${error.code ?? 'error'}`);
        }
      },
    };
  }

  async start() {
    adoptTokenFromUrl();
    if (!getToken()) await this.signIn();
    document.getElementById('sign-out').hidden = false;
    document.getElementById('sign-out').addEventListener('click', () => this.signOut('Signed out. Paste a token to sign in again.'));
    window.addEventListener('hashchange', () => this.route());
    setInterval(() => tickRelativeTimes(), 5_000);
    setInterval(() => void this.refreshCounts(), 5_000);
    this.live.start();
    this.route();
    void this.refreshCounts();
  }

  async signIn(message) {
    const token = await askForToken(message, async (candidate) => {
      const response = await fetch('/api/services', { headers: { authorization: `Bearer ${candidate}` } }).catch(() => undefined);
      if (!response) throw new Error('Cannot reach the homeostat API: is `homeostat up` running?');
      if (response.status === 401) throw new Error('The API refused this token: it is unknown or revoked.');
      if (!response.ok) throw new Error(`The API answered ${response.status}.`);
    });
    setToken(token);
  }

  /** Back to the sign-in form (a 401, or the Sign out button); the app resumes after. */
  signOut(message) {
    if (this.signingIn) return;
    clearToken();
    this.live.stop();
    this.current?.unmount?.();
    this.current = undefined;
    this.viewRoot.replaceChildren();
    this.banners.clearPrefix('');
    document.getElementById('sign-out').hidden = true;
    this.showConnection({ state: 'signed-out' });
    this.signingIn = this.signIn(message).then(() => {
      this.signingIn = undefined;
      document.getElementById('sign-out').hidden = false;
      this.live.start();
      this.route();
    });
  }

  route() {
    if (this.signingIn) return;
    const raw = location.hash.replace(/^#/, '') || '/overview';
    const [path, query = ''] = raw.split('?');
    const route = ROUTES.find((r) => r.pattern.test(path)) ?? ROUTES[0];
    this.current?.unmount?.();
    this.banners.clearPrefix('');
    this.viewRoot.replaceChildren();
    for (const link of document.querySelectorAll('[data-nav]')) {
      if (link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = `${route.title} · homeostat`;
    this.current = route.mount(this.viewRoot, this.context, { match: route.pattern.exec(path), params: new URLSearchParams(query) });
  }

  onEvent(event) {
    this.current?.onEvent?.(event);
    if (event.type === 'incident' || event.type === 'resync') void this.refreshCounts();
  }

  async refreshCounts() {
    if (this.signingIn || !getToken()) return;
    try {
      const [open, pending, asked] = await Promise.all([this.api.get('/api/incidents?limit=500'), this.api.get('/api/approvals'), this.api.get('/api/inbox?status=open&limit=500')]);
      setCount('count-incidents', open.incidents.length);
      setCount('count-approvals', pending.approvals.length);
      setCount('count-inbox', asked.tasks.length);
    } catch {
      // the view shows the error; the counts stay as they were
    }
  }

  showConnection({ state, retryAt }) {
    const element = document.getElementById('connection');
    element.dataset.state = state;
    const label = state === 'reconnecting' && retryAt ? `reconnecting ${ago(retryAt)}` : CONNECTION_LABELS[state] ?? state;
    element.querySelector('.label').textContent = label;
    element.title = state === 'live' ? 'Live updates are streaming from the API' : 'Live updates are not streaming; views still refresh every few seconds';
  }
}

function setCount(id, n) {
  const element = document.getElementById(id);
  element.textContent = n > 0 ? String(n) : '';
}

void new Dashboard().start();
