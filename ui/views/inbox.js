// Inbox: the human tasks of task graphs — what a person is asked, by which run, for whom,
// by when — and, for an operator, the form that answers one (its JSON result resumes the
// run). The API decides who may answer: a viewer's answer comes back 403 and is shown as such.
import { empty, h, replace } from '../dom.js';
import { oneLine } from '../format.js';
import { badge } from '../components/health.js';
import { relTime } from '../components/relative-time.js';
import { loading, panel, refresher, viewHeader } from '../view-kit.js';

const STATUSES = ['open', 'completed', 'escalated'];
const DEFAULT_ANSWER = '{ "approved": true }';

/** Why an answer was refused, in the words an operator acts on. */
function refusal(error) {
  if (error.status === 409) return `Not answered: this task was already answered or escalated (${error.status} ${error.code}: ${error.message}). The list shows it as it is now.`;
  if (error.status === 403) return `Not answered: your token may not answer human tasks (${error.status} ${error.code}: ${error.message}). Answering needs the operator role.`;
  return error.describe ? error.describe() : String(error.message ?? error);
}

/** "in 3 h", or "5 m ago" marked overdue while the task is still open. */
function dueCell(task, now) {
  if (task.dueAt === null) return h('td', { class: 'muted' }, 'no due time');
  const overdue = task.status === 'open' && task.dueAt < now;
  return h('td', { class: overdue ? 'overdue' : null, dataset: { overdue: String(overdue) } }, relTime(task.dueAt), overdue ? ' (overdue)' : null);
}

/**
 * The answer form of one open task. Drafts and the last refusal live in `memory` so the
 * periodic refresh never throws away what the operator typed.
 */
function answerForm(task, ctx, memory, reload) {
  const input = h('textarea', { class: 'note answer', rows: 2, 'aria-label': `Answer for ${task.task} of run ${task.runId}`, oninput: (e) => memory.drafts.set(task.id, e.target.value) }, memory.drafts.get(task.id) ?? DEFAULT_ANSWER);
  const message = h('p', { class: 'error-text', role: 'alert' }, memory.refusals.get(task.id) ?? '');
  const button = h('button', { type: 'submit', class: 'primary', 'aria-label': `Answer ${task.task} of run ${task.runId}` }, 'Answer');
  const submit = async (e) => {
    e.preventDefault();
    let result;
    try {
      result = JSON.parse(input.value);
    } catch (error) {
      message.textContent = `The answer must be JSON: ${error.message}`;
      return;
    }
    button.disabled = true;
    try {
      await ctx.api.post(`/api/inbox/${encodeURIComponent(task.id)}/complete`, { result });
      memory.drafts.delete(task.id);
      memory.refusals.delete(task.id);
      ctx.banners.show(`Answered ${task.task} of run ${task.runId}: the run resumes with your result.`, 'notice');
    } catch (error) {
      if (error.status === 401) return;
      memory.refusals.set(task.id, refusal(error));
      message.textContent = memory.refusals.get(task.id);
      button.disabled = false;
    }
    reload();
  };
  return h('form', { class: 'answer-form', onsubmit: submit }, input, button, message);
}

function tasksTable(tasks, status, ctx, memory, reload) {
  if (tasks.length === 0) return empty(`No ${status} human tasks.`, 'A task graph asks a person with human: { assignee, due } (docs/agents.md#human-tasks).');
  const now = Date.now();
  const last = status === 'open' ? 'answer' : status === 'completed' ? 'answered by · result' : 'escalated to';
  return h(
    'table',
    { class: 'grid', 'aria-label': 'human tasks' },
    h('thead', null, h('tr', null, ['task', 'run', 'assignee', 'input', 'due', 'state', last].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      null,
      tasks.map((task) =>
        h(
          'tr',
          { dataset: { task: task.id, status: task.status } },
          h('th', { scope: 'row' }, task.task),
          h('td', null, h('a', { href: `#/runs/${encodeURIComponent(task.runId)}` }, task.runId)),
          h('td', null, task.assignee),
          h('td', { class: 'wrap', title: JSON.stringify(task.input) }, h('code', null, oneLine(JSON.stringify(task.input), 160))),
          dueCell(task, now),
          h('td', null, badge(task.status)),
          h(
            'td',
            null,
            task.status === 'open'
              ? answerForm(task, ctx, memory, reload)
              : task.status === 'completed'
                ? [task.completedBy ?? '–', ' · ', h('code', null, oneLine(JSON.stringify(task.result), 120))]
                : (task.completedBy ?? '–'),
          ),
        ),
      ),
    ),
  );
}

export function mount(root, ctx, { params }) {
  const status = STATUSES.includes(params.get('status')) ? params.get('status') : 'open';
  const statusSelect = h(
    'select',
    { id: 'inbox-status', 'aria-label': 'Status', onchange: (e) => ctx.navigate(`#/inbox?status=${e.target.value}`) },
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)),
  );
  const list = h('div', null, loading());
  replace(root, viewHeader('Inbox', h('label', { class: 'filter' }, 'Status ', statusSelect)), panel('inbox', `Human tasks: ${status}`, list));
  const memory = { drafts: new Map(), refusals: new Map() };
  // Re-rendered only when what it shows changed: a refresh must not steal the focus of a form being typed in.
  let shown = '';
  const state = refresher(
    ctx.guard('inbox', async () => {
      const listed = await ctx.api.get(`/api/inbox?status=${status}&limit=200`);
      // A task that passed its due time since the last render must turn overdue: part of what is shown.
      const overdue = listed.tasks.filter((task) => task.status === 'open' && task.dueAt !== null && task.dueAt < Date.now()).map((task) => task.id);
      const seen = JSON.stringify([listed.tasks, [...memory.refusals], overdue]);
      if (seen === shown) return;
      shown = seen;
      replace(list, tasksTable(listed.tasks, status, ctx, memory, () => state.now()));
    }),
    { everyMs: 3_000 },
  );
  return {
    onEvent: (event) => (event.type === 'run-finished' || event.type === 'resync') && state.soon(),
    unmount: () => state.stop(),
  };
}
