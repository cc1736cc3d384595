// Audit: the hash-chained log, newest first, and whether the chain verifies.
import { empty, h, replace } from '../dom.js';
import { oneLine } from '../format.js';
import { relTime } from '../components/relative-time.js';
import { loading, panel, refresher, viewHeader } from '../view-kit.js';

const SHOWN = 300;

async function latestEntries(api, verification) {
  // A valid chain has no gaps, so the newest entries start at `checked - SHOWN`.
  if (verification.ok) return (await api.get(`/api/audit?afterSeq=${Math.max(0, verification.checked - SHOWN)}&limit=${SHOWN}`)).entries;
  const kept = [];
  for (let afterSeq = 0, page = 0; page < 50; page++) {
    const { entries } = await api.get(`/api/audit?afterSeq=${afterSeq}&limit=1000`);
    kept.push(...entries);
    kept.splice(0, Math.max(0, kept.length - SHOWN));
    if (entries.length < 1000) break;
    afterSeq = entries.at(-1).seq;
  }
  return kept;
}

function verificationCard(v) {
  if (v.ok) return h('div', { class: 'verify tone-ok', role: 'status', dataset: { ok: 'true' } }, h('strong', null, '✓ Chain valid'), ` — ${v.checked} entries checked; every hash and link recomputed.`);
  return h(
    'div',
    { class: 'verify tone-bad', role: 'alert', dataset: { ok: 'false', firstBad: String(v.firstBad?.seq) } },
    h('strong', null, `✗ Chain broken at entry #${v.firstBad?.seq}`),
    ` — ${v.firstBad?.reason ?? 'unknown reason'}. ${v.checked} entries before it verify.`,
  );
}

export function mount(root, ctx) {
  const status = h('div', null, loading());
  const list = h('div');
  replace(root, viewHeader('Audit log'), status, panel('entries', `Latest entries (newest first, up to ${SHOWN})`, list));
  const state = refresher(
    ctx.guard('audit', async () => {
      const verification = await ctx.api.get('/api/audit/verify');
      replace(status, verificationCard(verification));
      const entries = (await latestEntries(ctx.api, verification)).reverse();
      const bad = verification.ok ? undefined : verification.firstBad?.seq;
      replace(
        list,
        entries.length === 0
          ? empty('The audit log is empty.')
          : h(
              'table',
              { class: 'grid', 'aria-label': 'audit entries' },
              h('thead', null, h('tr', null, ['#', 'when', 'actor', 'action', 'subject', 'details'].map((c) => h('th', { scope: 'col' }, c)))),
              h(
                'tbody',
                null,
                entries.map((e) =>
                  h(
                    'tr',
                    { class: e.seq === bad ? 'bad-entry' : null, dataset: { seq: String(e.seq) } },
                    h('td', { class: 'num' }, String(e.seq)),
                    h('td', null, relTime(e.at)),
                    h('td', null, e.actor),
                    h('th', { scope: 'row' }, e.action),
                    h('td', null, e.subject),
                    h('td', { class: 'mono wrap', title: JSON.stringify(e.data) }, oneLine(e.data, 140)),
                  ),
                ),
              ),
            ),
      );
    }),
    { everyMs: 10_000 },
  );
  return {
    onEvent: (event) => (event.type === 'incident' || event.type === 'resync') && state.soon(),
    unmount: () => state.stop(),
  };
}
