import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDemo } from '../../examples/ai-pipeline/demo.js';
import { formatReport } from '../../examples/ai-pipeline/report.js';
import { tempDir } from './temp-store.js';

// The `npm run demo:pipeline` demo end to end — `homeostat up`, real worker processes, two
// stand-in providers over real HTTP in their real wire formats, a real SIGKILL — on fewer
// documents and more document faults, so that a silently broken demo fails here rather
// than in front of a new user.
test('the AI pipeline demo: swift degrades, the chain falls over, the loop drains and later restores it, every run completes within budget', { timeout: 120_000 }, async () => {
  const tmp = tempDir('homeostat-demo-');
  const log: string[] = [];
  try {
    const report = await runDemo({
      documents: 12,
      stateDir: tmp.dir,
      seed: 11,
      faults: { documentUnavailable: 0.3, documentSlow: 0.15 },
      log: (line) => log.push(line),
    });
    const explain = `${formatReport(report)}\n\nlive log:\n${log.join('\n')}`;

    assert.equal(report.ok, true, explain);
    assert.ok(report.documents >= 12, explain);
    assert.deepEqual(report.runs.map((r) => r.status), Array(report.documents).fill('completed'), explain);
    assert.equal(report.filesWritten, report.documents, explain);

    // The document faults were really injected, so the step retries were exercised.
    assert.ok(report.stats.documentUnavailable > 0, `no 503 injected\n${explain}`);

    // swift degraded: its attempts failed in several ways, and the chain fell over to sage.
    assert.notEqual(report.degradedAtMs, undefined, explain);
    const swift = report.providers.find((p) => p.provider === 'swift')!;
    const sage = report.providers.find((p) => p.provider === 'sage')!;
    assert.ok(Object.keys(swift.failures).length >= 2, `swift failed in fewer than two ways\n${explain}`);
    assert.ok(sage.ok > 0, explain);
    assert.ok(report.runs.some((r) => r.provider === 'sage' && r.faults.some((f) => f.startsWith('swift:'))), `no run fell over from swift to sage\n${explain}`);
    for (const p of report.providers) assert.ok(p.tokensIn > 0 && p.tokensOut > 0 && p.costMicros > 0, explain);

    // The loop: an incident on provider:swift resolved by the drain, then one resolved by the restore.
    const [degraded, recovered] = report.incidents;
    assert.equal(degraded?.symptom, 'model-provider-degraded', explain);
    assert.equal(degraded.status, 'resolved', explain);
    assert.equal(degraded.resolvedBy, 'drain provider:swift', explain);
    assert.equal(recovered?.symptom, 'model-provider-recovered', explain);
    assert.equal(recovered.resolvedBy, 'restore provider:swift', explain);
    assert.deepEqual(report.drained, [], explain);
    // After the restore, calls reach swift again: the last documents (those the restore was verified on) were answered by it.
    assert.equal(report.runs.at(-1)!.provider, 'swift', explain);

    // Within budget: every run's recorded spend is within the per-run budget.
    for (const run of report.runs) assert.ok(run.tokens <= report.budget.tokens && run.costMicros <= report.budget.cost * 1e6, explain);

    // The worker was killed with runs in flight, and those runs were finished by others.
    assert.ok(report.kill, `no worker was killed\n${explain}`);
    for (const id of report.kill.inFlight) {
      const run = report.runs.find((r) => r.id === id);
      assert.equal(run?.status, 'completed', explain);
      assert.notEqual(run?.finishedBy, report.kill.worker, explain);
    }

    // The written results are what the checked answers said.
    for (const run of report.runs) {
      const written = JSON.parse(readFileSync(join(tmp.dir, 'results', `${run.id}.json`), 'utf8')) as Record<string, unknown>;
      assert.equal(written.documentId, run.id);
      assert.ok(['positive', 'negative', 'neutral'].includes(written.sentiment as string));
      assert.equal(typeof written.summary, 'string');
      assert.equal(written.provider, run.provider);
    }
  } finally {
    tmp.cleanup();
  }
});
