// A run's task graphs as tables ordered by layer: a task's layer is one more than its
// deepest dependency, so reading top to bottom follows the order work can happen in.
// A table and not a drawing: the questions asked of it (what is stuck, who holds it, why it
// failed) are answered by reading rows.
import { h } from '../dom.js';
import { badge } from './health.js';
import { relTime } from './relative-time.js';

/** Layer of every task id: 1 for tasks without dependencies. */
function layers(tasks) {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const layer = new Map();
  const depth = (id, seen) => {
    if (layer.has(id)) return layer.get(id);
    const task = byId.get(id);
    // The API rejects cycles; `seen` only keeps a malformed answer from looping the page.
    if (!task || seen.has(id)) return 0;
    seen.add(id);
    const d = 1 + Math.max(0, ...task.dependsOn.map((dep) => depth(dep, seen)));
    layer.set(id, d);
    return d;
  };
  for (const task of tasks) depth(task.id, new Set());
  return layer;
}

function graphTable(graph) {
  const layer = layers(graph.tasks);
  const ordered = [...graph.tasks].sort((a, b) => layer.get(a.id) - layer.get(b.id));
  const counts = ['completed', 'running', 'pending', 'failed', 'cancelled'].map((state) => [state, graph.tasks.filter((task) => task.state === state).length]).filter(([, n]) => n > 0);
  return h(
    'div',
    { class: 'task-graph', dataset: { graph: graph.name } },
    h('h3', null, `graph ${graph.name}`, ' ', h('span', { class: 'muted', 'aria-label': `graph ${graph.name} by state` }, counts.map(([state, n]) => `${n} ${state}`).join(' · '))),
    h(
      'table',
      { class: 'grid', 'aria-label': `task graph ${graph.name}` },
      h('thead', null, h('tr', null, ['layer', 'task', 'state', 'kind', 'routed to', 'agent / answerer', 'depends on', 'attempts', 'due', 'error'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        null,
        ordered.map((task) =>
          h(
            'tr',
            { dataset: { task: task.id, state: task.state } },
            h('td', { class: 'num' }, String(layer.get(task.id))),
            h('th', { scope: 'row' }, task.id, task.planner ? h('span', { class: 'muted' }, ' (planner)') : null, task.addedBy ? h('span', { class: 'muted' }, ` added by ${task.addedBy}`) : null),
            h('td', null, badge(task.state)),
            h('td', null, task.kind),
            h('td', null, task.kind === 'human' ? h('a', { href: '#/inbox' }, task.routedTo) : task.routedTo),
            h('td', null, task.agent ?? '–'),
            h('td', null, task.dependsOn.length > 0 ? task.dependsOn.join(', ') : '–'),
            h('td', { class: 'num' }, String(task.attempts)),
            // A due time matters only while the task is waited on.
            h('td', null, task.dueAt === null || task.state !== 'running' ? '–' : relTime(task.dueAt)),
            h('td', { class: 'error-text wrap' }, task.error ?? ''),
          ),
        ),
      ),
    ),
  );
}

/** Every graph of a run, one table each. */
export function taskGraphs(graphs) {
  return h('div', null, graphs.map((graph) => graphTable(graph)));
}
