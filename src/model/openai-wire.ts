import { finishReason } from './finish-reason.js';
import { ModelCallError } from './model-errors.js';
import type { WireRequest } from './model-reply.js';
import type { StreamProgress, WireFormat } from './wire-format.js';

interface OpenAiChoice {
  message?: { content?: string | null };
  delta?: { content?: string | null };
  finish_reason?: string | null;
}
interface OpenAiBody {
  choices?: OpenAiChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

/**
 * OpenAI-compatible chat completions (`POST {baseUrl}/chat/completions`): what OpenAI,
 * vLLM, Ollama (`/v1`), LM Studio and most gateways serve. Streaming asks for the usage
 * chunk (`stream_options.include_usage`), so a streamed answer is billed by its real token counts.
 */
export const openAiWire: WireFormat = {
  path: '/chat/completions',

  headers(apiKey): Record<string, string> {
    return apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
  },

  body(request: WireRequest) {
    return {
      model: request.model,
      messages: request.messages,
      max_tokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      stream: request.stream,
      ...(request.stream ? { stream_options: { include_usage: true } } : {}),
    };
  },

  parseReply(json) {
    const body = json as OpenAiBody;
    const choice = body?.choices?.[0];
    if (!choice?.message) throw new ModelCallError('server-error', 'the chat completion answer has no choices[0].message');
    return {
      text: choice.message.content ?? '',
      finish: finishReason(choice.finish_reason),
      usage: { input: body.usage?.prompt_tokens ?? 0, output: body.usage?.completion_tokens ?? 0 },
    };
  },

  onEvent(progress: StreamProgress, _event, data) {
    if (data === '[DONE]') {
      progress.ended = true;
      return;
    }
    let chunk: OpenAiBody;
    try {
      chunk = JSON.parse(data) as OpenAiBody;
    } catch {
      throw new ModelCallError('server-error', `a stream chunk is not JSON: ${data.slice(0, 80)}`);
    }
    if (chunk.error) throw new ModelCallError('server-error', `the stream carried an error: ${chunk.error.message ?? 'unknown'}`);
    const choice = chunk.choices?.[0];
    if (choice?.delta?.content) progress.text += choice.delta.content;
    if (choice?.finish_reason) progress.finish = finishReason(choice.finish_reason);
    if (chunk.usage) progress.usage = { input: chunk.usage.prompt_tokens ?? 0, output: chunk.usage.completion_tokens ?? 0 };
  },
};
