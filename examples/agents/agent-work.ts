/**
 * What each stand-in agent answers, by capability: deterministic, so that honest agents
 * agree with each other exactly and the quorum's decision is easy to check.
 */

/** The three questions the planner always asks: the demo's graph has three research tasks. */
export const QUESTIONS = ['Where did the idea come from?', 'Who uses it today?', 'What is still unsolved?'] as const;

export interface Finding {
  claim: string;
  year: number;
}

export interface ResearchNotes {
  question: string;
  findings: Finding[];
}

interface GraphInput {
  params?: Record<string, unknown>;
  deps?: Record<string, unknown>;
}

/** A small, fixed body of "sources": one set of findings per question. */
const FINDINGS: Finding[][] = [
  [
    { claim: 'first described in a control-theory paper', year: 1948 },
    { claim: 'named after a self-regulating machine', year: 1952 },
  ],
  [
    { claim: 'adopted by operations teams for self-healing services', year: 2016 },
    { claim: 'used to supervise fleets of software agents', year: 2024 },
  ],
  [
    { claim: 'telling a wrong answer from a right one without a second opinion', year: 2025 },
    { claim: 'bounding what an agent may do when its input is hostile', year: 2025 },
  ],
];

export function doWork(capability: string, input: unknown, wrong: boolean): unknown {
  switch (capability) {
    case 'plan': {
      const { params } = input as GraphInput;
      return { topic: params?.topic, questions: [...QUESTIONS] };
    }
    case 'research': {
      const { params, deps } = input as GraphInput;
      const index = Number(params?.question);
      const plan = deps?.plan as { questions: string[] } | undefined;
      return { question: plan?.questions[index] ?? QUESTIONS[index] ?? `question ${index}`, findings: FINDINGS[index] ?? [] } satisfies ResearchNotes;
    }
    case 'extract': {
      // One fact per finding; the byzantine extractor shifts every year by one.
      const notes = input as ResearchNotes;
      return { facts: notes.findings.map((finding) => `${finding.claim} (${wrong ? finding.year + 1 : finding.year})`) };
    }
    case 'write': {
      const { params, deps } = input as GraphInput;
      const facts = (params?.facts as string[] | undefined) ?? [];
      const review = deps?.review as { note?: string } | undefined;
      return {
        title: `A short report on ${String(params?.topic)}`,
        body: facts.map((fact, i) => `${i + 1}. ${fact[0]!.toUpperCase()}${fact.slice(1)}.`).join('\n'),
        reviewNote: review?.note ?? null,
      };
    }
    default:
      throw new Error(`this stand-in agent has no work for capability "${capability}"`);
  }
}
