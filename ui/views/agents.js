// Agents: each registered agent's health (from its heartbeat's age), standing (in service,
// quarantined or retired, by whom and why), load against capacity, reliability in quorums,
// capabilities, version and owner; and the tasks dispatched to them, with their state.
// Read-only: agents act through their own tokens, people through approvals.
import { empty, h, replace } from '../dom.js';
import { badge } from '../components/health.js';
import { relTime } from '../components/relative-time.js';
import { duration } from '../format.js';
import { loading, panel, refresher, viewHeader } from '../view-kit.js';
import { watchQuorums } from '../components/agent-quorums.js';

const TASK_STATES = ['queued', 'claimed', 'completed', 'failed', 'dead'];

/** `1/2` with a bar: how full the agent is. */
function loadCell(agent) {
  const share = agent.capacity > 0 ? Math.min(1, agent.load / agent.capacity) : 0;
  return h(
    'td',
    { class: 'load' },
    h('meter', { min: 0, max: agent.capacity, value: agent.load, 'aria-label': `load of ${agent.name}: ${agent.load} of ${agent.capacity}` }),
    ` ${agent.load}/${agent.capacity}${share >= 1 ? ' (full)' : ''}`,
  );
}

/** In service, or taken out: quarantined (by the loop or a person) or retired by a `replace`, with who and why. */
function standingCell(agent) {
  const out = agent.retired ? ['retired', agent.retired] : agent.quarantine ? ['quarantined', agent.quarantine] : undefined;
  if (!out) return h('td', null, badge('in-service', 'in service'));
  const [state, by] = out;
  return h('td', { class: 'wrap' }, badge(state), ` by ${by.by} `, relTime(by.at), `: ${by.reason}`);
}

/** Votes agreed with the accepted answer, of votes cast in quorums. */
function reliabilityCell(agent) {
  const { votes, agreed, rate } = agent.reliability;
  if (votes === 0) return h('td', { class: 'muted' }, 'no votes');
  return h('td', { title: `agreed with the accepted answer in ${agreed} of ${votes} quorum votes` }, `${Math.round(rate * 100)} % (${agreed}/${votes})`);
}

function agentsTable(agents) {
  if (agents.length === 0) return empty('No agent has registered.', 'An agent registers with its own token: homeostat token create --role agent --name NAME (docs/agents.md).');
  return h(
    'table',
    { class: 'grid', 'aria-label': 'agents' },
    h('thead', null, h('tr', null, ['agent', 'health', 'standing', 'load', 'reliability', 'capabilities', 'version', 'owner', 'last heartbeat'].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      null,
      agents.map((agent) =>
        h(
          'tr',
          { dataset: { agent: agent.name, health: agent.health, standing: agent.retired ? 'retired' : agent.quarantine ? 'quarantined' : 'in-service' } },
          h('th', { scope: 'row' }, agent.name),
          h('td', null, badge(agent.health)),
          standingCell(agent),
          loadCell(agent),
          reliabilityCell(agent),
          h('td', null, agent.capabilities.join(', ')),
          h('td', null, agent.version),
          h('td', null, agent.owner),
          // The server's age, not this browser's clock: a dead agent must not read "just now".
          h('td', { title: `promises one every ${duration(agent.heartbeatMs)}` }, `${duration(agent.heartbeatAgeMs)} ago`),
        ),
      ),
    ),
  );
}

function tasksTable(tasks) {
  if (tasks.length === 0) return empty('No agent tasks yet.', 'A workflow step hands one out with agents.task(ctx, name, { capability, input }).');
  const counts = TASK_STATES.map((state) => [state, tasks.filter((task) => task.status === state).length]).filter(([, n]) => n > 0);
  return h(
    'div',
    null,
    h('p', { class: 'muted', 'aria-label': 'tasks by state' }, counts.map(([state, n]) => `${n} ${state}`).join(' · ')),
    h(
      'table',
      { class: 'grid', 'aria-label': 'agent tasks' },
      h('thead', null, h('tr', null, ['task', 'capability', 'state', 'agent', 'generation', 'lapses', 'run', 'created', 'why'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        null,
        tasks.map((task) =>
          h(
            'tr',
            { dataset: { task: task.id, status: task.status } },
            h('th', { scope: 'row' }, task.name),
            h('td', null, task.capability),
            h('td', null, badge(task.status)),
            h('td', null, task.agent ?? '–'),
            h('td', null, String(task.generation)),
            h('td', null, `${task.lapses}/${task.maxLapses}`),
            h('td', null, h('a', { href: `#/runs/${encodeURIComponent(task.runId)}` }, task.runId)),
            h('td', null, relTime(task.createdAt)),
            h('td', { class: 'wrap' }, task.error ?? ''),
          ),
        ),
      ),
    ),
  );
}

export function mount(root, ctx) {
  const agentsBox = h('div', null, loading());
  const tasksBox = h('div', null, loading());
  const quorumsBox = h('div', null, loading());
  replace(root, viewHeader('Agents'), panel('agents', 'Registered agents', agentsBox), panel('agent-quorums', 'Quorums', quorumsBox), panel('agent-tasks', 'Tasks', tasksBox));
  const quorums = watchQuorums(quorumsBox, ctx);
  const state = refresher(
    ctx.guard('agents', async () => {
      const [listed, dispatched] = await Promise.all([ctx.api.get('/api/agents'), ctx.api.get('/api/agents/tasks?limit=200')]);
      replace(agentsBox, agentsTable(listed.agents));
      // Newest first: the listing is oldest first, and the recent ones are what an operator looks for.
      replace(tasksBox, tasksTable([...dispatched.tasks].reverse()));
    }),
    // No live event carries an agent's heartbeat: health comes from polling.
    { everyMs: 1_000 },
  );
  return {
    onEvent: (event) => (event.type === 'run-finished' || event.type === 'resync') && state.soon(),
    unmount: () => {
      state.stop();
      quorums.stop();
    },
  };
}
