import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpHarness, webhookReceiver } from './loop-harness.js';

const service = (name: string, extra = '') => `
  ${name}:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES${extra}
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }`;

test('case 2: hang → liveness → restart → resolved', async () => {
  const h = new UpHarness(`services:${service('api')}
policies:
  hang:
    match: { symptom: [liveness-failing] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 500ms, timeout: 15s }
`);
  try {
    await h.up();
    await h.healthy('api');
    await h.fault('api#0', 'hang');
    const incident = await h.waitForIncident((i) => i.status === 'resolved', 30_000, 'the hang incident resolved');
    assert.equal(incident.symptom, 'liveness-failing');
    const shown = await h.cli('incident', 'show', incident.id);
    assert.match(shown.out, /liveness probe of api#0 went passing → failing/);
    assert.match(shown.out, /RESOLVED by restart api#0/);
  } finally {
    await h.close();
  }
});

test('case 3: a remediation that does not help → next rung → escalation webhook; slow retries continue without paging again', async () => {
  const hook = await webhookReceiver();
  const h = new UpHarness(`services:${service('broken', '\n    env: { CRASH_ON_START: "1" }\n    restartBackoff: { initial: 100ms, max: 500ms }')}
policies:
  crash:
    match: { symptom: [process-crashed, crash-looping] }
    ladder: [{ action: restart }, { action: stop-start }]
    verify: { healthyFor: 300ms, timeout: 1s }
guardrails: { budgets: { perElement: { max: 20, window: 1h } } }
escalation:
  retryEvery: 1500ms
  webhooks:
    - { url: "${hook.url}/pd", format: pagerduty, routingKey: R1 }
    - { url: "${hook.url}/slack", format: slack }
`);
  try {
    await h.up();
    const incident = await h.waitForIncident((i) => i.status === 'escalated', 30_000, 'the incident escalated');
    await h.waitFor(() => hook.received.length >= 2, 10_000, 'two escalation webhooks');
    const pd = hook.received.find((r) => r.path === '/pd')!.body as { dedup_key: string; payload: { custom_details: { explanation: string[] } } };
    assert.equal(pd.dedup_key, incident.id);
    assert.ok(pd.payload.custom_details.explanation.some((line) => /verification/.test(line)), JSON.stringify(pd));
    assert.match(String((hook.received.find((r) => r.path === '/slack')!.body as { text: string }).text), /broken/);
    // Slow retries: the ladder runs again after retryEvery and escalates again, without a
    // second page while the first is outstanding (issue 14).
    await h.waitFor(async () => (await h.knowledge().incidents.explain(incident.id))!.entries.some((e) => e.kind === 'note' && /slow retry 1/.test(String(e.data.detail))), 15_000, 'a slow retry');
    await h.waitFor(async () => (await h.knowledge().incidents.explain(incident.id))!.entries.some((e) => e.kind === 'escalation' && /^already paged at/.test(String(e.data.detail))), 15_000, 'the slow retry escalating again');
    assert.equal(hook.received.length, 2, 'one page per webhook');
    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const verifications = explained.entries.filter((e) => e.kind === 'verification');
    assert.ok(verifications.length >= 3 && verifications.every((v) => v.data.ok === false), JSON.stringify(verifications));
    const actions = explained.entries.filter((e) => e.kind === 'action').map((e) => String(e.data.action));
    assert.deepEqual(actions.slice(0, 2), ['restart broken#0', 'stop-start broken']);
  } finally {
    await h.close();
    await hook.close();
  }
});

test('case 5: dry-run executes nothing but records the whole decision', async () => {
  const h = new UpHarness(`services:${service('api')}
guardrails: { dryRun: true }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }, { action: stop-start }]
`);
  try {
    await h.up();
    await h.healthy('api');
    await h.fault('api#0', 'crash');
    const incident = await h.waitForIncident((i) => i.status === 'escalated', 30_000, 'the dry-run decision recorded');
    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const actions = explained.entries.filter((e) => e.kind === 'action');
    assert.equal(actions.length, 2);
    assert.ok(actions.every((a) => a.data.dryRun === true));
    assert.ok(explained.entries.filter((e) => e.kind === 'guard').every((g) => g.data.dryRun === true && g.data.allowed === true));
    assert.equal(explained.entries.at(-1)!.data.outcome, 'dry-run');
    const audit = await h.db().listAudit({ afterSeq: 0, limit: 1_000 });
    assert.equal(audit.filter((a) => a.action.startsWith('action.')).length, 0, 'no action was executed');
    assert.doesNotMatch(await h.metrics(), /homeostat_actions_total\{/);
    assert.match((await h.cli('incident', 'show', incident.id)).out, /NOT executed \(dry-run\)/);
  } finally {
    await h.close();
  }
});

test('case 6: many replicas failing at once — blast radius and budgets hold, and the decisions say so', async () => {
  const h = new UpHarness(`services:${service('api', '\n    replicas: 4')}
guardrails:
  blastRadius: { maxReplicas: 1 }
  budgets: { perElement: { max: 1, window: 1h } }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: service }, { action: restart }, { action: stop-start, scope: instance }]
    verify: { healthyFor: 500ms, timeout: 10s }
escalation: { retryEvery: 1h }
`);
  try {
    await h.up();
    await h.healthy('api', 4);
    await Promise.all(['api#0', 'api#1', 'api#2', 'api#3'].map((i) => h.fault(i, 'crash')));
    const first = await h.waitForIncident((i) => i.status === 'resolved', 30_000, 'the first incident resolved');
    const chain = (await h.knowledge().incidents.explain(first.id))!.entries;
    const guards = chain.filter((e) => e.kind === 'guard');
    assert.equal(guards[0]!.data.allowed, false, 'restarting every replica at once is refused');
    assert.match(JSON.stringify(guards[0]!.data.results), /would make 4, limit 1","guard":"blast-radius","ok":false/);
    assert.equal(guards[1]!.data.allowed, true);
    assert.equal(chain.filter((e) => e.kind === 'action').length, 1, 'one replica at a time');
    assert.match((await h.cli('incident', 'show', first.id)).out, /DENIED by blast-radius/);

    await h.healthy('api', 4);
    await h.fault('api#2', 'crash');
    const second = await h.waitForIncident((i) => i.id !== first.id && i.status === 'escalated', 30_000, 'the second incident escalated: budget spent');
    const denied = (await h.knowledge().incidents.explain(second.id))!.entries.filter((e) => e.kind === 'guard' && e.data.allowed === false);
    assert.ok(denied.some((g) => /budget:element/.test(JSON.stringify(g.data.results))), JSON.stringify(denied));
    assert.match((await h.cli('incident', 'show', second.id)).out, /DENIED by budget:element \(spent: 1 actions per 3600000 ms on api\)/);
  } finally {
    await h.close();
  }
});
