import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDemo } from '../../examples/ai-pipeline/demo.js';
import { malformedCount } from '../../examples/ai-pipeline/model-server.js';
import { formatReport } from '../../examples/ai-pipeline/report.js';
import { tempDir } from './temp-store.js';

// The `npm start` demo end to end — real worker processes, real HTTP, a real SIGKILL —
// on fewer documents and with higher fault rates, so that every fault kind is injected
// and a silently broken demo fails here rather than in front of a new user.
test('the AI pipeline demo completes every run through injected faults and a killed worker', { timeout: 90_000 }, async () => {
  const tmp = tempDir('homeostat-demo-');
  const log: string[] = [];
  try {
    const report = await runDemo({
      documents: 6,
      stateDir: tmp.dir,
      seed: 11,
      faults: { documentUnavailable: 0.3, documentSlow: 0.15, modelHang: 0.15, modelRateLimited: 0.2, modelMalformed: 0.35 },
      log: (line) => log.push(line),
    });
    const explain = `${formatReport(report)}\n\nlive log:\n${log.join('\n')}`;

    assert.equal(report.ok, true, explain);
    assert.deepEqual(report.runs.map((r) => r.status), Array(6).fill('completed'), explain);
    assert.equal(report.filesWritten, 6, explain);

    // Each fault kind was really injected by the stand-in, so the retries were exercised.
    const { stats } = report;
    assert.ok(stats.documentUnavailable > 0, `no 503 injected\n${explain}`);
    assert.ok(stats.documentSlow > 0, `no slow document injected\n${explain}`);
    assert.ok(stats.modelHang > 0, `no model hang injected\n${explain}`);
    assert.ok(stats.modelRateLimited > 0, `no 429 injected\n${explain}`);
    assert.ok(malformedCount(stats) > 0, `no malformed answer injected\n${explain}`);
    // A malformed answer must lead to a new model call, not a failed run.
    assert.ok(report.runs.some((r) => r.faults.includes('malformed') && r.modelCalls > 1), explain);

    // The worker was killed with runs in flight, and those runs were finished by others.
    assert.ok(report.kill, `no worker was killed\n${explain}`);
    assert.ok(report.kill.inFlight.length > 0, explain);
    for (const id of report.kill.inFlight) {
      const run = report.runs.find((r) => r.id === id);
      assert.equal(run?.status, 'completed', explain);
      assert.notEqual(run?.finishedBy, report.kill.worker, explain);
    }

    // The written results are what the validated answers said.
    for (const run of report.runs) {
      const written = JSON.parse(readFileSync(join(tmp.dir, 'results', `${run.id}.json`), 'utf8')) as Record<string, unknown>;
      assert.equal(written.documentId, run.id);
      assert.ok(['positive', 'negative', 'neutral'].includes(written.sentiment as string));
      assert.equal(typeof written.summary, 'string');
    }
  } finally {
    tmp.cleanup();
  }
});
