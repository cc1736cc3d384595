import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISSENTER, OPERATOR, runDemo, VICTIM } from '../../examples/agents/demo.js';
import { formatReport } from '../../examples/agents/report.js';
import { tempDir } from './temp-store.js';

// The `npm run demo:agents` demo end to end — a real `homeostat up`, eight stand-in agent
// processes with their own tokens, a real SIGKILL, the loop's quarantine and the CLI's
// inbox answer — so that a silently broken demo fails here rather than in front of a user.
test('the agents demo: the report completes, the killed researcher\'s task is done by another, the dissenter is outvoted and quarantined, the operator answers the review', { timeout: 150_000 }, async () => {
  const tmp = tempDir('homeostat-demo-agents-');
  const log: string[] = [];
  try {
    const report = await runDemo({ stateDir: tmp.dir, log: (line) => log.push(line) });
    const explain = `${formatReport(report)}\n\nlive log:\n${log.join('\n')}`;

    assert.equal(report.runStatus, 'completed', explain);
    assert.equal(report.ok, true, explain);
    assert.match(report.output!.body, /control-theory paper \(1948\)/, explain);
    assert.equal(report.output!.reviewNote, 'checked against the sources; publish', explain);

    // The killed agent's task: claimed by it, lapsed, then done by another researcher.
    assert.equal(report.kill.agent, VICTIM);
    assert.equal(report.kill.status, 'completed', explain);
    assert.ok(report.kill.finishedBy !== null && report.kill.finishedBy !== VICTIM && report.kill.finishedBy.startsWith('researcher-'), explain);
    const kinds = report.kill.history.map((e) => `${e.kind}:${e.agent ?? '-'}`);
    assert.ok(kinds.includes(`claimed:${VICTIM}`) && kinds.includes(`lapsed:${VICTIM}`) && kinds.at(-1) === `completed:${report.kill.finishedBy}`, explain);

    // Three quorums, each accepted on the honest answer, the dissenter outvoted every time.
    assert.equal(report.quorums.length, 3, explain);
    for (const quorum of report.quorums) {
      assert.equal(quorum.status, 'accepted', explain);
      assert.deepEqual(quorum.votes.filter((v) => !v.agreed).map((v) => v.voter), [DISSENTER], explain);
    }
    assert.deepEqual(report.reliability.find((r) => r.agent === DISSENTER), { agent: DISSENTER, votes: 3, agreed: 0 }, explain);

    // The loop quarantined it, and says why.
    assert.deepEqual([report.quarantine?.quarantined, report.quarantine?.changedBy], [true, 'controller'], explain);
    assert.equal(report.incident?.status, 'resolved', explain);
    assert.equal(report.incident?.resolvedBy, `quarantine agent:${DISSENTER}`, explain);
    assert.match(report.incident!.shown, /agreed with the accepted answer in 0 of its 3 quorum votes/, explain);
    assert.match(report.agents, new RegExp(`${DISSENTER} \\(quarantined\\)`), explain);

    // The review was answered through the CLI with the operator's own token, attributed to them and audited.
    assert.equal(report.review.status, 'completed', explain);
    assert.equal(report.review.completedBy, `api:${OPERATOR}`, explain);
    assert.deepEqual(report.review.result, { approved: true, note: 'checked against the sources; publish' }, explain);
    assert.ok(report.audit.some((a) => a.action === 'human-task.completed' && a.subject === report.review.id && a.actor === report.review.completedBy), explain);
    assert.ok(report.audit.some((a) => a.action === 'action.quarantine' && a.subject === report.incident!.id), explain);

    // The graph view names who did each task.
    assert.match(report.graph, /graph research/, explain);
    assert.match(report.graph, new RegExp(`review\\s+completed\\s+human\\s+editors.*${report.review.completedBy}`), explain);
  } finally {
    tmp.cleanup();
  }
});
