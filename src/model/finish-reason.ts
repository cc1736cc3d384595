import type { FinishReason } from './model-reply.js';

/**
 * The normalised finish of an OpenAI `finish_reason` or an Anthropic `stop_reason`.
 * @example finishReason('max_tokens') // 'length'
 * @example finishReason('end_turn') // 'stop'
 */
export function finishReason(raw: unknown): FinishReason {
  switch (raw) {
    case 'stop':
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'length':
    case 'max_tokens':
      return 'length';
    case 'tool_calls':
    case 'function_call':
    case 'tool_use':
      return 'tool';
    case 'content_filter':
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}
