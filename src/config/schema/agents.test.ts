import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../config-error.js';
import { parseConfig } from '../load-config.js';

function errorsOf(text: string): string[] {
  try {
    parseConfig(text, { file: '/tmp/x/homeostat.yaml', displayName: 'homeostat.yaml' });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message.split('\n').filter((line) => line.startsWith('homeostat.yaml'));
  }
  assert.fail('expected a config error');
}

const SERVICES = 'services:\n  api:\n    command: node\n';

test('an agent\'s allow-list gets its defaults: high risk, approvals denied after 5 minutes', () => {
  const { config } = parseConfig(`${SERVICES}agents:\n  ops-bot:\n    actions:\n      restart-api: { service: api, do: { action: restart } }\n`, { file: '/srv/homeostat.yaml' });
  assert.deepEqual(config.agents['ops-bot']!.actions['restart-api'], { service: 'api', risk: 'high', approvalTtl: 300_000, do: { action: 'restart', scope: 'instance' } });
  assert.deepEqual(parseConfig(SERVICES, { file: '/srv/homeostat.yaml' }).config.agents, {}, 'no agents: nobody may request anything');
});

test('an allow-list entry naming an unknown service, or an action an agent may never hold, is refused at its line', () => {
  const errors = errorsOf(`${SERVICES}agents:
  ops-bot:
    actions:
      restart-web: { service: web, do: { action: restart } }
`);
  assert.deepEqual(errors, ['homeostat.yaml:7:31: agents.ops-bot.actions.restart-web.service: "web" is not a service in this file']);
  for (const forbidden of ['{ action: command, run: "rm -rf /" }', '{ action: rollback }', '{ action: webhook, url: "http://127.0.0.1:1/" }']) {
    const refused = errorsOf(`${SERVICES}agents:\n  ops-bot:\n    actions:\n      bad: { service: api, do: ${forbidden} }\n`);
    assert.equal(refused.length, 1, refused.join('\n'));
    assert.match(refused[0]!, /^homeostat\.yaml:7:\d+: agents\.ops-bot\.actions\.bad\.do\.action: .*'restart' \| 'stop-start' \| 'scale' \| 'workflow'/);
  }
  assert.match(errorsOf(`${SERVICES}agents:\n  ops-bot:\n    actions:\n      Restart API: { service: api, do: { action: restart } }\n`)[0]!, /^homeostat\.yaml:7:\d+: agents\.ops-bot\.actions\.Restart API: Invalid key/);
});

test('agentElements.processes names, for each agent, a service of this file: another name, or a bad agent name, is refused at its line', () => {
  const { config } = parseConfig(`${SERVICES}agentElements:\n  processes: { researcher-1: api }\n`, { file: '/srv/homeostat.yaml' });
  assert.deepEqual(config.agentElements!.processes, { 'researcher-1': 'api' });
  assert.deepEqual(parseConfig(`${SERVICES}agentElements: {}\n`, { file: '/srv/homeostat.yaml' }).config.agentElements!.processes, {}, 'none by default: no agent can be restarted');
  assert.deepEqual(errorsOf(`${SERVICES}agentElements:\n  processes:\n    researcher-1: researcher\n`), [
    'homeostat.yaml:6:19: agentElements.processes.researcher-1: "researcher" is not a service in this file: the agent\'s process must be one homeostat supervises',
  ]);
  assert.match(errorsOf(`${SERVICES}agentElements:\n  processes:\n    "bad name": api\n`)[0]!, /^homeostat\.yaml:6:\d+: agentElements\.processes\.bad name: /);
  assert.match(errorsOf(`${SERVICES}agents:\n  ops-bot:\n    rateLimit: { max: 0, per: 1m }\n`)[0]!, /^homeostat\.yaml:6:\d+: agents\.ops-bot\.rateLimit\.max: /);
});
