import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileReadyService, UpHarness } from './loop-harness.js';

/** `web` is not ready while the file `broken` exists: a restart cannot heal it, a human (deleting it) can. */
function config(unreadyFile: string): string {
  return `
services:
${fileReadyService('web', unreadyFile)}policies:
  not-ready:
    match: { symptom: [readiness-failing] }
    ladder: [{ action: restart, scope: instance }, { action: escalate }]
    verify: { healthyFor: 300ms, timeout: 3s }
escalation: { retryEvery: 6s }
`;
}

test('an escalated incident fixed by hand is resolved externally at the next slow retry: no action credited, outcome statistics unchanged', async () => {
  const h = new UpHarness('');
  const unreadyFile = join(h.dir, 'broken');
  writeFileSync(unreadyFile, 'broken\n');
  writeFileSync(h.configPath, `stateDir: state\n${config(unreadyFile).replaceAll('$NODE', process.execPath)}`);
  try {
    await h.up();
    const escalated = await h.waitForIncident((i) => i.status === 'escalated', 60_000, 'the readiness incident escalated after the restart did not help');
    const knowledge = h.knowledge();
    const statsAtEscalation = await h.db().listOutcomeStats();
    const restart = statsAtEscalation.find((s) => s.action === 'restart');
    assert.deepEqual({ successes: restart?.successes, failures: restart?.failures }, { successes: 0, failures: 1 }, 'the restart ran and did not help');

    // The operator fixes it by hand while it is escalated.
    rmSync(unreadyFile);
    const resolved = await h.waitForIncident((i) => i.id === escalated.id && i.status === 'resolved', 60_000, 'the incident resolved at the next slow retry');
    assert.equal(resolved.resolution, 'external');
    assert.equal(resolved.resolvedBy, null);
    assert.match(resolved.summary, /^resolved externally: every symptom cleared \(readiness-failing on web\) and web healthy/);

    const entries = (await knowledge.incidents.explain(escalated.id))!.entries;
    const outcome = entries.filter((e) => e.kind === 'outcome').at(-1)!;
    assert.equal(outcome.data.resolution, 'external', JSON.stringify(outcome.data));
    assert.equal(outcome.data.by, undefined, 'no action is named as the one that healed it');
    assert.equal(entries.filter((e) => e.kind === 'action').length, 1, `only the first restart ran: ${JSON.stringify(entries.map((e) => e.data))}`);
    assert.equal(entries.some((e) => e.kind === 'note' && /slow retry/.test(String(e.data.detail))), false, 'the ladder did not run again');
    assert.deepEqual(await h.db().listOutcomeStats(), statsAtEscalation, 'outcome statistics unchanged');

    await h.waitForLine(new RegExp(`incident ${escalated.id} resolved externally after \\d+\\.\\d s`), 15_000);
    const shown = await h.cli('incident', 'show', escalated.id);
    assert.match(shown.out, /RESOLVED — resolved externally: every symptom cleared/);
    assert.match(await h.metrics(), /homeostat_incidents_resolved_total\{resolution="external",symptom="readiness-failing"\} 1/);
  } finally {
    await h.close();
  }
});
