// What an operator does with one incident from its page: acknowledge it ("I am on it"),
// add a note to its explanation, close it by hand with a reason. The API decides who may
// (operator role) and records who did (the token's name); a viewer's click gets its 403
// as a banner.
import { h } from '../dom.js';

/** The largest note and close reason the API keeps, in characters (it also counts UTF-8 bytes). */
const MAX_TEXT = 2048;

/**
 * The action bar for `incident`: Acknowledge and Close while it is unresolved, a note
 * form always (post-mortems come after). `done()` after any action worked.
 */
export function incidentActions(incident, ctx, done) {
  const post = async (button, path, body, message) => {
    button.disabled = true;
    try {
      await ctx.api.post(`/api/incidents/${encodeURIComponent(incident.id)}/${path}`, body);
      ctx.banners.show(message, 'notice');
      done();
      return true;
    } catch (error) {
      ctx.report(error, `incident-${path}-${incident.id}`);
      return false;
    } finally {
      button.disabled = false;
    }
  };

  const note = h('textarea', { class: 'note', rows: 2, maxlength: MAX_TEXT, placeholder: 'what you found or did', 'aria-label': `Note on incident ${incident.id}` });
  const addNote = h('button', {
    type: 'button',
    onclick: async (event) => {
      if (!note.value.trim()) return ctx.banners.show('Write the note first.', 'error', `incident-notes-${incident.id}`);
      if (await post(event.currentTarget, 'notes', { text: note.value }, 'Note added')) note.value = '';
    },
  }, 'Add note');
  const noteForm = h('div', { class: 'incident-action' }, note, addNote);
  if (incident.status === 'resolved') return h('div', { class: 'incident-actions', role: 'group', 'aria-label': 'incident actions' }, noteForm);

  const acknowledge = incident.acknowledgedBy
    ? null
    : h('button', { type: 'button', class: 'primary', onclick: (event) => post(event.currentTarget, 'acknowledge', {}, `Acknowledged: incident ${incident.id}`) }, 'Acknowledge');
  const reason = h('input', { type: 'text', class: 'reason', maxlength: MAX_TEXT, placeholder: 'why it can be closed', 'aria-label': `Reason for closing incident ${incident.id}` });
  const close = h('button', {
    type: 'button',
    class: 'danger',
    onclick: (event) => {
      if (!reason.value.trim()) return ctx.banners.show('Closing needs a reason: what was done.', 'error', `incident-close-${incident.id}`);
      return post(event.currentTarget, 'close', { reason: reason.value }, `Closed: incident ${incident.id}`);
    },
  }, 'Close incident');
  return h(
    'div',
    { class: 'incident-actions', role: 'group', 'aria-label': 'incident actions' },
    acknowledge,
    h('div', { class: 'incident-action' }, reason, close),
    noteForm,
  );
}
