/**
 * The agents demo (`npm run demo:agents`): a research-report task graph — plan → three
 * parallel research tasks → quorum-checked fact extraction (3 agents, 2 must agree) →
 * a person's review → the write-up — over stand-in agent processes talking to a real
 * `homeostat up`. One researcher is SIGKILLed mid-task (its task goes to another), one
 * extractor answers wrong until the loop quarantines it, and the review is approved with
 * `homeostat inbox complete`, as an operator would. Then every step is shown from the
 * store's own records and the CLI.
 *
 * `runDemo` is the importable core (used by the integration test); running this file
 * directly prints the live log and the report, and exits 0 only if the run completed.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Engine, openStore } from '../../src/index.js';
import { isMainModule, runDemoScript } from '../shared/demo-main.js';
import { AgentProcesses, type AgentSpec } from './agent-processes.js';
import { startUp, type UpProcess } from './homeostat-up.js';
import { collectReport, formatReport, type AgentsDemoReport } from './report.js';
import { reportWorkflow, WORKFLOW_NAME, type ReportInput, type ReportOutput } from './report-workflow.js';

export interface DemoOptions {
  /** Wiped and recreated; holds the SQLite file and up's state (default `.homeostat/demo-agents`). */
  stateDir?: string;
  /** Give up waiting for the run or the loop after this long (default 60 s). */
  timeoutMs?: number;
  /** Where live progress goes (default: stdout; pass `() => {}` for silence). */
  log?: (line: string) => void;
}

export const RUN_ID = 'report-1';
export const VICTIM = 'researcher-1';
export const DISSENTER = 'extractor-3';
/** The person who answers the review (the name of their API token). */
export const OPERATOR = 'alice';

const AGENTS: AgentSpec[] = [
  { name: 'planner-1', capability: 'plan', workMs: 200 },
  // Slow enough to be killed mid-task; capacity 1 each, so the three research tasks spread over the three.
  { name: VICTIM, capability: 'research', workMs: 1_500 },
  { name: 'researcher-2', capability: 'research', workMs: 1_500 },
  { name: 'researcher-3', capability: 'research', workMs: 1_500 },
  { name: 'extractor-1', capability: 'extract', workMs: 100 },
  { name: 'extractor-2', capability: 'extract', workMs: 100 },
  { name: DISSENTER, capability: 'extract', workMs: 100, wrong: true },
  { name: 'writer-1', capability: 'write', workMs: 200 },
];

/** What the operator answers the review with. */
const REVIEW_ANSWER = { approved: true, note: 'checked against the sources; publish' };

/** Run the whole demo and return what happened; never leaves a child process behind. */
export async function runDemo(options: DemoOptions = {}): Promise<AgentsDemoReport> {
  const stateDir = resolve(options.stateDir ?? '.homeostat/demo-agents');
  const log = options.log ?? ((line: string) => console.log(line));
  const timeoutMs = options.timeoutMs ?? 60_000;
  // A fresh folder each time: a run with the same id would otherwise be the old one.
  await rm(stateDir, { recursive: true, force: true });
  await mkdir(stateDir, { recursive: true });
  const storeUrl = `sqlite:${join(stateDir, 'homeostat.db')}`;

  let up: UpProcess | undefined;
  let agents: AgentProcesses | undefined;
  let engine: Engine | undefined;
  let opened: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    // `up` first: it creates (migrates) the SQLite file everyone else opens.
    up = await startUp(stateDir, storeUrl, log);
    log(`homeostat up (pid ${up.pid}) serves the agents' API at ${up.apiUrl}; every agent is an element of its loop`);
    agents = new AgentProcesses(up, log);
    for (const spec of AGENTS) {
      const agent = await agents.start(spec);
      log(`agent ${spec.name} (pid ${agent.pid}) registered with its own token: ${spec.capability}${spec.wrong ? ' — answers wrong on purpose' : ''}`);
    }

    // This process runs the workflow (it is the worker); the agents do its tasks.
    const store = await openStore(storeUrl);
    opened = store;
    engine = await Engine.open({ store, workflows: [reportWorkflow(store) as never], inMemoryWaitMs: 0 });
    const handle = await engine.start<ReportInput, ReportOutput>(WORKFLOW_NAME, { topic: 'self-healing agent fleets' }, { id: RUN_ID });
    log(`started run ${RUN_ID}: plan → research ×3 → fact extraction (quorum 2 of 3) → review by a person → write-up`);
    const result = handle.result({ timeout: timeoutMs }).then(
      (output) => ({ ok: true as const, output }),
      (error: unknown) => ({ ok: false as const, error: (error as Error).message }),
    );

    // Kill the victim once it holds a research task, half-way through it.
    const claimed = await agents.waitFor(VICTIM, (event) => event.type === 'claimed' && event.capability === 'research', timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pid = await agents.kill(VICTIM);
    log(`✂ SIGKILL ${VICTIM} (pid ${pid}) half-way through task ${claimed.id!}: its lease will lapse and the task go to another researcher`);
    const kill = { agent: VICTIM, pid: pid ?? -1, taskId: claimed.id! };

    // The review lands in the inbox once the facts are decided; the operator approves it.
    // A run that ends before that (a bug) is reported as it is, not waited for.
    let ended = false;
    void result.then(() => (ended = true));
    const review = await waitFor(async () => (await store.listHumanTasks({ runId: RUN_ID, status: 'open' }))[0] ?? (ended ? null : undefined), timeoutMs, 'the review to reach the inbox');
    let command = '-';
    if (review) {
      // The operator has a token of their own (role operator), so the answer is theirs in the
      // audit log; an agent token would be refused here (it may only speak the agent protocol).
      const created = await up.cli('token', 'create', '--role', 'operator', '--name', OPERATOR);
      const operatorToken = created.out.split('\n')[0]?.trim();
      if (created.status !== 0 || !operatorToken) throw new Error(`homeostat token create for ${OPERATOR} failed: ${created.err || created.out}`);
      command = `HOMEOSTAT_TOKEN=<${OPERATOR}'s operator token> homeostat inbox complete ${review.id} --result '${JSON.stringify(REVIEW_ANSWER)}' --api ${up.apiUrl}`;
      log(`the review waits in the inbox of ${review.assignee}; ${OPERATOR}, an operator, answers it:\n  $ ${command}`);
      const answered = await up.cliAs(operatorToken, 'inbox', 'complete', review.id, '--result', JSON.stringify(REVIEW_ANSWER));
      if (answered.status !== 0) throw new Error(`homeostat inbox complete failed: ${answered.err || answered.out}`);
    } else {
      log(`! run ${RUN_ID} ended before its review reached the inbox`);
    }

    const outcome = await result;
    log(outcome.ok ? `run ${RUN_ID} completed: "${outcome.output.title}"` : `run ${RUN_ID} failed: ${outcome.error}`);

    // The loop's judgement of the dissenter: wait for its incident to be resolved (or give up).
    await waitFor(
      async () => (await store.listIncidents({})).find((i) => i.element === `agent:${DISSENTER}` && i.status === 'resolved'),
      timeoutMs,
      `the incident about ${DISSENTER} to be resolved`,
    ).catch((error: Error) => log(`! ${error.message}`));

    return await collectReport({ store, up, runId: RUN_ID, outcome, kill, dissenter: DISSENTER, review: { id: review?.id ?? '-', command }, storeUrl });
  } finally {
    await engine?.close();
    await opened?.close();
    await agents?.stopAll();
    await up?.stop();
  }
}

/** Poll `probe` until it answers something, every 100 ms, for at most `timeoutMs`. */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

if (isMainModule(import.meta.url)) {
  await runDemoScript({
    title: 'homeostat demo — agents: a research report by a fleet of agents and one person, with the loop watching the agents',
    run: runDemo,
    format: formatReport,
    failure: 'The demo did not end as it should — a bug in homeostat or the demo; the store above has the full history.',
  });
}
