/**
 * A stand-in agent of the research-report demo: a plain Node process that speaks the agent
 * protocol with its own token through `AgentClient`, like a real agent would. It does its
 * capability's work deterministically (no model behind it), slowly enough for the demo to
 * kill it mid-task. With `wrong` it is byzantine: on time, well-formed and wrong — which
 * only a quorum can tell.
 *
 * argv: <api url> <token> <name> <capability> <work ms> [wrong]
 * stdout: one JSON line per event (`registered`, `claimed`, `completed`, `lost`, `refused`), read by the demo.
 */
import { AgentClient } from '../../src/index.js';
import { doWork } from './agent-work.js';

const [url, token, name, capability, workMs, mode] = process.argv.slice(2);
if (!url || !token || !name || !capability || !workMs) {
  console.error('usage: agent-process.js <api url> <token> <name> <capability> <work ms> [wrong]');
  process.exit(2);
}
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

// The demo holds our stdin open: when it ends (the demo died, however), we go too, so no
// stand-in outlives the demo.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

const agent = new AgentClient({
  url,
  token,
  name,
  capabilities: [capability],
  version: '1.0.0',
  capacity: 1,
  owner: capability === 'extract' ? 'team-facts' : 'team-research',
  onEvent: (event) => {
    if (event.kind === 'registered') print({ type: 'registered' });
    else if (event.kind === 'claimed' || event.kind === 'lost') print({ type: event.kind, id: event.task.id, capability: event.task.capability });
    else if (event.kind === 'completed') print({ type: 'completed', id: event.task.id });
    else if (event.kind === 'refused') print({ type: 'refused', id: event.task.id, code: event.code });
  },
});

await agent.run(async (task) => {
  await new Promise((resolve) => setTimeout(resolve, Number(workMs)));
  return doWork(capability, task.input, mode === 'wrong');
});
