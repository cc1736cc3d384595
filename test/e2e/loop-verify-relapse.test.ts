import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { UpHarness } from './loop-harness.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

// The app is ready for 3 s after each start, then not. The restart makes it ready again —
// for 3 s: verification, which needs 10 s within 40 s, must fail at that relapse, not wait
// out the 40 s, and the ladder goes on to its next rung.
const SYSTEM = `
services:
  relapsing:
    command: $NODE
    args: [relapsing-app.js, --port, "{{port}}"]
    cwd: ${FIXTURES}
    env: { READY_FOR: "3000" }
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
      readiness: { http: /ready, period: 250ms, timeout: 500ms, failureThreshold: 2 }
policies:
  not-ready:
    match: { symptom: [readiness-failing] }
    ladder: [{ action: restart }, { action: escalate }]
    verify: { healthyFor: 10s, timeout: 40s }
escalation: { retryEvery: 1h }
`;

test('verification ends at the first relapse: ready again after the restart, failing again 3 s later → the rung fails then, not at the 40 s timeout', async () => {
  const h = new UpHarness(SYSTEM);
  try {
    await h.up();
    const verification = await h.waitFor(
      async () => {
        const incident = (await h.incidents())[0];
        if (!incident) return undefined;
        return (await h.knowledge().incidents.explain(incident.id))!.entries.find((e) => e.kind === 'verification');
      },
      30_000,
      'the restart verified (or not)',
    );
    assert.equal(verification.data.action, 'restart relapsing#0');
    assert.equal(verification.data.ok, false);
    assert.equal(verification.data.relapsed, true, String(verification.data.detail));
    assert.match(String(verification.data.detail), /^relapsed: healthy for \d+ ms, then failing again \d+ ms after verification began \(needed 10000 ms\): relapsing probes failing \(readiness-failing\)$/);
    assert.ok(Number(verification.data.tookMs) < 40_000, `ended before the timeout: ${verification.data.tookMs} ms`);
    const incident = await h.waitForIncident((i) => i.status === 'escalated', 20_000, 'the ladder went on to escalate');
    const entries = (await h.knowledge().incidents.explain(incident.id))!.entries;
    assert.ok(entries.some((e) => e.kind === 'escalation' && e.data.rung === 1), 'the escalate rung ran after the failed verification');
  } finally {
    await h.close();
  }
});
