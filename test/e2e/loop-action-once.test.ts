import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleApiService, UpHarness } from './loop-harness.js';

/** The remediation command's processes (`sh -c …` and its `sleep`), found by the marker its rung passes on (`passEnv`). */
function commandPids(h: UpHarness): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      const state = readFileSync(`/proc/${name}/stat`, 'latin1').split(') ')[1]?.[0];
      if (environ.includes(`HOMEOSTAT_E2E_RUN=${h.dir}`) && cmdline.includes('sleep') && state !== 'Z') found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

test('SIGKILL of up while a command rung runs: after restart the command is not run again; the incident shows it as uncertain and ends verified', async () => {
  // The command's own record of each run, outside the harness's folder.
  const outDir = mkdtempSync(join(tmpdir(), 'homeostat-once-'));
  const file = join(outDir, 'command.log');
  const h = new UpHarness(`
services:
${exampleApiService()}
policies:
  crash:
    match: { symptom: [process-crashed] }
    # The harness's marker, named so the command gets it (a command sees only the variables its rung names).
    ladder: [{ action: command, run: "echo start >> ${file}; sleep 15; echo end >> ${file}", timeout: 60s, passEnv: [HOMEOSTAT_E2E_RUN] }]
    verify: { healthyFor: 500ms, timeout: 20s }
`);
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  try {
    await h.up();
    await h.healthy('api');
    await h.fault('api#0', 'crash');
    await h.waitFor(() => lines().includes('start'), 30_000, 'the command rung running');
    assert.ok(commandPids(h).length > 0, 'the command runs');
    await h.down('SIGKILL');
    // The command's process group dies with up (the reaper), like a supervised process.
    await h.waitFor(() => commandPids(h).length === 0, 15_000, 'the command\'s processes gone after the SIGKILL of up');
    await h.killSpawned();
    assert.deepEqual(lines(), ['start']);

    await h.up();
    const incident = await h.waitForIncident((i) => i.status === 'resolved' || i.status === 'escalated', 60_000, 'the resumed remediation finished');
    assert.deepEqual(lines(), ['start'], 'the command ran once: not again after the restart');

    const chain = (await h.knowledge().incidents.explain(incident.id))!.entries;
    const intents = chain.filter((e) => e.kind === 'intent');
    const actions = chain.filter((e) => e.kind === 'action');
    assert.equal(intents.length, 1, `one intent, before the command ran: ${JSON.stringify(chain.map((e) => e.kind))}`);
    assert.equal(actions.length, 1);
    assert.ok(intents[0]!.id < actions[0]!.id);
    assert.equal(actions[0]!.data.uncertain, true);
    assert.equal(actions[0]!.data.ok, false);
    assert.match(String(actions[0]!.data.detail), /^uncertain: started at \S+ before a crash of the controller, outcome unknown; not repeated \(command is not safe to run twice\)/);
    // Health decided: the supervisor runs api again, so verification passes and the incident resolves.
    const verification = chain.find((e) => e.kind === 'verification')!;
    assert.equal(verification.data.ok, true, JSON.stringify(verification.data));
    assert.equal(incident.status, 'resolved');

    const audit = await h.db().listAudit({ afterSeq: 0, limit: 1_000 });
    const started = audit.filter((a) => a.action === 'action.started');
    const commands = audit.filter((a) => a.action === 'action.command');
    assert.equal(started.length, 1);
    assert.equal(started[0]!.actor, 'controller');
    assert.equal(commands.length, 1);
    assert.match(commands[0]!.data, /"uncertain":true/);

    const shown = await h.cli('incident', 'show', incident.id);
    assert.match(shown.out, /intent\s+step 1: command api: started/);
    assert.match(shown.out, /step 1: command api: OUTCOME UNKNOWN — uncertain: started at/);
  } finally {
    await h.close();
    rmSync(outDir, { recursive: true, force: true });
  }
});
