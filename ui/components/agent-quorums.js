// The agents view's quorums: each quorum's decision (accepted, no quorum, still voting) and
// every vote — who agreed and who dissented, with what they answered. A decided quorum
// never changes, so its votes are fetched once and kept; only undecided ones are re-read.
import { empty, h, replace } from '../dom.js';
import { oneLine } from '../format.js';
import { badge } from './health.js';
import { relTime } from './relative-time.js';
import { refresher } from '../view-kit.js';

/** How many of the latest quorums are shown, with their votes. */
const SHOWN = 20;

function votesCell(votes) {
  if (votes.length === 0) return h('td', { class: 'muted' }, 'no votes yet');
  return h(
    'td',
    null,
    h(
      'ul',
      { class: 'votes' },
      votes.map((vote) =>
        h(
          'li',
          { dataset: { voter: vote.voter, agreed: String(vote.agreed) } },
          h('strong', null, vote.voter),
          vote.agreed ? ' agreed: ' : h('span', { class: 'error-text' }, ' dissented: '),
          h('code', null, oneLine(JSON.stringify(vote.answer), 80)),
        ),
      ),
    ),
  );
}

function quorumsTable(rows) {
  if (rows.length === 0) return empty('No quorums yet.', 'A workflow step asks n agents for one answer and accepts it when k agree (docs/agents.md#quorum).');
  return h(
    'table',
    { class: 'grid', 'aria-label': 'quorums' },
    h('thead', null, h('tr', null, ['quorum', 'decision', 'k of n', 'comparator', 'answer', 'votes', 'run', 'decided', 'detail'].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      null,
      rows.map(({ quorum, votes }) =>
        h(
          'tr',
          { dataset: { quorum: quorum.id, status: quorum.status } },
          h('th', { scope: 'row' }, quorum.name, quorum.capability ? h('span', { class: 'muted' }, ` (${quorum.capability})`) : null),
          h('td', null, badge(quorum.status)),
          h('td', { class: 'num' }, `${quorum.k} of ${quorum.n}`),
          h('td', null, quorum.comparator),
          h('td', null, quorum.status === 'accepted' ? h('code', null, oneLine(JSON.stringify(quorum.answer), 80)) : '–'),
          votesCell(votes),
          h('td', null, h('a', { href: `#/runs/${encodeURIComponent(quorum.runId)}` }, quorum.runId)),
          h('td', null, quorum.decidedAt === null ? 'voting' : relTime(quorum.decidedAt)),
          h('td', { class: 'wrap' }, quorum.detail ?? ''),
        ),
      ),
    ),
  );
}

/** Keeps `box` showing the latest quorums; `stop()` when the view goes. */
export function watchQuorums(box, ctx) {
  const decided = new Map();
  let shown = '';
  return refresher(
    ctx.guard('quorums', async () => {
      const listed = await ctx.api.get(`/api/agents/quorums?limit=${SHOWN}`);
      // The API lists them newest first.
      const latest = listed.quorums.slice(0, SHOWN);
      const rows = await Promise.all(
        latest.map(async (quorum) => {
          if (decided.has(quorum.id)) return decided.get(quorum.id);
          const one = await ctx.api.get(`/api/agents/quorums/${encodeURIComponent(quorum.id)}`);
          const row = { quorum: one.quorum, votes: one.votes };
          if (one.quorum.status !== 'pending') decided.set(quorum.id, row);
          return row;
        }),
      );
      const seen = JSON.stringify(rows);
      if (seen === shown) return;
      shown = seen;
      replace(box, quorumsTable(rows));
    }),
    { everyMs: 2_000 },
  );
}
