// Approvals: the inbox of actions waiting for a person, with Approve and Deny (operator role).
import { empty, h, replace } from '../dom.js';
import { badge } from '../components/health.js';
import { relTime } from '../components/relative-time.js';
import { loading, panel, refresher, viewHeader } from '../view-kit.js';

/** Approve and Deny for one pending approval; `done()` after either worked. */
export function approvalButtons(approval, ctx, done) {
  const reason = h('input', { type: 'text', class: 'reason', placeholder: 'reason (optional)', 'aria-label': `Reason for ${approval.action}`, maxlength: 2000 });
  const decide = (verb) => async (event) => {
    const buttons = event.currentTarget.parentElement.querySelectorAll('button');
    for (const button of buttons) button.disabled = true;
    try {
      const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
      await ctx.api.post(`/api/approvals/${encodeURIComponent(approval.id)}/${verb}`, body);
      ctx.banners.show(`${verb === 'approve' ? 'Approved' : 'Denied'}: ${approval.action}`, 'notice');
      done();
    } catch (error) {
      ctx.report(error, `approval-${approval.id}`);
      for (const button of buttons) button.disabled = false;
    }
  };
  return h(
    'span',
    { class: 'decide' },
    reason,
    h('button', { type: 'button', class: 'primary', 'aria-label': `Approve ${approval.action}`, onclick: decide('approve') }, 'Approve'),
    h('button', { type: 'button', class: 'danger', 'aria-label': `Deny ${approval.action}`, onclick: decide('deny') }, 'Deny'),
  );
}

/** What an approval is for: an incident (linked), or an agent's request (`agent:<name>`, no incident page). */
function subjectCell(approval) {
  return h('td', null, approval.incidentId.startsWith('agent:') ? approval.incidentId : h('a', { href: `#/incidents/${encodeURIComponent(approval.incidentId)}` }, approval.incidentId));
}

export function mount(root, ctx) {
  const inbox = h('div', null, loading());
  const decided = h('div', null, loading());
  replace(root, viewHeader('Approvals'), panel('inbox', 'Waiting for a decision', inbox), panel('decided', 'Decided', decided));
  let shownPending = '';
  const state = refresher(
    ctx.guard('approvals', async () => {
      const { approvals } = await ctx.api.get('/api/approvals?status=all');
      const pending = approvals.filter((a) => a.status === 'pending');
      // Rebuild the inbox only when it changed, so a half-typed reason survives a refresh.
      const key = pending.map((a) => a.id).join(',');
      if (key !== shownPending || inbox.querySelector('.loading')) {
        shownPending = key;
        replace(
          inbox,
          pending.length === 0
            ? empty('Nothing to approve.', 'Actions that a policy marks `approval: required` wait here.')
            : h(
                'table',
                { class: 'grid', 'aria-label': 'pending approvals' },
                h('thead', null, h('tr', null, ['action', 'for', 'requested', 'expires', 'decision'].map((c) => h('th', { scope: 'col' }, c)))),
                h(
                  'tbody',
                  null,
                  pending.map((a) =>
                    h(
                      'tr',
                      { dataset: { approval: a.id, incident: a.incidentId } },
                      h('th', { scope: 'row' }, a.action),
                      subjectCell(a),
                      h('td', null, relTime(a.requestedAt)),
                      h('td', null, relTime(a.expiresAt)),
                      h('td', null, approvalButtons(a, ctx, () => state.now())),
                    ),
                  ),
                ),
              ),
        );
      }
      const done = approvals.filter((a) => a.status !== 'pending').sort((a, b) => (b.decidedAt ?? 0) - (a.decidedAt ?? 0)).slice(0, 50);
      replace(
        decided,
        done.length === 0
          ? empty('No decisions yet.')
          : h(
              'table',
              { class: 'grid', 'aria-label': 'decided approvals' },
              h('thead', null, h('tr', null, ['status', 'action', 'for', 'by', 'reason', 'decided'].map((c) => h('th', { scope: 'col' }, c)))),
              h(
                'tbody',
                null,
                done.map((a) =>
                  h(
                    'tr',
                    { dataset: { approval: a.id, status: a.status } },
                    h('td', null, badge(a.status)),
                    h('th', { scope: 'row' }, a.action),
                    subjectCell(a),
                    h('td', null, a.decidedBy ?? '–'),
                    h('td', { class: 'wrap' }, a.reason ?? ''),
                    h('td', null, relTime(a.decidedAt)),
                  ),
                ),
              ),
            ),
      );
    }),
    { everyMs: 3_000 },
  );
  return {
    onEvent: (event) => (event.type === 'incident' || event.type === 'resync') && state.soon(),
    unmount: () => state.stop(),
  };
}
