/**
 * The research-report workflow of the demo: a task graph plan → three parallel research
 * tasks, then a quorum-checked fact extraction per research task (3 agents, 2 must agree),
 * then a second graph: a person's review → the write-up. Two graphs because a quorum is
 * not (yet) a kind of graph task: the quorums run between them as steps of the same run.
 */
import { createAgentQuorum, createTaskGraphs, defineWorkflow, type openStore } from '../../src/index.js';
import { QUESTIONS, type ResearchNotes } from './agent-work.js';

export const WORKFLOW_NAME = 'research-report';

export interface ReportInput {
  topic: string;
}

export interface ReportOutput {
  title: string;
  body: string;
  reviewNote: string | null;
}

type Store = Awaited<ReturnType<typeof openStore>>;

export function reportWorkflow(store: Store) {
  const graphs = createTaskGraphs({ store });
  const quorum = createAgentQuorum(store);
  return defineWorkflow(WORKFLOW_NAME, async (ctx, input: ReportInput) => {
    const research = await graphs.run(ctx, {
      name: 'research',
      tasks: [
        { id: 'plan', capability: 'plan', params: { topic: input.topic } },
        ...QUESTIONS.map((_, i) => ({ id: `research-${i + 1}`, capability: 'research', dependsOn: ['plan'], params: { question: i } })),
      ],
    });

    // One quorum per research task, one after the other: every extractor votes in each,
    // and the loop judges each extractor by its running agreement rate.
    const facts: string[] = [];
    for (let i = 1; i <= QUESTIONS.length; i++) {
      const notes = research.outputs[`research-${i}`] as ResearchNotes;
      const decided = await quorum.agents<{ facts: string[] }>(ctx, `facts-${i}`, { capability: 'extract', input: notes, n: 3, k: 2, comparator: 'json' });
      facts.push(...decided.answer.facts);
    }

    const report = await graphs.run(ctx, {
      name: 'review',
      tasks: [
        { id: 'review', human: { assignee: 'editors', due: '30m' }, params: { topic: input.topic, facts } },
        { id: 'write-up', capability: 'write', dependsOn: ['review'], params: { topic: input.topic, facts } },
      ],
    });
    return report.outputs['write-up'] as ReportOutput;
  });
}
