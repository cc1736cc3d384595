import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiDiscovery } from '../../src/cli/api-discovery.js';
import { remediationReference } from '../../src/execute/remediation-reference.js';
import { fileReadyService, UpHarness, webhookReceiver } from './loop-harness.js';


/**
 * Two services that stay unready: `app`'s policy restarts it and then verifies for a minute
 * (its remediation is running, in its verify step, when the operator closes it); `lonely`
 * has no policy, so it is escalated and paged at once. Closing each by hand through the
 * running up's API stops the run mid-step, and sends the page's resolve, with resolution
 * `operator`.
 */
test('an operator closes a remediating incident (its run stopped mid-verify) and an escalated, paged one (the page is resolved)', async () => {
  const hook = await webhookReceiver();
  const control = mkdtempSync(join(tmpdir(), 'homeostat-unready-'));
  const unready = join(control, 'unready');
  writeFileSync(unready, 'until the operator fixes it by hand');
  const service = (name: string) => fileReadyService(name, unready);
  const h = new UpHarness(`services:
${service('app')}${service('lonely')}policies:
  unready:
    match: { symptom: [readiness-failing], service: [app] }
    ladder: [{ action: restart }, { action: escalate }]
    verify: { healthyFor: 300ms, timeout: 60s }
escalation:
  retryEvery: 1h
  webhooks:
    - { url: "${hook.url}/json", format: json }
`);
  try {
    await h.up();
    const apiActor = `api:local-up-${(JSON.parse(readFileSync(join(h.dir, 'state', 'api.json'), 'utf8')) as ApiDiscovery).pid}`;
    const remediating = await h.waitForIncident((i) => i.element === 'app' && i.status === 'remediating', 60_000, 'app remediating');
    const runId = remediationReference(remediating, 0).runId;
    const entries = async (id: string) => (await h.knowledge().incidents.explain(id))!.entries;
    await h.waitFor(async () => (await entries(remediating.id)).some((e) => e.kind === 'action' && e.data.ok === true), 30_000, "app's restart done, its verification under way");
    assert.equal((await h.db().getRun(runId))?.status, 'running');

    const closedApp = await h.cli('incident', 'close', remediating.id, '--reason', 'config fixed by hand');
    assert.equal(closedApp.status, 0, closedApp.out);
    assert.match(closedApp.out, new RegExp(`incident ${remediating.id} closed by ${apiActor}\\n  cancelled remediation ${runId}$`));
    assert.equal((await h.db().getRun(runId))?.status, 'cancelled');

    const lonely = await h.waitForIncident((i) => i.element === 'lonely' && i.status === 'escalated', 60_000, 'lonely escalated');
    await h.waitFor(() => hook.received.some((p) => p.body.event === 'trigger' && (p.body.incident as { id: string }).id === lonely.id), 30_000, 'the page for lonely');
    const closedLonely = await h.cli('incident', 'close', lonely.id, '--reason', 'disk replaced');
    assert.equal(closedLonely.status, 0, closedLonely.out);
    const resolve = await h.waitFor(() => hook.received.find((p) => p.body.event === 'resolve' && (p.body.incident as { id: string }).id === lonely.id), 30_000, "lonely's page resolved");
    assert.deepEqual([(resolve.body.incident as { resolution: string }).resolution, (resolve.body.incident as { resolvedBy: string }).resolvedBy], ['operator', apiActor]);

    // The loop does not take either back: both stay closed by the operator, and app's stopped run wrote no status over it.
    await h.waitFor(async () => (await entries(lonely.id)).some((e) => e.kind === 'escalation' && e.data.event === 'resolve'), 30_000, 'the resolve recorded');
    for (const id of [remediating.id, lonely.id]) {
      const incident = (await h.db().getIncident(id))!;
      assert.deepEqual([incident.status, incident.resolution, incident.resolvedBy], ['resolved', 'operator', apiActor], id);
    }
    assert.equal(hook.received.filter((p) => p.body.event === 'resolve' && (p.body.incident as { id: string }).id === remediating.id).length, 0, 'app was never paged, so no resolve for it');
  } finally {
    await h.close();
    await hook.close();
    rmSync(control, { recursive: true, force: true });
  }
});
