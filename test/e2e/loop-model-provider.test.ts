import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelStandIn } from '../../src/testing/index.js';
import { Engine } from '../../src/workflow/engine.js';
import { BIN, UpHarness } from './loop-harness.js';

const MODULE = fileURLToPath(new URL('./fixtures/model-workflows.js', import.meta.url));

/** `up` over `yaml`, a `homeostat worker` making the model calls, and a client starting an `ask` run every 150 ms. */
interface Scene {
  h: UpHarness;
  /** What the worker printed. */
  output(): string;
  /** Runs started so far (ids `ask-0` …). */
  asked(): number;
  /** Stop asking; resolves once the last start returned. */
  stopAsking(): Promise<void>;
  close(): Promise<void>;
}

async function scene(yaml: string, urls: { primary: string; backup: string }): Promise<Scene> {
  const h = new UpHarness(yaml);
  const storeUrl = `sqlite:${join(h.dir, 'state', 'homeostat.db')}`;
  let workerOutput = '';
  let worker: ReturnType<typeof spawn> | undefined;
  let engine: Engine | undefined;
  let asking = true;
  let asked = 0;
  let asker: Promise<void> = Promise.resolve();
  const close = async () => {
    asking = false;
    await asker.catch(() => undefined);
    await engine?.close();
    worker?.kill('SIGTERM');
    await h.close();
  };
  try {
    await h.up();
    worker = spawn(process.execPath, [BIN, 'worker', MODULE, '--store', storeUrl], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MODEL_TEST_STORE: storeUrl, PRIMARY_URL: urls.primary, BACKUP_URL: urls.backup },
    });
    worker.stdout!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
    worker.stderr!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
    await h.waitFor(() => workerOutput.includes('running'), 15_000, `the worker to start: ${workerOutput}`);
    const client = await Engine.open({ store: h.db(), worker: false });
    engine = client;
    asker = (async () => {
      while (asking) {
        await client.start('ask', { question: `question ${asked}` }, { id: `ask-${asked}` });
        asked++;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    h,
    output: () => workerOutput,
    asked: () => asked,
    async stopAsking() {
      asking = false;
      await asker;
    },
    close,
  };
}

/**
 * A model provider as a loop element, with the calls made by a separate `homeostat worker`
 * process: the primary answers 429s, its attempts (read by `up` from the store) raise
 * `model-provider-degraded`, the policy drains it — in the store, which the worker follows —,
 * calls go to the backup, and the incident resolves only once the callers' attempts are
 * answered. Healed, the leader's probes raise `model-provider-recovered`, the policy restores
 * it by the same path, and calls reach the primary again.
 */
test('provider element: a rate-limited provider is drained for the worker making the calls, the incident resolves on what callers see, and it is restored after recovery', async () => {
  const primary = await startModelStandIn({ kind: 'openai', answer: () => 'primary answer' });
  const backup = await startModelStandIn({ kind: 'anthropic', answer: () => 'backup answer' });
  primary.always({ kind: 'rate-limit', retryAfterSeconds: 0 });
  const yaml = `models:
  providers:
    primary:
      kind: openai
      baseUrl: ${primary.baseUrl}
      models: { small: { inputPerMillion: 1, outputPerMillion: 2 } }
      element:
        window: 5s
        minAttempts: 3
        degradedWhen: { rateLimitedRatio: 0.5, errorRatio: 0.5 }
        probe: { model: small, every: 300ms, successes: 2 }
    backup:
      kind: anthropic
      baseUrl: ${backup.baseUrl}
      models: { claude: { inputPerMillion: 3, outputPerMillion: 15 } }
  chains:
    default: [{ provider: primary, model: small }, { provider: backup, model: claude }]
policies:
  drain-degraded:
    match: { symptom: [model-provider-degraded], service: [provider:primary] }
    ladder: [{ action: drain }, { action: escalate }]
    verify: { healthyFor: 1s, timeout: 20s }
  restore-recovered:
    match: { symptom: [model-provider-recovered] }
    ladder: [{ action: restore }]
    verify: { healthyFor: 1s, timeout: 20s }
`;
  let calls: Scene | undefined;
  try {
    calls = await scene(yaml, { primary: primary.baseUrl, backup: backup.baseUrl });
    const { h } = calls;
    // Degraded: raised from the worker's attempts, drained by the policy, resolved on the backup's answers.
    const degraded = await h.waitForIncident((i) => i.element === 'provider:primary' && i.symptom === 'model-provider-degraded', 30_000, 'the incident about the rate-limited primary');
    const resolved = await h.waitForIncident((i) => i.id === degraded.id && i.status === 'resolved', 40_000, `the drain to be verified: ${calls!.output().slice(-2_000)}`);
    assert.equal(resolved.resolvedBy, 'drain provider:primary');
    const drained = (await h.db().listModelProviderStates()).find((s) => s.provider === 'primary')!;
    assert.equal(drained.drained, true);
    assert.equal(drained.changedBy, 'controller');
    const explained = (await h.knowledge().incidents.explain(degraded.id))!;
    const symptom = explained.entries.find((e) => e.kind === 'symptom')!;
    assert.match(String(symptom.data.description), /model-provider-degraded on provider:primary: primary over the last 5 s: .*429s \d+\/\d+/);
    const action = explained.entries.find((e) => e.kind === 'action')!;
    assert.equal(action.data.ok, true);
    assert.match(String(action.data.detail), /drained provider primary/);
    const audit = await h.db().listAudit({ afterSeq: 0, limit: 10_000 });
    assert.ok(audit.some((a) => a.actor === 'controller' && a.action === 'action.started' && a.subject === degraded.id) && audit.some((a) => a.action === 'action.drain' && a.subject === degraded.id), 'the drain is audited as the controller\'s');

    // While drained, the worker's calls skip the primary: only the leader's probes reach it.
    const chatAt = primary.requests.filter((r) => (r as { max_tokens?: number }).max_tokens !== 8).length;
    const completedBefore = backup.counts.completions;
    await h.waitFor(() => backup.counts.completions >= completedBefore + 5, 20_000, 'calls answered by the backup while the primary is drained');
    assert.equal(primary.requests.filter((r) => (r as { max_tokens?: number }).max_tokens !== 8).length, chatAt, 'no call of the worker reached the drained primary');

    // Recovered: probes answered, restored by the same path, calls reach the primary again.
    primary.always(undefined);
    const recovered = await h.waitForIncident((i) => i.element === 'provider:primary' && i.symptom === 'model-provider-recovered', 30_000, 'the recovery incident');
    const restored = await h.waitForIncident((i) => i.id === recovered.id && i.status === 'resolved', 40_000, `the restore to be verified: ${calls!.output().slice(-2_000)}`);
    assert.equal(restored.resolvedBy, 'restore provider:primary');
    assert.equal((await h.db().listModelProviderStates()).find((s) => s.provider === 'primary')!.drained, false);
    const completedByPrimary = primary.counts.completions;
    await h.waitFor(() => primary.counts.completions >= completedByPrimary + 3, 20_000, 'calls answered by the primary again');

    await calls.stopAsking();
    // Every call was answered: the chain fell over to the backup while the primary failed.
    await h.waitFor(async () => {
      const runs = await Promise.all(Array.from({ length: calls!.asked() }, (_, i) => h.db().getRun(`ask-${i}`)));
      return runs.every((run) => run?.status === 'completed') || undefined;
    }, 30_000, 'every run to complete');
  } finally {
    await calls?.close();
    await primary.close();
    await backup.close();
  }
});

/**
 * What callers see decides: draining the primary does not resolve the incident while the
 * chain's next link fails too — the drain is not verified and the ladder escalates.
 */
test('provider element: a drain is not verified while the next link fails too; the ladder escalates', async () => {
  const primary = await startModelStandIn({ kind: 'openai' });
  const backup = await startModelStandIn({ kind: 'anthropic' });
  primary.always({ kind: 'status', status: 503 });
  backup.always({ kind: 'status', status: 529 });
  const yaml = `models:
  providers:
    primary:
      kind: openai
      baseUrl: ${primary.baseUrl}
      models: { small: {} }
      element: { window: 5s, minAttempts: 3, degradedWhen: { errorRatio: 0.5 } }
    backup:
      kind: anthropic
      baseUrl: ${backup.baseUrl}
      models: { claude: {} }
  chains:
    default: [{ provider: primary, model: small }, { provider: backup, model: claude }]
policies:
  drain-degraded:
    match: { symptom: [model-provider-degraded] }
    ladder: [{ action: drain }, { action: escalate }]
    verify: { healthyFor: 1s, timeout: 4s }
`;
  let calls: Scene | undefined;
  try {
    calls = await scene(yaml, { primary: primary.baseUrl, backup: backup.baseUrl });
    const { h } = calls;
    const degraded = await h.waitForIncident((i) => i.element === 'provider:primary', 30_000, 'the incident about the failing primary');
    const escalated = await h.waitForIncident((i) => i.id === degraded.id && i.status === 'escalated', 40_000, 'the ladder to escalate');
    assert.equal(escalated.resolvedAt, null);
    const entries = (await h.knowledge().incidents.explain(degraded.id))!.entries;
    const drain = entries.find((e) => e.kind === 'action' && /drained provider primary/.test(String(e.data.detail)));
    assert.ok(drain, 'the drain ran');
    const verification = entries.find((e) => e.kind === 'verification');
    assert.ok(verification && verification.data.ok === false && verification.data.verdict === 'failing', `the drain was not verified: ${JSON.stringify(entries.map((e) => [e.kind, e.data]))}`);
  } finally {
    await calls?.close();
    await primary.close();
    await backup.close();
  }
});
