import type { FastifyPluginAsync } from 'fastify';
import type { AgentQuorumRecord, AgentQuorumVoteRecord } from '../../store/agent-quorum-records.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { idParams, limitOf, positiveIntText, responses } from '../schemas.js';
import { anyJson, arrayOf, boolean, closedObject, nullableNumber, nullableText, number, oneOf, text } from '../shapes/json-schema.js';

const quorumSchema = closedObject({
  id: text,
  runId: text,
  name: text,
  capability: nullableText,
  n: number,
  k: number,
  comparator: text,
  status: oneOf(['pending', 'accepted', 'no-quorum']),
  answer: anyJson,
  detail: nullableText,
  createdAt: number,
  decidedAt: nullableNumber,
});
const voteSchema = closedObject({ voter: text, taskId: nullableText, agreed: boolean, answer: anyJson, at: number });

const parsed = (json: string | null): unknown => (json === null ? null : (JSON.parse(json) as unknown));
const quorumShape = (quorum: AgentQuorumRecord) => ({ ...quorum, answer: parsed(quorum.answer) });
const voteShape = (vote: AgentQuorumVoteRecord) => ({ voter: vote.voter, taskId: vote.taskId, agreed: vote.agreed, answer: parsed(vote.answer), at: vote.at });

/**
 * `/api/agents/quorums` (docs/agents.md#quorum): each quorum's decision and every vote in
 * it — who agreed, who dissented, with their answers. Threat model: read-only, for viewers
 * and up (never agent tokens: an agent must not see the answers it is judged against);
 * it reaches the quorum tables and the answers agents gave, which are step results of
 * runs a viewer may already read.
 */
export const agentQuorumRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get<{ Querystring: { run?: string; limit?: string } }>('/api/agents/quorums', {
    config: { role: 'viewer' },
    schema: {
      tags: ['agents'],
      summary: 'Quorums, newest first (by run with `run=`): n, k, the comparator, and the accepted answer or why none was',
      querystring: { type: 'object', additionalProperties: false, properties: { run: { type: 'string', minLength: 1, maxLength: 300 }, limit: positiveIntText } },
      response: responses({ 200: closedObject({ quorums: arrayOf(quorumSchema) }) }),
    },
    handler: async (request) => {
      const { run, limit } = request.query;
      return { quorums: (await ctx.store.listAgentQuorums({ ...(run ? { runId: run } : {}), limit: limitOf(limit, 200) })).map(quorumShape) };
    },
  });

  app.get<{ Params: { id: string } }>('/api/agents/quorums/:id', {
    config: { role: 'viewer' },
    schema: { tags: ['agents'], summary: 'One quorum with every vote: who agreed, who dissented, and what each answered', params: idParams, response: responses({ 200: closedObject({ quorum: quorumSchema, votes: arrayOf(voteSchema) }) }) },
    handler: async (request) => {
      const quorum = await ctx.store.getAgentQuorum(request.params.id);
      if (!quorum) throw new ApiError('HS_AGENT_QUORUM_NOT_FOUND', `no quorum ${JSON.stringify(request.params.id)}`);
      return { quorum: quorumShape(quorum), votes: (await ctx.store.listAgentQuorumVotes(quorum.id)).map(voteShape) };
    },
  });
};
