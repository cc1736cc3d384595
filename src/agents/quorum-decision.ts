import type { AnswerEquality } from './quorum-comparators.js';

/** One voter's contribution: an answer, or none (its task failed or was dead-lettered). */
export type Ballot = { voter: string; taskId: string | null; answered: true; answer: unknown } | { voter: string; taskId: string | null; answered: false; error: string };

/** What a quorum decided from its ballots. */
export type QuorumDecision =
  | { accepted: true; answer: unknown; agreed: string[]; dissenters: string[] }
  | { accepted: false; groups: { answer: unknown; voters: string[] }[]; unanswered: { voter: string; error: string }[] };

/**
 * Group the answers by `equals` — each answer joins the first group whose first answer it
 * equals, in ballot order, so the grouping is deterministic on replay — and accept the
 * largest group when it has at least `k` members (the earliest among equal sizes; with k
 * above n/2 two groups can never both reach k). Everyone outside the accepted group,
 * a voter that gave no answer included, is a dissenter.
 * @example decideQuorum([{ voter: 'a', taskId: null, answered: true, answer: 4 }, { voter: 'b', taskId: null, answered: true, answer: 5 }, { voter: 'c', taskId: null, answered: true, answer: 4 }], 2, Object.is) // { accepted: true, answer: 4, agreed: ['a', 'c'], dissenters: ['b'] }
 */
export function decideQuorum(ballots: readonly Ballot[], k: number, equals: AnswerEquality): QuorumDecision {
  const groups: { answer: unknown; voters: string[] }[] = [];
  const unanswered: { voter: string; error: string }[] = [];
  for (const ballot of ballots) {
    if (!ballot.answered) {
      unanswered.push({ voter: ballot.voter, error: ballot.error });
      continue;
    }
    const group = groups.find((candidate) => safeEquals(equals, candidate.answer, ballot.answer));
    if (group) group.voters.push(ballot.voter);
    else groups.push({ answer: ballot.answer, voters: [ballot.voter] });
  }
  let best: { answer: unknown; voters: string[] } | undefined;
  for (const group of groups) if (!best || group.voters.length > best.voters.length) best = group;
  if (!best || best.voters.length < k) return { accepted: false, groups, unanswered };
  const agreed = new Set(best.voters);
  return { accepted: true, answer: best.answer, agreed: best.voters, dissenters: ballots.map((b) => b.voter).filter((voter) => !agreed.has(voter)) };
}

/** A user's comparator that throws says "these do not agree", not "the quorum failed". */
function safeEquals(equals: AnswerEquality, a: unknown, b: unknown): boolean {
  try {
    return equals(a, b) === true;
  } catch {
    return false;
  }
}
