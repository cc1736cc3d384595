import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LeaseHolder } from '../store/records.js';
import type { ApiErrorBody } from './api-error.js';

/** What the API knows of the loop's leadership (`homeostat up` on a shared store). */
export interface LeadershipView {
  /** True while this process leads the loop (its metric rules see what is pushed here). */
  isLeader(): boolean;
  /** The lease's current holder and its advertised API URL, read from the store. */
  leader(): Promise<LeaseHolder | undefined>;
}

/** Names the leader's API URL on every answer a follower gives instead of handling a request itself. */
export const LEADER_HEADER = 'x-homeostat-leader';
/** Marks a forwarded request: the receiver answers it or refuses it, it never forwards it again (no loops during a hand-over). */
export const FORWARDED_HEADER = 'x-homeostat-forwarded';
/** How long a follower waits for the leader's answer before it answers 503 itself. */
export const FORWARD_TIMEOUT_MS = 5_000;
/** The leader's answer is a small JSON object; anything larger is not relayed. */
const MAX_ANSWER_BYTES = 64 * 1_024;

/**
 * Answer a request only the leader can handle (a metric push: only the leader's rules
 * read the series) on a follower: send it on to the leader's API with the caller's own
 * bearer token (tokens live in the shared store, so the leader checks it again) and
 * relay the answer; when no leader is known, the request was already forwarded once, or
 * the leader does not answer within {@link FORWARD_TIMEOUT_MS}, answer 503
 * `HS_API_NOT_LEADER` naming the leader's URL (body `error.leader`, header
 * {@link LEADER_HEADER}), so the client can retry there. Never a 2xx for work not done.
 */
export async function forwardToLeader(leadership: LeadershipView, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  let leader: LeaseHolder | undefined;
  try {
    leader = await leadership.leader();
  } catch (error) {
    return notLeader(reply, null, `this node does not lead the loop and cannot read who does (${(error as Error).message}); retry`);
  }
  const url = leader?.apiUrl ?? null;
  if (!leader || !url) return notLeader(reply, url, leader ? 'this node does not lead the loop and the leader serves no API; retry later' : 'this node does not lead the loop and no node leads it now (an election is under way); retry in a few seconds');
  if (request.headers[FORWARDED_HEADER] !== undefined) return notLeader(reply, url, `this node does not lead the loop (leadership is changing hands); send it to the leader at ${url}`);
  let answer: Response;
  let text: string;
  try {
    answer = await fetch(new URL(request.url, url), {
      method: request.method,
      headers: { authorization: request.headers.authorization ?? '', 'content-type': 'application/json', [FORWARDED_HEADER]: '1' },
      body: JSON.stringify(request.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    text = await answer.text();
  } catch (error) {
    return notLeader(reply, url, `this node does not lead the loop and the leader at ${url} did not answer (${(error as Error).message}); send it there or retry`);
  }
  let body: unknown;
  try {
    if (Buffer.byteLength(text) > MAX_ANSWER_BYTES) throw new Error('answer too large');
    body = JSON.parse(text);
  } catch {
    return notLeader(reply, url, `this node does not lead the loop and the leader at ${url} gave no JSON answer (HTTP ${answer.status}); send it there or retry`);
  }
  return reply.status(answer.status).header(LEADER_HEADER, url).send(body);
}

function notLeader(reply: FastifyReply, leaderUrl: string | null, message: string): FastifyReply {
  const body: ApiErrorBody & { error: { leader: string | null } } = { error: { code: 'HS_API_NOT_LEADER', message, leader: leaderUrl } };
  if (leaderUrl) void reply.header(LEADER_HEADER, leaderUrl);
  return reply.status(503).header('retry-after', '1').send(body);
}
