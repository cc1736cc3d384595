// Stand-in agent processes against a real `homeostat up`: each gets its own agent token from
// `homeostat token create --role agent` and is ready once it printed that it registered.
import assert from 'node:assert/strict';
import type { ChildGroup, JsonChild } from '../integration/helpers/child.js';
import type { UpHarness } from './loop-harness.js';

/** The API URL `up` printed once it listens. */
export async function upApiUrl(h: UpHarness): Promise<string> {
  return /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
}

/**
 * Start `fixture` as agent `name` with a token of its own: argv `<api url> <token> <name> ...args`.
 * @example const adder = await spawnUpAgent(h, children, apiUrl, QUORUM_AGENT, 'adder-1', ['add', '3', '20']);
 */
export async function spawnUpAgent(h: UpHarness, children: ChildGroup, apiUrl: string, fixture: URL, name: string, args: string[]): Promise<JsonChild> {
  const created = await h.cli('token', 'create', '--role', 'agent', '--name', `${name}-token`);
  assert.equal(created.status, 0, created.out);
  const child = children.spawn(fixture, [apiUrl, created.out.split('\n')[0]!, name, ...args]);
  await child.waitForLine((line) => line.type === 'registered', 15_000, `${name} registered`);
  return child;
}
