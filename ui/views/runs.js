// Runs: the list with a status filter, and one run's per-step timeline with redrive.
import { empty, h, replace } from '../dom.js';
import { duration, oneLine } from '../format.js';
import { badge } from '../components/health.js';
import { relTime } from '../components/relative-time.js';
import { runTimeline } from '../components/run-timeline.js';
import { taskGraphs } from '../components/task-graph.js';
import { loading, panel, refresher, viewHeader } from '../view-kit.js';

const STATUSES = ['pending', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'parked'];
const REDRIVABLE = ['failed', 'parked', 'cancelled'];

export function mountList(root, ctx, { params }) {
  const status = STATUSES.includes(params.get('status')) ? params.get('status') : '';
  const workflow = params.get('workflow') ?? '';
  const go = (next) => {
    const query = new URLSearchParams(Object.entries({ status: next.status ?? status, workflow: next.workflow ?? workflow }).filter(([, v]) => v));
    ctx.navigate(`#/runs${query.size ? `?${query}` : ''}`);
  };
  const statusSelect = h('select', { id: 'run-status', 'aria-label': 'Status', onchange: (e) => go({ status: e.target.value }) }, h('option', { value: '' }, 'any status'), STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)));
  const workflowInput = h('input', { type: 'search', id: 'run-workflow', 'aria-label': 'Workflow', placeholder: 'workflow', value: workflow, onchange: (e) => go({ workflow: e.target.value.trim() }) });
  const list = h('div', null, loading());
  replace(root, viewHeader('Runs', h('label', { class: 'filter' }, 'Status ', statusSelect), h('label', { class: 'filter' }, 'Workflow ', workflowInput)), panel('runs', status ? `Runs: ${status}` : 'Runs', list));
  const query = new URLSearchParams(Object.entries({ status, workflow, limit: '100' }).filter(([, v]) => v));
  const state = refresher(
    ctx.guard('runs', async () => {
      const { runs } = await ctx.api.get(`/api/runs?${query}`);
      replace(
        list,
        runs.length === 0
          ? empty(status ? `No ${status} runs.` : 'No runs yet.', 'Remediations run as workflows too; so do yours, with `homeostat worker`.')
          : h(
              'table',
              { class: 'grid', 'aria-label': 'runs' },
              h('thead', null, h('tr', null, ['status', 'run', 'workflow', 'created', 'took', 'redrives', 'error'].map((c) => h('th', { scope: 'col' }, c)))),
              h(
                'tbody',
                null,
                runs.map((run) =>
                  h(
                    'tr',
                    { dataset: { run: run.id, status: run.status } },
                    h('td', null, badge(run.status)),
                    h('th', { scope: 'row' }, h('a', { href: `#/runs/${encodeURIComponent(run.id)}` }, run.id)),
                    h('td', null, run.workflow),
                    h('td', null, relTime(run.createdAt)),
                    h('td', { class: 'num' }, run.finishedAt ? duration(run.finishedAt - run.createdAt) : '–'),
                    h('td', { class: 'num' }, String(run.generation)),
                    h('td', { class: 'error-text wrap' }, run.error ? oneLine(`${run.error.code ?? run.error.name}: ${run.error.message}`, 100) : ''),
                  ),
                ),
              ),
            ),
      );
    }),
    { everyMs: 5_000 },
  );
  return {
    onEvent: (event) => (event.type === 'run-finished' || event.type === 'resync') && state.soon(),
    unmount: () => state.stop(),
  };
}

function redriveControls(details, ctx, done) {
  const { run, steps } = details;
  const failed = steps.find((s) => s.status === 'failed');
  const from = h(
    'select',
    { 'aria-label': 'Redrive from step' },
    h('option', { value: '' }, failed ? `the failed step (#${failed.seq} ${failed.name})` : 'the default step'),
    steps.filter((s) => s.kind === 'step').map((s) => h('option', { value: String(s.seq) }, `#${s.seq} ${s.name}`)),
  );
  const button = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      'aria-label': `Redrive run ${run.id}`,
      onclick: async () => {
        button.disabled = true;
        try {
          const body = from.value === '' ? {} : { fromStep: Number(from.value) };
          const answer = await ctx.api.post(`/api/runs/${encodeURIComponent(run.id)}/redrive`, body);
          ctx.banners.show(`Redriven: run ${run.id} is ${answer.run.status} again (redrive ${answer.run.generation})`, 'notice');
          done();
        } catch (error) {
          ctx.report(error, `redrive-${run.id}`);
          button.disabled = false;
        }
      },
    },
    'Redrive',
  );
  return h('div', { class: 'redrive' }, h('label', null, 'from ', from), button);
}

export function mountDetail(root, ctx, { match }) {
  const id = decodeURIComponent(match[1]);
  const head = h('div', null, loading());
  const steps = h('div');
  // Shown only for a run that ran a task graph: most runs have none.
  const graphBox = h('div');
  const graphPanel = panel('task-graph', 'Task graph', graphBox);
  graphPanel.hidden = true;
  replace(root, h('p', { class: 'crumbs' }, h('a', { href: '#/runs' }, '← Runs')), head, graphPanel, panel('steps', 'Steps', steps));
  const state = refresher(
    ctx.guard('run', async () => {
      const details = await ctx.api.get(`/api/runs/${encodeURIComponent(id)}`);
      const { run } = details;
      replace(
        head,
        h(
          'div',
          { class: 'run-head', dataset: { run: run.id, status: run.status } },
          h('div', { class: 'view-header' }, h('h1', null, `Run ${run.id}`, ' ', badge(run.status)), REDRIVABLE.includes(run.status) ? redriveControls(details, ctx, () => state.now()) : null),
          h(
            'dl',
            { class: 'facts' },
            h('dt', null, 'workflow'),
            h('dd', null, run.workflow),
            h('dt', null, 'created'),
            h('dd', null, relTime(run.createdAt)),
            h('dt', null, 'took'),
            h('dd', null, run.finishedAt ? duration(run.finishedAt - run.createdAt) : 'still going'),
            h('dt', null, 'redrives'),
            h('dd', null, String(run.generation)),
            run.ownerId ? [h('dt', null, 'owner'), h('dd', null, `${run.ownerId} (epoch ${run.epoch})`)] : null,
          ),
          run.error ? h('p', { class: 'error-text' }, `${run.error.code ?? run.error.name}: ${run.error.message}`) : null,
        ),
      );
      replace(steps, runTimeline(details));
      const { graphs } = await ctx.api.get(`/api/runs/${encodeURIComponent(id)}/graph`);
      graphPanel.hidden = graphs.length === 0;
      replace(graphBox, graphs.length === 0 ? null : taskGraphs(graphs));
    }),
    { everyMs: 3_000 },
  );
  return {
    onEvent: (event) => ((event.type === 'run-finished' && event.runId === id) || event.type === 'resync') && state.soon(),
    unmount: () => state.stop(),
  };
}
