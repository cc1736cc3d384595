// One stand-in agent process for the agent benchmark: the library's AgentClient with an
// instant handler (or one that never finishes, `hang`), printing a JSON line per event.
// argv: <api url> <token> <name> <capacity> <instant|hang>; an agent of capacity 1 prints its claims.
import { pathToFileURL } from 'node:url';
import { libraryPath } from '../engine/common.mjs';

const { AgentClient } = await import(pathToFileURL(libraryPath).href);
const [url, token, name, capacity, mode] = process.argv.slice(2);
process.stdin.on('end', () => process.exit(0)).resume();
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const agent = new AgentClient({
  url,
  token,
  name,
  capabilities: ['bench'],
  version: '1',
  capacity: Number(capacity),
  owner: 'bench',
  onEvent: (event) => {
    if (event.kind === 'registered') print({ type: 'registered' });
    // Claims are printed only by agents of the reassignment runs (capacity 1), not in the throughput runs.
    else if (event.kind === 'claimed' && Number(capacity) === 1) print({ type: 'claimed', id: event.task.id });
    else if (event.kind === 'error') print({ type: 'error', message: String(event.error?.message ?? event.error) });
  },
});
await agent.run(mode === 'hang' ? () => new Promise(() => {}) : (task) => ({ ok: true, n: task.input.n }));
