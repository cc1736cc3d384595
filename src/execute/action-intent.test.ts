import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionSchema, type ActionConfig } from '../config/schema/policies.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { recordIntent, resumeInterrupted, resumeRule, type ActionIntent } from './action-intent.js';
import type { ElementControl } from './element-control.js';

const action = (raw: Record<string, unknown>): ActionConfig => actionSchema.parse(raw);

test('resume rules: a command or webhook declared idempotent repeats; the default stays at most once', () => {
  assert.equal(resumeRule(action({ action: 'command', run: 'true', idempotent: true })), 'repeat');
  assert.equal(resumeRule(action({ action: 'webhook', url: 'http://127.0.0.1:1/hook', idempotent: true })), 'repeat');
  assert.equal(resumeRule(action({ action: 'command', run: 'true', idempotent: false })), 'once');
  assert.throws(() => action({ action: 'restart', idempotent: true }), /idempotent/, 'only command and webhook can declare it');
});

test('resume rules: only actions that are safe twice repeat; restarts are checked', () => {
  const rules = Object.fromEntries(
    [
      { action: 'restart' },
      { action: 'stop-start' },
      { action: 'scale', replicas: 3 },
      { action: 'scale', by: 1 },
      { action: 'workflow', name: 'runbook' },
      { action: 'command', run: 'true' },
      { action: 'webhook', url: 'http://127.0.0.1:1/hook' },
      { action: 'failover' },
      { action: 'rollback' },
      { action: 'escalate' },
    ].map((raw) => [`${raw.action}${'by' in raw ? ' by' : 'replicas' in raw ? ' to' : ''}`, resumeRule(action(raw))]),
  );
  assert.deepEqual(rules, {
    restart: 'check',
    'stop-start': 'check',
    'scale to': 'repeat',
    'scale by': 'once',
    workflow: 'repeat',
    command: 'once',
    webhook: 'once',
    failover: 'once',
    rollback: 'once',
    escalate: 'once',
  });
});

async function withIntent(body: (make: (raw: Record<string, unknown>, startedAt?: number | null) => ActionIntent, knowledge: Knowledge) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-intent-'));
  const store = SqliteStore.open(join(dir, 'k.db'));
  try {
    const knowledge = new Knowledge(store);
    const { incident } = await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'api#0 crashed' });
    const make = (raw: Record<string, unknown>, startedAt: number | null = null): ActionIntent => {
      const control: ElementControl = {
        instances: () => ['api#0'],
        isHealthy: () => true,
        restart: async () => undefined,
        stopStart: async () => undefined,
        scale: async () => undefined,
        restartState: () => ({ startedAt, nextRestartAt: null }),
      };
      return { knowledge, control, incidentId: incident.id, runId: 'remediate:api:x:0', rung: 0, action: action(raw), label: `${String(raw.action)} api`, service: 'api', instance: 'api#0' };
    };
    await body(make, knowledge);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('never started: run it; started, outcome unknown: a command is not repeated and says so', () =>
  withIntent(async (make, knowledge) => {
    const command = make({ action: 'command', run: 'true' });
    assert.equal(await resumeInterrupted(command), undefined, 'no intent yet: run it');
    await recordIntent(command);
    const resumed = await resumeInterrupted(command);
    assert.equal(resumed?.recorded, false);
    assert.equal(resumed?.outcome.ok, false);
    assert.equal(resumed?.outcome.uncertain, true);
    assert.match(resumed!.outcome.detail, /^uncertain: started at .* not repeated \(command is not safe to run twice\)/);
    // Another run (a later cycle) of the same ladder is not confused with this one.
    assert.equal(await resumeInterrupted({ ...command, runId: 'remediate:api:x:1' }), undefined);
    const audit = await knowledge.audit.list({ afterSeq: 0, limit: 10 });
    assert.deepEqual(
      audit.filter((a) => a.action === 'action.started').map((a) => a.actor),
      ['controller'],
    );
  }));

test('a recorded outcome is returned, never run again (the crash came after it was written)', () =>
  withIntent(async (make, knowledge) => {
    const webhook = make({ action: 'webhook', url: 'http://127.0.0.1:1/hook' });
    await recordIntent(webhook);
    await knowledge.incidents.record(webhook.incidentId, 'action', { rung: 0, run: webhook.runId, action: 'webhook api', ok: true, detail: 'POST → HTTP 200' });
    assert.deepEqual(await resumeInterrupted(webhook), { recorded: true, outcome: { ok: true, detail: 'POST → HTTP 200' } });
  }));

test('an interrupted restart: skipped when the replica started after the intent, repeated when it did not', () =>
  withIntent(async (make) => {
    const before = make({ action: 'restart' }, Date.now() - 60_000);
    await recordIntent(before);
    assert.equal(await resumeInterrupted(before), undefined, 'the replica predates the intent: restart it again');
    const after = make({ action: 'restart' }, Date.now() + 60_000);
    const resumed = await resumeInterrupted(after);
    assert.equal(resumed?.outcome.skipped, true);
    assert.equal(resumed?.outcome.resumed, true, 'not repeated, yet it ran: still this remediation\'s action, credited');
    assert.match(resumed!.outcome.detail, /not repeated/);
    assert.equal(await resumeInterrupted(make({ action: 'scale', replicas: 3 })), undefined, 'an absolute scale repeats');
  }));

test('an interrupted restart of an agent is checked on the process that runs it: skipped once that process started after the intent', () =>
  withIntent(async (make) => {
    const asked: string[] = [];
    const agentRestart = (startedAt: number): ActionIntent => {
      const base = make({ action: 'restart' });
      const control: ElementControl = {
        ...base.control,
        instances: (service) => {
          asked.push(service);
          return service === 'writer-svc' ? ['writer-svc#0'] : [];
        },
        restartState: (service, instance) => (service === 'writer-svc' && instance === 'writer-svc#0' ? { startedAt, nextRestartAt: null } : undefined),
      };
      const { instance: _instance, ...rest } = base;
      return { ...rest, control, label: 'restart agent:writer', service: 'agent:writer', processService: 'writer-svc' };
    };
    const stale = agentRestart(Date.now() - 60_000);
    await recordIntent(stale);
    assert.equal(await resumeInterrupted(stale), undefined, 'the process predates the intent: the restart never happened, run it');
    const resumed = await resumeInterrupted(agentRestart(Date.now() + 60_000));
    assert.equal(resumed?.outcome.skipped, true, 'the process started after the intent: the restart happened, not again');
    assert.match(resumed!.outcome.detail, /every replica of writer-svc started after it/);
    assert.deepEqual([...new Set(asked)], ['writer-svc'], 'the agent element itself has no process to look at');
  }));
