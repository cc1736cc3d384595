/**
 * What the agents demo shows afterwards: every step read back from the store (the task
 * rows and their histories, the quorums and their votes, the quarantine, the inbox, the
 * audit log) and from the CLI a user would run (`homeostat runs graph`, `homeostat agents`,
 * `homeostat incident show`) — nothing here is the demo's own bookkeeping.
 */
import type { AgentTaskEventRecord, openStore } from '../../src/index.js';
import type { UpProcess } from './homeostat-up.js';
import type { ReportOutput } from './report-workflow.js';

type Store = Awaited<ReturnType<typeof openStore>>;

export interface QuorumSummary {
  name: string;
  status: string;
  answer: unknown;
  votes: { voter: string; agreed: boolean; answer: unknown }[];
}

export interface AgentsDemoReport {
  runId: string;
  runStatus: string;
  output?: ReportOutput;
  error?: string;
  /** The SIGKILLed researcher's task: who finished it, and its history (claims, lapse, completion). */
  kill: { agent: string; pid: number; taskId: string; status: string; finishedBy: string | null; history: AgentTaskEventRecord[] };
  quorums: QuorumSummary[];
  reliability: { agent: string; votes: number; agreed: number }[];
  quarantine?: { agent: string; quarantined: boolean; changedBy: string; reason: string };
  incident?: { id: string; symptom: string; element: string; status: string; resolvedBy: string | null; shown: string };
  review: { id: string; status: string; completedBy: string | null; result: unknown; command: string };
  audit: { actor: string; action: string; subject: string }[];
  graph: string;
  agents: string;
  storeUrl: string;
  ok: boolean;
}

export interface CollectInput {
  store: Store;
  up: UpProcess;
  runId: string;
  outcome: { ok: true; output: ReportOutput } | { ok: false; error: string };
  kill: { agent: string; pid: number; taskId: string };
  dissenter: string;
  review: { id: string; command: string };
  storeUrl: string;
}

export async function collectReport(input: CollectInput): Promise<AgentsDemoReport> {
  const { store, up, runId, kill, dissenter } = input;
  const run = await store.getRun(runId);
  const killedTask = await store.getAgentTask(kill.taskId);
  const quorums: QuorumSummary[] = [];
  for (const quorum of (await store.listAgentQuorums({ runId })).sort((a, b) => a.name.localeCompare(b.name))) {
    const votes = await store.listAgentQuorumVotes(quorum.id);
    quorums.push({
      name: quorum.name,
      status: quorum.status,
      answer: parse(quorum.answer),
      votes: votes.map((vote) => ({ voter: vote.voter, agreed: vote.agreed, answer: parse(vote.answer) })),
    });
  }
  const quarantine = (await store.listAgentQuarantines()).find((q) => q.agent === dissenter);
  const incident = (await store.listIncidents({ element: `agent:${dissenter}` })).find((i) => i.symptom === 'agent-dissenting');
  const review = await store.getHumanTask(input.review.id);
  const audit = await store.listAudit({ afterSeq: 0, limit: 10_000 });
  const [graph, agents, shown] = await Promise.all([
    up.cli('runs', 'graph', runId),
    up.cli('agents'),
    incident ? up.cli('incident', 'show', incident.id) : Promise.resolve({ out: '', err: '', status: 0 }),
  ]);
  const report: AgentsDemoReport = {
    runId,
    runStatus: run?.status ?? 'missing',
    ...(input.outcome.ok ? { output: input.outcome.output } : { error: input.outcome.error }),
    kill: { ...kill, status: killedTask?.status ?? 'missing', finishedBy: killedTask?.agent ?? null, history: await store.listAgentTaskEvents(kill.taskId) },
    quorums,
    reliability: (await store.agentReliabilities()).sort((a, b) => a.agent.localeCompare(b.agent)),
    quarantine: quarantine && { agent: quarantine.agent, quarantined: quarantine.quarantined, changedBy: quarantine.changedBy, reason: quarantine.reason },
    incident: incident && { id: incident.id, symptom: incident.symptom, element: incident.element, status: incident.status, resolvedBy: incident.resolvedBy, shown: (shown.out || shown.err).trimEnd() },
    review: { id: input.review.id, status: review?.status ?? 'missing', completedBy: review?.completedBy ?? null, result: parse(review?.result ?? null), command: input.review.command },
    audit: audit.map((entry) => ({ actor: entry.actor, action: entry.action, subject: entry.subject })),
    graph: (graph.out || graph.err).trimEnd(),
    agents: (agents.out || agents.err).trimEnd(),
    storeUrl: input.storeUrl,
    ok: false,
  };
  report.ok =
    report.runStatus === 'completed' &&
    report.kill.status === 'completed' &&
    report.kill.finishedBy !== kill.agent &&
    report.quorums.length > 0 &&
    report.quorums.every((q) => q.status === 'accepted') &&
    report.quarantine?.quarantined === true &&
    report.incident?.status === 'resolved' &&
    report.review.status === 'completed';
  return report;
}

export function formatReport(report: AgentsDemoReport): string {
  const lines: string[] = [];
  const section = (title: string) => lines.push('', `── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);

  section(`The run ${report.runId}: ${report.runStatus}`);
  if (report.output) lines.push(report.output.title, report.output.body, `(review note: ${report.output.reviewNote ?? '-'})`);
  if (report.error) lines.push(`failed: ${report.error}`);

  section('The graphs, each task with its state and agent (homeostat runs graph)');
  lines.push(report.graph);

  section(`The reassignment: ${report.kill.agent} (pid ${report.kill.pid}) was SIGKILLed mid-task`);
  lines.push(`task ${report.kill.taskId}: ${report.kill.status}, finished by ${report.kill.finishedBy ?? '-'}. Its history:`);
  const started = report.kill.history[0]?.at ?? 0;
  for (const event of report.kill.history) {
    lines.push(`  +${String(event.at - started).padStart(5)} ms  ${event.kind.padEnd(10)} ${event.agent ?? '-'} (generation ${event.generation})${event.detail ? `: ${event.detail}` : ''}`);
  }
  lines.push('Its heartbeats stopped, so its lease lapsed; the next claim by a researcher with room took the task under a new generation.');

  section('The fact extraction: one quorum per research task, 2 of 3 must agree');
  for (const quorum of report.quorums) {
    lines.push(`${quorum.name}: ${quorum.status}, answer ${JSON.stringify(quorum.answer)}`);
    for (const vote of quorum.votes) lines.push(`  ${vote.agreed ? '✓' : '✗'} ${vote.voter.padEnd(12)} ${JSON.stringify(vote.answer)}`);
  }
  lines.push('Reliability (agreed ÷ votes):');
  for (const r of report.reliability) lines.push(`  ${r.agent.padEnd(12)} ${r.agreed}/${r.votes}`);

  section('The quarantine: the loop took the dissenter out of the fleet');
  if (report.quarantine) lines.push(`${report.quarantine.agent}: quarantined=${report.quarantine.quarantined} by ${report.quarantine.changedBy} — ${report.quarantine.reason}`);
  else lines.push('no quarantine was recorded');
  if (report.incident) lines.push(`incident ${report.incident.id} (${report.incident.symptom} on ${report.incident.element}): ${report.incident.status}, by ${report.incident.resolvedBy ?? '-'}`, '', report.incident.shown);

  section('The review: answered by the operator');
  lines.push(`${report.review.id}: ${report.review.status} by ${report.review.completedBy ?? '-'} with ${JSON.stringify(report.review.result)}`);
  lines.push('The command the demo ran — what you would type (or POST /api/inbox/<id>/complete with an operator token;', 'on the machine running up, -c <its config> instead of --api uses up\'s own token):', `  $ ${report.review.command}`);

  section('The agents now (homeostat agents)');
  lines.push(report.agents);

  section(`The audit log (${report.audit.length} entries, hash-chained)`);
  for (const entry of report.audit) lines.push(`  ${entry.actor.padEnd(28)} ${entry.action.padEnd(28)} ${entry.subject}`);

  lines.push('', `Look further: homeostat agents tasks --run ${report.runId} --store ${report.storeUrl}`);
  return lines.join('\n');
}

function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
